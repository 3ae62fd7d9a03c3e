import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApi } from '../support/api';
import { bearer } from '../support/factories';
import { consentJourney } from '../support/journeys';
import { callApi, freePort, REPO_ROOT, waitForOk } from '../support/processes';

/** The zero-install default: the embedded PostgreSQL (a real server) behind the same `pg` driver. */
describe('embedded database (npm start default)', () => {
  let dataDir: string;
  const env = { CANDOR_ADMIN_KEY: `op_test_${randomBytes(16).toString('hex')}`, CANDOR_MASTER_KEY: randomBytes(32).toString('base64') };
  afterAll(() => dataDir && rmSync(dataDir, { recursive: true, force: true }));

  it('passes the consent journey and keeps its data across a restart', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'candor-embedded-'));
    let api = await startApi({ embedded: true, dataDir, env });
    let brandKey: string;
    let subjectId: string;
    try {
      expect(api.databaseUrl).toBeNull();
      ({ brandKey, subjectId } = await consentJourney(api));
    } finally {
      await api.close();
    }

    api = await startApi({ embedded: true, dataDir, env });
    try {
      const subject = await api.http.get(`/v1/subjects/${subjectId}`).set(bearer(brandKey));
      expect(subject.status).toBe(200);
      expect(subject.body.email).toBe('ingrid.solberg@example.com');
      const consents = await api.http.get(`/v1/subjects/${subjectId}/consents`).set(bearer(brandKey));
      expect(consents.body.history).toHaveLength(2);
      expect((await api.http.get('/v1/ledger/verify').set(bearer(brandKey))).body).toEqual({ ok: true, events: 2 });
    } finally {
      await api.close();
    }
  });
});

/**
 * The API as `npm start` runs it — `node api/dist/main.js` with no DATABASE_URL, a supervising
 * process, an API process and its embedded PostgreSQL server — in its own process group, so that
 * it can be stopped the ways a terminal, a service manager or the kernel stop it.
 */
class DefaultApi {
  readonly url: string;
  private output = '';
  private readonly exited: Promise<void>;
  readonly child;

  constructor(readonly dataDir: string, readonly port: number, readonly adminKey: string, extraEnv: Record<string, string> = {}) {
    this.url = `http://127.0.0.1:${port}`;
    const env: Record<string, string | undefined> = {
      ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', CANDOR_DATA_DIR: dataDir,
      CANDOR_ADMIN_KEY: adminKey, CANDOR_DEMO: '0', CANDOR_WEBHOOK_POLL_MS: '0', LOG_LEVEL: 'warn', ...extraEnv,
    };
    delete env.DATABASE_URL;
    this.child = spawn(process.execPath, ['api/dist/main.js'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
    this.exited = new Promise((done) => this.child.once('exit', () => done()));
  }

  static async start(dataDir: string, adminKey: string, env: Record<string, string> = {}): Promise<DefaultApi> {
    const api = new DefaultApi(dataDir, await freePort(), adminKey, env);
    await waitForOk(`${api.url}/readyz`, 60_000, { child: api.child, output: () => api.output, stop: async () => null });
    return api;
  }

  log(): string {
    return this.output;
  }

  /** The postmaster's pid, from the data directory's postmaster.pid. */
  postmaster(): number {
    return Number(readFileSync(join(this.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  }

  /** Sends `signal` to the whole process group (as Ctrl-C or `kill -TERM -<pgid>` do) and waits for the supervisor to exit. */
  async signalGroup(signal: NodeJS.Signals): Promise<void> {
    process.kill(-this.child.pid!, signal);
    await this.exited;
  }

  call(key: string, method: string, path: string, body?: unknown, type?: string) {
    return callApi(this.url, key, method, path, body, type);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function children(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the default database after every kind of stop', () => {
  let dataDir: string;
  const adminKey = `op_test_${randomBytes(16).toString('hex')}`;
  let brandKey: string;
  let api: DefaultApi | null = null;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'candor-stops-'));
    api = await DefaultApi.start(dataDir, adminKey);
    const created = await api.call(adminKey, 'POST', '/v1/brands', { slug: `stops-${randomBytes(3).toString('hex')}`, name: 'Stops', defaultLocale: 'en' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    brandKey = created.body.apiKey.key;
    expect((await api.call(brandKey, 'POST', '/v1/subjects', { externalId: 'before-stops', email: 'stops@example.com' })).status).toBe(201);
  });
  afterAll(async () => {
    if (api && api.child.exitCode === null) await api.signalGroup('SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts again on the same data directory: ready, and the data of the first start is there. */
  async function restart(): Promise<DefaultApi> {
    api = await DefaultApi.start(dataDir, adminKey);
    const found = await api.call(brandKey, 'GET', '/v1/subjects?externalId=before-stops');
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.data.map((s: { email: string }) => s.email)).toEqual(['stops@example.com']);
    return api;
  }

  it('refuses a second start on the same data while the first runs, and leaves the first serving', async () => {
    const server = api!.postmaster();
    const second = new DefaultApi(dataDir, await freePort(), adminKey);
    const code = await Promise.race([
      new Promise<number | null>((done) => second.child.once('exit', (c) => done(c))),
      new Promise<'running'>((done) => setTimeout(() => done('running'), 30_000)),
    ]);
    if (code === 'running') await second.signalGroup('SIGKILL');
    expect(code).not.toBe('running');
    expect(code).not.toBe(0);
    expect(second.log()).toContain(`is already running on ${dataDir}`);
    expect(api!.postmaster()).toBe(server);
    expect((await api!.call(brandKey, 'GET', '/v1/brand')).status).toBe(200);
  });

  it('starts again after Ctrl-C (SIGINT to the process group)', async () => {
    const server = api!.postmaster();
    await api!.signalGroup('SIGINT');
    await until(() => !alive(server), 30_000);
    await restart();
  });

  it('starts again after kill -TERM -<pgid>, with no socket left in the way', async () => {
    const server = api!.postmaster();
    await api!.signalGroup('SIGTERM');
    await until(() => !alive(server), 30_000);
    await restart();
  });

  it('starts again after SIGKILL of the API processes, stopping the server they left running', async () => {
    const server = api!.postmaster();
    const owner = parentOf(server); // the API process that started the server
    process.kill(owner, 'SIGKILL');
    process.kill(api!.child.pid!, 'SIGKILL');
    await until(() => !alive(owner) && api!.child.exitCode !== null || api!.child.signalCode !== null, 10_000);
    // The orphaned server still runs on the data directory, holding its socket.
    expect(alive(server)).toBe(true);
    const next = await restart();
    expect(alive(server)).toBe(false);
    expect(next.log()).toContain(`stopping the embedded PostgreSQL server (pid ${server})`);
  });

  it('starts again after SIGKILL of the whole process group (server included)', async () => {
    const server = api!.postmaster();
    await api!.signalGroup('SIGKILL');
    await until(() => !alive(server), 10_000);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);
    await restart();
  });

  it('starts again over a stale postmaster.pid that names a live process of another program', async () => {
    await api!.signalGroup('SIGTERM');
    // What a reboot or a container restart leaves: the pid in the file now belongs to someone else.
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(pidFile, `${sleeper.pid}\n${join(dataDir, 'postgres')}\n${Math.floor(Date.now() / 1000)}\n5432\n\n\n`);
      chmodSync(pidFile, 0o600);
      await restart();
      expect(alive(sleeper.pid!)).toBe(true); // not ours: left alone
    } finally {
      sleeper.kill();
    }
  });
});

describe('several API processes on the default database', () => {
  it('share the embedded server that their supervisor runs, which outlives a killed API process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'candor-workers-'));
    const adminKey = `op_test_${randomBytes(16).toString('hex')}`;
    const api = await DefaultApi.start(dataDir, adminKey, { CANDOR_WORKERS: '2' });
    try {
      const server = api.postmaster();
      expect(parentOf(server)).toBe(api.child.pid); // the supervisor owns the server
      const created = await api.call(adminKey, 'POST', '/v1/brands', { slug: `workers-${randomBytes(3).toString('hex')}`, name: 'Workers', defaultLocale: 'en' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const key = created.body.apiKey.key as string;
      const workers = children(api.child.pid!).filter((pid) => pid !== server);
      expect(workers).toHaveLength(2);
      process.kill(workers[0], 'SIGKILL');
      await until(() => !children(api.child.pid!).includes(workers[0]), 10_000); // reaped: the supervisor knows
      // The other process keeps serving; the supervisor replaces the killed one; the server never stopped.
      for (let i = 0; i < 20; i++) expect((await api.call(key, 'GET', '/v1/brand')).status).toBe(200);
      await until(() => children(api.child.pid!).length === 3, 30_000);
      expect(api.postmaster()).toBe(server);
      expect(alive(server)).toBe(true);
    } finally {
      const server = api.postmaster();
      await api.signalGroup('SIGTERM');
      await until(() => !alive(server), 30_000);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('bulk uploads on the default database', () => {
  let dataDir: string;
  const adminKey = `op_test_${randomBytes(16).toString('hex')}`;
  let api: DefaultApi | null = null;
  afterAll(async () => {
    if (api && api.child.exitCode === null) await api.signalGroup('SIGTERM');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes a 4,000-line import and a bulk erasure, keeps serving other brands, and keeps the data across a restart', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'candor-uploads-'));
    api = await DefaultApi.start(dataDir, adminKey);
    const brand = async (slug: string) => {
      const res = await api!.call(adminKey, 'POST', '/v1/brands', { slug: `${slug}-${randomBytes(3).toString('hex')}`, name: slug, defaultLocale: 'en' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.apiKey.key as string;
    };
    const key = await brand('uploads');
    const other = await brand('bystander');
    const lines = 4000;
    const people = Array.from({ length: lines }, (_, i) => `{"type":"subject","externalId":"up-${i}","email":"up${i}@example.com"}`).join('\n') + '\n';
    const imported = await api.call(key, 'POST', '/v1/imports', people, 'application/x-ndjson');
    expect(imported.status, JSON.stringify(imported.body)).toBeLessThan(300);
    let job = imported.body;
    for (let i = 0; i < 600 && job.status !== 'completed' && job.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await api.call(key, 'GET', `/v1/imports/${imported.body.id}`)).body;
    }
    expect(job).toMatchObject({ status: 'completed', rowsDone: lines });

    const erase = Array.from({ length: 1000 }, (_, i) => `{"externalId":"up-${i}"}`).join('\n') + '\n';
    const accepted = await api.call(key, 'POST', '/v1/erasure-jobs', erase, 'application/x-ndjson');
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    let erasure = accepted.body;
    for (let i = 0; i < 600 && erasure.status !== 'completed' && erasure.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      erasure = (await api.call(key, 'GET', `/v1/erasure-jobs/${accepted.body.id}`)).body;
    }
    expect(erasure).toMatchObject({ status: 'completed', erased: 1000, rowsRejected: 0 });

    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    expect((await api.call(other, 'GET', '/v1/brand')).status).toBe(200);
    expect((await api.call(key, 'GET', '/v1/subjects?externalId=up-3999')).body.data).toHaveLength(1);

    await api.signalGroup('SIGTERM');
    api = await DefaultApi.start(dataDir, adminKey);
    const kept = await api.call(key, 'GET', '/v1/subjects?externalId=up-3999');
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(kept.body.data.map((s: { email: string }) => s.email)).toEqual(['up3999@example.com']);
    expect((await api.call(key, 'GET', '/v1/subjects?externalId=up-0')).body.data).toEqual([]); // erased: gone from lookups
    expect((await api.call(key, 'GET', `/v1/erasure-jobs/${accepted.body.id}`)).body).toMatchObject({ status: 'completed', erased: 1000 });
  });
});

describe('running as root', () => {
  it.runIf(process.getuid?.() === 0)('explains that the postgres user cannot reach a data folder inside a private one, instead of failing obscurely', async () => {
    const closed = mkdtempSync(join(tmpdir(), 'candor-private-')); // mode 700
    try {
      await expect(startApi({ embedded: true, dataDir: join(closed, 'data') })).rejects.toThrow(`cannot reach ${join(closed, 'data')} (${closed} does not let others through)`);
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });
});

describe('the data folder of an earlier version', () => {
  it('says once, at start, that the old PGlite folder is no longer used and can be deleted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'candor-legacy-'));
    mkdirSync(join(dataDir, 'pgdata'));
    const said: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (said.push(String(chunk)), true));
    try {
      const api = await startApi({ embedded: true, dataDir });
      await api.close();
    } finally {
      spy.mockRestore();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const notices = said.filter((line) => line.includes(`${join(dataDir, 'pgdata')} holds the embedded database of an earlier Candor version (PGlite); it is no longer used and can be deleted`));
    expect(notices).toHaveLength(1);
  });
});

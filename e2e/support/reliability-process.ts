import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort, REPO_ROOT, waitForOk } from './processes';

/** Compiles the API (incremental: a no-op when api/dist is current) so tests can run `node api/dist/main.js`. */
export function buildApi(): void {
  execFileSync(process.execPath, [resolve(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: REPO_ROOT, stdio: 'pipe' });
}

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr. */
  output(): string;
  /** SIGKILL: no shutdown hooks, no flushing — a crash. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProcessSecrets {
  adminKey: string;
  masterKey: string;
}

export const newSecrets = (): ProcessSecrets => ({ adminKey: `op_${randomBytes(18).toString('hex')}`, masterKey: randomBytes(32).toString('base64') });

/** Starts the built API as its own process on `databaseUrl` and waits until it is ready. */
export async function spawnApi(databaseUrl: string, secrets: ProcessSecrets, env: Record<string, string> = {}): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'api/dist/main.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      CANDOR_DEMO: '0',
      CANDOR_WORKERS: '1',
      CANDOR_ADMIN_KEY: secrets.adminKey,
      CANDOR_MASTER_KEY: secrets.masterKey,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const running = { child, output: () => output, stop: async () => null };
  await waitForOk(`${url}/readyz`, 60_000, running as never);
  return {
    url,
    child,
    output: () => output,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** fetch with a bearer token and JSON, returning status and parsed body (never throws on HTTP errors). */
export async function jsonCall(url: string, method: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

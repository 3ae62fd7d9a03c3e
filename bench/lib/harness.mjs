// What every benchmark case needs: a scratch database on the shared PostgreSQL, API processes
// started the way production starts them, load generation with autocannon and RSS sampling.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

export function databaseUrl(name) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a scratch database, migrates it with the API's own migrate command, and returns it. */
export async function scratchDatabase() {
  const name = `candor_bench_${randomBytes(5).toString('hex')}`;
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(name);
  const migrated = spawnSync(process.execPath, [join(ROOT, 'api/dist/cli/migrate.js')], {
    env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'production', CANDOR_ADMIN_KEY: 'x'.repeat(32), CANDOR_MASTER_KEY: randomBytes(32).toString('base64') },
    encoding: 'utf8',
  });
  if (migrated.status !== 0) throw new Error(`migration failed: ${migrated.stderr}`);
  return {
    name,
    url,
    drop: () => withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

export async function waitForOk(url, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (child && child.exitCode !== null) throw new Error(`process exited before ${url} answered`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every process the run started and has not stopped: killed if the run itself is interrupted. */
export const children = new Set();

/** Starts a Node script as a child process and waits until `healthUrl` answers. */
export async function startProcess(script, env, healthUrl) {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
    if (process.env.BENCH_TRACE) process.stderr.write(d);
  });
  try {
    await waitForOk(healthUrl, 60_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${stderr}`);
  }
  return {
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The API as production runs it: built, `NODE_ENV=production`, request logs above info off. */
export async function startApi(db, { workers = 1, env = {} } = {}) {
  const port = await freePort();
  const adminKey = `op_bench_${randomBytes(16).toString('hex')}`;
  const api = await startProcess(
    join(ROOT, 'api/dist/main.js'),
    {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      CANDOR_ADMIN_KEY: adminKey,
      CANDOR_MASTER_KEY: process.env.BENCH_MASTER_KEY,
      CANDOR_DEMO: '0',
      CANDOR_WORKERS: String(workers),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      // The limiter still runs on every request; a load generator with one key must not trip it.
      CANDOR_RATE_LIMIT: '100000000',
      ...env,
    },
    `http://127.0.0.1:${port}/healthz`,
  );
  return { ...api, port, adminKey, url: `http://127.0.0.1:${port}` };
}

/** Direct children's and own RSS in bytes, per process (the primary of a cluster and its workers). */
export function processTreeRss(pid) {
  const pids = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    pids.push(...children);
  } catch {
    // no children file: just the process
  }
  return pids.map((p) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return { pid: p, rss: kb * 1024 };
    } catch {
      return { pid: p, rss: 0 };
    }
  });
}

/**
 * Runs autocannon against `url` with `paths` cycled across requests, sampling the RSS of `pid`'s
 * process tree every 250 ms. Returns throughput, latency percentiles, errors and peak RSS.
 */
export async function load({ url, paths, headers = {}, connections = 50, duration, pid }) {
  let peakRss = 0;
  const sampler = pid
    ? setInterval(() => {
        for (const p of processTreeRss(pid)) peakRss = Math.max(peakRss, p.rss);
      }, 250)
    : null;
  let i = 0;
  const result = await autocannon({
    url,
    connections,
    duration,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  if (sampler) clearInterval(sampler);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
    peakRssMb: pid ? peakRss / 1024 / 1024 : NaN,
  };
}

/** JSON over HTTP with a bearer key; throws with the body on an unexpected status. */
export async function call(baseUrl, key, method, path, body, expected = [200, 201]) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!expected.includes(res.status)) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

#!/usr/bin/env node
// The one entry point behind `npm start`, `npm test` and friends. It runs on whatever Node the
// machine has: when that is older than the project needs, it installs Node 24 from the npm
// registry into .candor/toolchain and re-runs itself there; then it installs dependencies when
// they are missing or stale, builds what changed, and runs the command.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolchain = join(root, '.candor', 'toolchain');
const [command = 'help', ...rest] = process.argv.slice(2);
const MIN_NODE = [22, 18];

function log(message) {
  process.stderr.write(`[candor] ${message}\n`);
}

function nodeIsRecentEnough(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    log(`${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function ensureNode() {
  if (nodeIsRecentEnough(process.version)) return;
  const node = join(toolchain, 'bin', 'node');
  const probe = existsSync(node) ? spawnSync(node, ['--version'], { encoding: 'utf8' }) : null;
  if (!probe || probe.status !== 0 || !nodeIsRecentEnough(probe.stdout.trim())) {
    log(`Node ${process.version} is too old; installing Node 24 from the npm registry into ${toolchain}`);
    run('npm', ['install', '--global', '--prefix', toolchain, '--no-audit', '--no-fund', 'node@24']);
  }
  const env = { ...process.env, PATH: `${join(toolchain, 'bin')}:${process.env.PATH}` };
  const child = spawnSync(node, [fileURLToPath(import.meta.url), command, ...rest], { stdio: 'inherit', env });
  process.exit(child.status ?? 1);
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const manifests = ['package.json', 'api/package.json', 'portal/package.json', 'migrations/package.json', 'e2e/package.json', 'sdk/package.json'];
  const wanted = Math.max(newestMtime(lock), ...manifests.map((m) => newestMtime(join(root, m))));
  if (existsSync(marker) && statSync(marker).mtimeMs >= wanted) return;
  log('installing dependencies');
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

function buildApi() {
  run('npx', ['tsc', '-b']);
}

/**
 * Builds the portal when it or the API contract changed. The portal's build regenerates its typed
 * API client from docs/openapi.json and type-checks every .ts file before `astro build`, so a
 * contract change the portal does not handle fails here, not in a customer's browser.
 */
function buildPortal() {
  const dist = join(root, 'portal', 'dist', 'server', 'entry.mjs');
  const inputs = ['portal/src', 'portal/public', 'portal/astro.config.mjs', 'portal/package.json', 'portal/tsconfig.json', 'docs/openapi.json'];
  const sources = Math.max(...inputs.map((input) => newestMtime(join(root, input))));
  if (existsSync(dist) && statSync(dist).mtimeMs >= sources) return;
  log('building the portal (typed API client from docs/openapi.json, type check, astro build)');
  run('npm', ['run', 'build', '--workspace', 'portal']);
}

/**
 * Builds @candor/sdk when it or the API contract changed: its build generates the typed client
 * (every operation, request and response type) from docs/openapi.json and compiles it with the
 * hand-written layer, so the SDK always matches the document in the repository.
 */
function buildSdk() {
  const dist = join(root, 'sdk', 'dist', 'index.js');
  const inputs = ['sdk/src', 'sdk/scripts', 'sdk/openapi-ts.config.ts', 'sdk/package.json', 'sdk/tsconfig.json', 'docs/openapi.json'];
  const sources = Math.max(...inputs.map((input) => newestMtime(join(root, input))));
  if (existsSync(dist) && statSync(dist).mtimeMs >= sources) return;
  log('building the SDK (typed client generated from docs/openapi.json)');
  run('npm', ['run', 'build', '--workspace', 'sdk']);
}

function serve(processes) {
  const children = [];
  let stopping = false;
  const add = ({ name, args, env }) => {
    if (stopping) return;
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      log(`${name} stopped (${signal ?? `exit ${code}`}); stopping the rest`);
      stop(code ?? 1);
    });
    children.push(child);
  };
  const stop = (code = 0) => {
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 3000).unref();
    Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  for (const p of processes) add(p);
  return { add };
}

/**
 * The secret the portal sends with its API calls so the API trusts the visitor address it forwards
 * (per-visitor rate limits). Unless CANDOR_PORTAL_SECRET is set, it is generated once and kept with
 * the other generated secrets in the data directory's secrets.json (the API reads the same file),
 * and handed to both processes.
 */
function portalSecret(dataDir) {
  if (process.env.CANDOR_PORTAL_SECRET?.trim()) return process.env.CANDOR_PORTAL_SECRET.trim();
  const file = join(dataDir, 'secrets.json');
  const stored = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (!stored.portalSecret) {
    stored.portalSecret = randomBytes(24).toString('base64url');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return stored.portalSecret;
}

const apiPort = process.env.PORT ?? '3000';
const portalPort = process.env.PORTAL_PORT ?? '4321';
const dataDir = resolve(process.env.CANDOR_DATA_DIR ?? join(root, '.candor'));
// Links the API writes (magic links, portal links, the banner's) point at the portal this command serves.
const api = { name: 'API', args: ['api/dist/main.js'], env: { CANDOR_DATA_DIR: dataDir, PORTAL_URL: process.env.PORTAL_URL ?? `http://localhost:${portalPort}` } };
const portal = {
  name: 'portal',
  args: ['portal/server.mjs'],
  env: { HOST: process.env.PORTAL_HOST ?? '0.0.0.0', PORT: portalPort, API_URL: process.env.API_URL ?? `http://127.0.0.1:${apiPort}` },
};
/** Only the serving commands need the secret (and may create the data directory). */
function withPortalSecret(...processes) {
  const secret = portalSecret(dataDir);
  for (const p of processes) p.env.CANDOR_PORTAL_SECRET = secret;
  return processes;
}

const commands = {
  start() {
    buildApi();
    buildPortal();
    // Both start at once; the API waits for the portal to answer before it prints its banner
    // (URLs, keys, portal links), so the banner is the last thing start-up prints.
    api.env.CANDOR_BANNER_AFTER = `http://127.0.0.1:${portalPort}/healthz`;
    serve(withPortalSecret(api, portal));
  },
  'start:api'() {
    buildApi();
    serve(withPortalSecret(api));
  },
  'start:portal'() {
    buildPortal();
    serve(withPortalSecret(portal));
  },
  build() {
    buildApi();
    buildPortal();
    buildSdk();
  },
  migrate() {
    buildApi();
    run(process.execPath, ['api/dist/cli/migrate.js'], { env: { ...process.env, ...api.env } });
  },
  openapi() {
    buildApi();
    run(process.execPath, ['api/dist/cli/openapi.js']);
  },
  bench() {
    // Seeds, measures and drops a scratch database on BENCH_DATABASE_URL's server; writes docs/benchmarks.md.
    buildApi();
    run(process.execPath, ['bench/run.mjs', ...rest]);
  },
  test() {
    buildApi();
    buildPortal();
    buildSdk();
    run('npx', ['vitest', 'run', ...rest], { env: { ...process.env, NODE_ENV: 'test' } });
  },
  help() {
    log('usage: npm start | npm run start:api | npm run start:portal | npm test | npm run migrate | npm run openapi | npm run build | npm run bench');
  },
};

ensureNode();
if (!commands[command]) {
  commands.help();
  process.exit(1);
}
ensureDependencies();
commands[command]();

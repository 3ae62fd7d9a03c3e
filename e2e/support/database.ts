import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { inject } from 'vitest';

/**
 * Tests run against a real PostgreSQL: a server (`TEST_DATABASE_URL`, else the local one at
 * 127.0.0.1:5432) or, when none answers and in the `api-embedded` project, the embedded server
 * Candor's own `npm start` runs. The global setup picks it and hands its maintenance database's
 * URL to the tests (`inject('adminDatabaseUrl')`). Migrations run once per test run into a
 * template database; each test file clones its own from it.
 */
export function adminUrl(): string {
  return inject('adminDatabaseUrl');
}

/** The URL of database `name` on the server of `admin`. */
export function databaseUrl(name: string, admin = adminUrl()): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(work: (client: Client) => Promise<T>, url = adminUrl()): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Tests need a PostgreSQL server at ${redact(url)} (set TEST_DATABASE_URL to use another): ${(error as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

/** Clones the run's migrated template into a fresh database and returns its URL. */
export async function cloneTemplate(template: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `candor_t_${testDatabaseStamp()}_${randomBytes(6).toString('hex')}`;
  const admin = adminUrl();
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`), admin);
  return {
    url: databaseUrl(name, admin),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`), admin).then(() => undefined),
  };
}

/**
 * The data of every table of a database as text (COPY format, tab-separated). `pg_dump
 * --data-only` writes it when the machine's pg_dump can read the server (it refuses a newer
 * major version, such as the embedded server's 18 with Debian's 15); otherwise every table the
 * catalog lists, in every schema but the system's, is copied out the same way.
 */
export async function dataDump(url: string, table?: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const serverMajor = Number((await client.query('SHOW server_version_num')).rows[0].server_version_num) / 10000 | 0;
    let dumpMajor = 0;
    try {
      dumpMajor = Number(/(\d+)/.exec(execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }))?.[1]);
    } catch {
      // no pg_dump on this machine
    }
    if (dumpMajor >= serverMajor) return execFileSync('pg_dump', ['--data-only', ...(table ? [`--table=${table}`] : []), url], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const { rows: tables } = await client.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' AND ($1::text IS NULL OR c.relname = $1) ORDER BY 1`,
      [table ?? null],
    );
    const parts: string[] = [];
    for (const { name } of tables) {
      // Each row as COPY writes it: columns tab-separated, \N for NULL, bytea in hex.
      const { rows: copy } = await client.query(
        `SELECT coalesce(string_agg(line, E'\\n'), '') AS text FROM (SELECT array_to_string(array(SELECT coalesce(value, '\\N') FROM json_each_text(row_to_json(t))), E'\\t') AS line FROM ${name} t) x`,
      );
      parts.push(`-- ${name}\n${copy[0].text}`);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

/** Test database names carry their creation time (seconds, base 36) so cleanup can tell stale from new. */
export function testDatabaseStamp(now = Date.now()): string {
  return Math.floor(now / 1000).toString(36);
}

const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/** A test database left by a run that ended long ago (or named before names carried a time). */
export function isStaleTestDatabase(name: string, now = Date.now()): boolean {
  // candor_t_… (a file's clone) and candor_tpl_… (a run's template).
  const stamp = /^candor_(?:t|tpl)_([0-9a-z]+)_[0-9a-f]+$/.exec(name)?.[1];
  if (!stamp) return true;
  return now - parseInt(stamp, 36) * 1000 > STALE_AFTER_MS;
}

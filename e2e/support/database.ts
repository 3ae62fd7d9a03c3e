import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Tests run against a real PostgreSQL. `TEST_DATABASE_URL` names a server and a maintenance
 * database on it (the default is the local one: postgres@127.0.0.1:5432/postgres). Migrations run
 * once per test run into a template database; each test file clones its own from it.
 */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(work: (client: Client) => Promise<T>, url = ADMIN_URL): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Tests need a PostgreSQL server at ${url} (set TEST_DATABASE_URL to use another): ${(error as Error).message}`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Clones the run's migrated template into a fresh database and returns its URL. */
export async function cloneTemplate(template: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `candor_t_${testDatabaseStamp()}_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    url: databaseUrl(name),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Test database names carry their creation time (seconds, base 36) so cleanup can tell stale from new. */
export function testDatabaseStamp(now = Date.now()): string {
  return Math.floor(now / 1000).toString(36);
}

const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

/** A test database left by a run that ended long ago (or named before names carried a time). */
export function isStaleTestDatabase(name: string, now = Date.now()): boolean {
  const stamp = /^candor_tpl?_([0-9a-z]+)_[0-9a-f]+$/.exec(name)?.[1];
  if (!stamp) return true;
  return now - parseInt(stamp, 36) * 1000 > STALE_AFTER_MS;
}

import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDataSource, runMigrations } from '../../api/src/common/database/data-source';
import { startEmbeddedPostgres } from '../../api/src/common/database/embedded-postgres';
import { databaseUrl, isStaleTestDatabase, testDatabaseStamp, withAdmin } from './database';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The maintenance database of the run's server: tests create and drop their databases through it. */
    adminDatabaseUrl: string;
    templateDatabase: string;
    /** `server` (TEST_DATABASE_URL or the local server) or `embedded` (Candor's own embedded server). */
    databaseMode: 'server' | 'embedded';
  }
}

/** Picks the run's PostgreSQL (see `testServer`), and creates its template database, migrated once; test files clone it. */
export default function setup(project: TestProject) {
  return setupDatabase(project, 'auto');
}

/**
 * `embedded`: the embedded PostgreSQL that `npm start` runs, started with Candor's own code in a
 * scratch folder. `auto`: `TEST_DATABASE_URL` when set; else the server on 127.0.0.1:5432 (or
 * `CANDOR_TEST_SERVER_PROBE`, host:port) if one answers there; else the embedded one, so
 * `npm test` needs no PostgreSQL installed.
 */
export async function setupDatabase(project: TestProject, mode: 'auto' | 'embedded') {
  const server = await testServer(project, mode);
  const admin = server.adminUrl;
  const template = `candor_tpl_${testDatabaseStamp()}_${randomBytes(5).toString('hex')}`;
  try {
    await withAdmin(async (c) => {
      // Leftovers of interrupted runs. Other runs may be going on at the same time on the same
      // server, and a database they just created has no connection yet: only stale ones go.
      const { rows } = await c.query(
        `SELECT datname FROM pg_database WHERE datname LIKE 'candor\\_t\\_%' OR datname LIKE 'candor\\_tpl\\_%'`,
      );
      for (const { datname } of rows) {
        if (!isStaleTestDatabase(datname)) continue;
        const age = await c.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1`, [datname]);
        if (!age.rowCount) await c.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => undefined);
      }
      await c.query(`CREATE DATABASE ${template}`);
    }, admin);
    const ds = createDataSource(databaseUrl(template, admin), { poolSize: 1 });
    await ds.initialize();
    try {
      await runMigrations(ds);
    } finally {
      await ds.destroy();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  project.provide('adminDatabaseUrl', admin);
  project.provide('templateDatabase', template);
  project.provide('databaseMode', server.mode);
  return async () => {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`), admin).catch(() => undefined);
    await server.stop();
  };
}

async function testServer(project: TestProject, mode: 'auto' | 'embedded'): Promise<{ adminUrl: string; mode: 'server' | 'embedded'; stop(): Promise<void> }> {
  const probe = process.env.CANDOR_TEST_SERVER_PROBE ?? '127.0.0.1:5432';
  if (mode === 'auto') {
    if (process.env.TEST_DATABASE_URL) return { adminUrl: process.env.TEST_DATABASE_URL, mode: 'server', stop: async () => undefined };
    const [host, port] = probe.split(':');
    if (await answers(host, Number(port))) return { adminUrl: `postgres://postgres@${host}:${port}/postgres`, mode: 'server', stop: async () => undefined };
  }
  process.stderr.write(
    mode === 'embedded'
      ? `[${project.name}] tests run on an embedded PostgreSQL started by Candor's own code\n`
      : `[${project.name}] no PostgreSQL answers on ${probe} and TEST_DATABASE_URL is unset: tests run on an embedded PostgreSQL\n`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'candor-testdb-'));
  chmodSync(dataDir, 0o711);
  // Throwaway data: no need to wait for the disk.
  const embedded = await startEmbeddedPostgres(dataDir, { settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
  return {
    adminUrl: embedded.adminUrl,
    mode: 'embedded',
    async stop() {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host, () => finish(true));
  });
}

import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { createDataSource, runMigrations } from '../../api/src/common/database/data-source';
import { databaseUrl, isStaleTestDatabase, testDatabaseStamp, withAdmin } from './database';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/** Creates this run's template database, migrated once; test files clone it. */
export default async function setup(project: TestProject) {
  const template = `candor_tpl_${testDatabaseStamp()}_${randomBytes(5).toString('hex')}`;
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
  });
  const ds = createDataSource(databaseUrl(template), { poolSize: 1 });
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
  project.provide('templateDatabase', template);
  return async () => {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`));
  };
}

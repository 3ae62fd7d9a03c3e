import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { migrations } from '@candor/migrations';
import { ENTITIES } from './entities';

/**
 * The one data source definition, shared by the API and the migrate command. Schema changes come
 * only from reviewed migrations: `synchronize` is off.
 */
export function dataSourceOptions(url: string, opts: { poolSize?: number } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    logging: false,
    poolSize: opts.poolSize ?? 10,
    extra: { connectionTimeoutMillis: 10_000, application_name: 'candor-api' },
  };
}

export function createDataSource(url: string, opts: { poolSize?: number } = {}): DataSource {
  return new DataSource(dataSourceOptions(url, opts));
}

/**
 * Runs pending migrations in one transaction, one process at a time: a session advisory lock on
 * the same connection keeps several API processes starting together from racing.
 */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(8675309)');
    const executor = new MigrationExecutor(ds, runner);
    executor.transaction = 'all';
    const done = await executor.executePendingMigrations();
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(8675309)').catch(() => undefined);
    await runner.release();
  }
}

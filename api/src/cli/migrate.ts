import 'reflect-metadata';
import { loadConfig } from '../config/config';
import { createDataSource, runMigrations } from '../common/database/data-source';
import { startEmbeddedPostgres } from '../common/database/embedded-postgres';

/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
async function main(): Promise<void> {
  const config = loadConfig();
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir);
  const ds = createDataSource(config.databaseUrl ?? embedded!.url);
  try {
    await ds.initialize();
    const applied = await runMigrations(ds);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
  } finally {
    await ds.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`Migration failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});

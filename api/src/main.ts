import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config';
import { createCandorApp } from './app.factory';
import { DemoSeeder } from './modules/demo/demo.seeder';

async function main(): Promise<void> {
  const config = loadConfig();
  const candor = await createCandorApp(config);
  let demo: string[] = [];
  if (config.demo) demo = await candor.app.get(DemoSeeder).seed();
  await candor.app.listen(config.port, process.env.HOST ?? '0.0.0.0');
  const url = (await candor.app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');

  // Human-readable banner on stderr; the structured logs stay on stdout.
  const lines = [
    '',
    'Candor is running',
    `  API          ${url}`,
    `  Swagger UI   ${url}/docs`,
    `  OpenAPI      ${url}/openapi.json`,
    `  Portal       ${config.portalUrl}`,
    `  Database     ${candor.embedded ? `embedded (${config.dataDir}/pgdata)` : 'PostgreSQL from DATABASE_URL'}`,
    `  Operator key ${config.adminKeyGenerated ? `${config.adminKey}  (generated; kept in ${config.dataDir}/secrets.json)` : '(from CANDOR_ADMIN_KEY)'}`,
    ...demo,
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');

  const stop = async () => {
    await candor.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Candor failed to start: ${error?.stack ?? error}\n`);
  process.exit(1);
});

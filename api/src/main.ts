import 'reflect-metadata';
import cluster from 'node:cluster';
import { join } from 'node:path';
import { supervise } from './cluster';
import { ConfigError, HEAP_FLAG, loadConfig } from './config/config';

// V8 sizes its heap from the machine's memory (young generation up to 3 × 32 MB, old generation up
// to a quarter of RAM) and, with that much room, lets garbage pile up: under a steady decision load
// an API process grew past 280 MB. 8 MB semi-spaces and a 256 MB old generation keep it under
// 200 MB at the same throughput (docs/benchmarks.md), with room for a large export. V8 takes these
// only at start, so unless the operator passes their own (NODE_OPTIONS or node's arguments), the
// API runs in a worker process started with them.
const MEMORY_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=256'];

async function main(): Promise<void> {
  const config = loadConfig();
  const memoryFlagGiven = config.process.heapSizedInNodeOptions || process.execArgv.some((a) => HEAP_FLAG.test(a));
  if (cluster.isPrimary) {
    const count = config.workers;
    if (count > 1 || !memoryFlagGiven) {
      // Without DATABASE_URL, this supervising process owns the embedded PostgreSQL server: the
      // API processes connect to it, it outlives a crashed one, and it stops after the last.
      const embedded = config.databaseUrl ? null : await (await import('./common/database/embedded-postgres.js')).startEmbeddedPostgres(config.dataDir);
      const env: Record<string, string> = embedded ? { CANDOR_EMBEDDED_DATABASE_URL: embedded.url } : {};
      supervise(count, memoryFlagGiven ? [] : MEMORY_FLAGS, { env, onStopped: async () => embedded?.stop() });
      return;
    }
  } else {
    // A worker never outlives its supervisor (killed or crashed): it stops with it.
    process.on('disconnect', () => process.exit(1));
  }
  // In a cluster, the first worker seeds the demo and prints the banner; the rest just serve.
  const first = cluster.isPrimary || config.process.firstWorker;
  // Loaded here, not above: a supervising process never needs the application's modules.
  const { createCandorApp } = await import('./app.factory.js');
  const { DemoSeeder } = await import('./modules/demo/demo.seeder.js');
  // An API process of a supervisor that runs the embedded database connects to that server.
  const candor = await createCandorApp(config, { databaseUrl: config.process.embeddedDatabaseUrl ?? undefined });
  let demo: string[] = [];
  if (config.demo && first) demo = await candor.app.get(DemoSeeder).seed();
  await candor.app.listen(config.port, config.host);
  if (!first) return installStop(candor);
  const url = (await candor.app.getUrl()).replace('[::1]', 'localhost').replace('0.0.0.0', 'localhost').replace('127.0.0.1', 'localhost');
  const links = config.demo ? await candor.app.get(DemoSeeder).portalLinks() : [];
  // `npm start` names the portal it starts alongside: its start-up lines come before the banner.
  if (config.process.bannerAfter) await answered(config.process.bannerAfter, 30_000);

  // Human-readable banner on stderr, after every start-up log line; the structured logs stay on stdout.
  const lines = [
    '',
    'Candor is running',
    `  API          ${url}`,
    `  Swagger UI   ${url}/docs`,
    `  OpenAPI      ${url}/openapi.json`,
    `  Portal       ${config.portalUrl}`,
    `  Database     ${config.databaseUrl ? 'PostgreSQL from DATABASE_URL' : `embedded PostgreSQL (${join(config.dataDir, 'postgres')})`}`,
    `  Operator key ${config.adminKeyGenerated ? `${config.adminKey}  (generated; kept in ${config.dataDir}/secrets.json)` : '(from CANDOR_ADMIN_KEY)'}`,
    ...demo,
  ];
  if (config.workers > 1) lines.push(`  Processes    ${config.workers} (CANDOR_WORKERS)`);
  if (links.length) {
    lines.push('', 'Open the portal as a demo customer (one-time links; each works once, for 72 hours):');
    const width = Math.max(...links.map((l) => `${l.brand}, ${l.email}`.length));
    for (const link of links) lines.push(`  ${`${link.brand}, ${link.email}`.padEnd(width)}  ${link.url}`);
  }
  lines.push('', 'Try the API:', `  ${tryItCommand(url, config, demo)}`, '');
  process.stderr.write(lines.join('\n') + '\n');
  installStop(candor);
}

/**
 * A command to copy and paste: the first demo brand's subjects with its key (printed above on the
 * first start, read back from demo-keys.txt afterwards); without demo data, the operator creating
 * a brand.
 */
function tryItCommand(url: string, config: { demo: boolean; dataDir: string; databaseUrl: string | null; adminKey: string; adminKeyGenerated: boolean }, demo: string[]): string {
  if (config.demo) {
    const key = /\(calm-harbor\) API key (cnd_\S+)/.exec(demo.join('\n'))?.[1];
    const header = key
      ? key
      : config.databaseUrl
        ? 'cnd_…'
        : `$(awk '/calm-harbor/ {print $NF}' ${join(config.dataDir, 'demo-keys.txt')})`;
    return `curl -s ${url}/v1/subjects -H "Authorization: Bearer ${header}"`;
  }
  const operator = config.adminKeyGenerated ? config.adminKey : '$CANDOR_ADMIN_KEY';
  return `curl -s -X POST ${url}/v1/brands -H "Authorization: Bearer ${operator}" -H 'Content-Type: application/json' -d '{"slug":"my-brand","name":"My Brand","defaultLocale":"en"}'`;
}

/** Resolves once `url` answers 200, or after `ms` (the banner is printed either way). */
async function answered(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function installStop(candor: { close(): Promise<void> }): void {
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

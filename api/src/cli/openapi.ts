import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderOpenApi } from '../openapi-document';

/** `npm run openapi`: writes docs/openapi.json from the code (no database needed). */
async function main(): Promise<void> {
  const target = resolve(__dirname, '../../../docs/openapi.json');
  writeFileSync(target, await renderOpenApi());
  process.stdout.write(`Wrote ${target}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});

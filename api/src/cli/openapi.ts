import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXPORT_SCHEMA } from '../modules/privacy-requests/export-schema';
import { renderOpenApi } from '../openapi-document';

/** `npm run openapi`: writes docs/openapi.json and docs/export.schema.json from the code (no database needed). */
async function main(): Promise<void> {
  const docs = resolve(__dirname, '../../../docs');
  writeFileSync(resolve(docs, 'openapi.json'), await renderOpenApi());
  writeFileSync(resolve(docs, 'export.schema.json'), JSON.stringify(EXPORT_SCHEMA, null, 2) + '\n');
  process.stdout.write(`Wrote ${docs}/openapi.json and ${docs}/export.schema.json\n`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});

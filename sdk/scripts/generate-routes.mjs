#!/usr/bin/env node
// The facts about operations the hand-written layer needs at run time and that a generated type
// cannot carry, read from the same docs/openapi.json the generated client comes from:
// - which writes take an `Idempotency-Key` header (the SDK adds one, and only these writes are
//   retried after a 503 or a lost connection);
// - which routes take an NDJSON upload (their bodies are streamed, never buffered for a retry).
// Written to src/generated/routes.gen.ts, next to the client, on every build.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = join(dirname(fileURLToPath(import.meta.url)), '..');
const document = JSON.parse(readFileSync(join(sdk, '..', 'docs', 'openapi.json'), 'utf8'));
const WRITES = ['post', 'put', 'patch', 'delete'];

/** Follows a local `$ref` (`#/components/parameters/…`). */
function resolve(node) {
  if (!node?.$ref) return node;
  return node.$ref
    .slice(2)
    .split('/')
    .reduce((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
}

const idempotent = [];
const uploads = [];
for (const [path, item] of Object.entries(document.paths ?? {})) {
  const shared = item.parameters ?? [];
  for (const method of WRITES) {
    const operation = item[method];
    if (!operation) continue;
    const route = `${method.toUpperCase()} ${path}`;
    const parameters = [...shared, ...(operation.parameters ?? [])].map(resolve);
    if (parameters.some((p) => p?.in === 'header' && p.name.toLowerCase() === 'idempotency-key')) idempotent.push(route);
    const content = Object.keys(resolve(operation.requestBody)?.content ?? {});
    if (content.some((type) => /ndjson|jsonl|json-lines/.test(type))) uploads.push(route);
  }
}

const list = (routes) => (routes.length ? `\n${routes.map((r) => `  ${JSON.stringify(r)},`).join('\n')}\n` : '');
const source = `// This file is generated from docs/openapi.json by scripts/generate-routes.mjs; do not edit.

/** Writes (\`METHOD /path/{template}\`) whose operation takes an \`Idempotency-Key\` header. */
export const IDEMPOTENCY_KEY_ROUTES: ReadonlySet<string> = new Set([${list(idempotent)}]);

/** Routes whose request body is an NDJSON upload. */
export const UPLOAD_ROUTES: ReadonlySet<string> = new Set([${list(uploads)}]);
`;
mkdirSync(join(sdk, 'src', 'generated'), { recursive: true });
writeFileSync(join(sdk, 'src', 'generated', 'routes.gen.ts'), source);

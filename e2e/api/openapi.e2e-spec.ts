import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../api/src/openapi-document';

describe('docs/openapi.json', () => {
  it('matches the document generated from the code (run `npm run openapi` after changing the API)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8');
    expect(committed).toBe(await renderOpenApi());
  });
});

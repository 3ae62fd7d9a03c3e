import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../api/src/openapi-document';

describe('docs/openapi.json', () => {
  it('matches the document generated from the code (run `npm run openapi` after changing the API)', async () => {
    const committed = readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8');
    expect(committed).toBe(await renderOpenApi());
  });
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8'));
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });
});

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, grant, recordFact, TestBrand } from '../support/factories';

/**
 * UUIDs are case-insensitive (RFC 9562). An integration that stores a customer's id in upper case
 * (some databases and languages print UUIDs that way) names the same customer as one that stores
 * it in lower case: every route answers it the same way, and never with a server error.
 */

let api: TestApi;
let brand: TestBrand;
/** A second brand, the same as the first, where the upper-case calls go (examples name fixed identifiers). */
let twin: TestBrand;
const tag = () => randomBytes(4).toString('hex');

beforeAll(async () => {
  api = await startApi();
  brand = await createBrand(api, 'Kitchen Atelier');
  twin = await createBrand(api, 'Kitchen Atelier');
  for (const b of [brand, twin]) for (const p of ['email_marketing', 'personalization', 'customer_care', 'order_updates']) await adoptPurpose(api, b, p);
});
afterAll(async () => {
  await api?.close();
});

/** A customer with something on every route to read: consents, a declared fact, an email. */
async function customer(of: TestBrand = brand): Promise<string> {
  const { id } = await createSubject(api, of, { email: `case.${tag()}@example.com` });
  await grant(api, of, id, 'email_marketing');
  await grant(api, of, id, 'personalization');
  await recordFact(api, of, id, { key: 'motivation', value: 'sleep_better', category: 'motivations' });
  return id;
}

/** The example with every `subjectId` (at any depth) naming `subjectId`, and `fromSubjectId` naming `fromId`. */
function withIds(example: unknown, subjectId: string, fromId: string): unknown {
  if (Array.isArray(example)) return example.map((item) => withIds(item, subjectId, fromId));
  if (example === null || typeof example !== 'object') return example;
  return Object.fromEntries(
    Object.entries(example).map(([key, value]) => [key, key === 'subjectId' ? subjectId : key === 'fromSubjectId' ? fromId : withIds(value, subjectId, fromId)]),
  );
}

function mentionsSubject(example: unknown): boolean {
  return /"(subjectId|fromSubjectId)"/.test(JSON.stringify(example ?? null));
}

describe('a customer id written in upper case', () => {
  it('is the same customer on every route of one customer and in every body that names one', async () => {
    const document = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'));

    /** Calls one operation for `id` (spelled as `spell` says), with its documented example body. */
    async function call(of: TestBrand, method: string, path: string, operation: any, spell: (id: string) => string): Promise<{ status: number; body: any; id: string }> {
      const id = await customer(of);
      const from = await customer(of);
      const url = path.replace('{id}', spell(id)).replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      let request = (api.http as any)[method](url).set(bearer(of.key));
      if (operation.parameters?.some((p: { name?: string }) => p.name === 'If-Match')) {
        const current = await api.http.get(url).set(bearer(of.key));
        expect(current.status, `GET ${url}: ${JSON.stringify(current.body)}`).toBe(200);
        request = request.set('If-Match', current.headers.etag);
      }
      for (const p of operation.parameters ?? []) if (p.in === 'query' && p.required && p.name === 'purpose') request = request.query({ purpose: 'personalization' });
      const example = operation.requestBody?.content?.['application/json']?.example;
      if (example !== undefined) request = request.send(withIds(example, spell(id), spell(from)));
      const res = await request;
      return { status: res.status, body: res.body, id };
    }

    const differences: string[] = [];
    const leaks: string[] = [];
    const seen: string[] = [];
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const example = operation.requestBody?.content?.['application/json']?.example;
        if (!path.startsWith('/v1/subjects/{id}') && !mentionsSubject(example)) continue;
        const where = `${method.toUpperCase()} ${path}`;
        seen.push(where);
        const lower = await call(brand, method, path, operation, (id) => id.toLowerCase());
        const upper = await call(twin, method, path, operation, (id) => id.toUpperCase());
        const text = JSON.stringify({ ...upper.body, instance: undefined });
        if (upper.status >= 500 || upper.status !== lower.status) differences.push(`${where}: lower-case ${lower.status}, upper-case ${upper.status} ${text.slice(0, 200)}`);
        // What comes back names the customer by the id as stored, never as the caller spelled it
        // (a problem's `instance` is the request's own path, as sent).
        if (text.includes(upper.id.toUpperCase())) leaks.push(`${where}: ${text.slice(0, 300)}`);
      }
    }
    expect(seen.length).toBeGreaterThan(20);
    for (const route of ['GET /v1/subjects/{id}/export', 'POST /v1/subjects/{id}/merge', 'POST /v1/privacy-requests', 'POST /v1/recommendations', 'POST /v1/explanations/validate']) {
      expect(seen).toContain(route);
    }
    expect({ differences, leaks }).toEqual({ differences: [], leaks: [] });
  });

  it('merges the record named in upper case into the customer, and the free-text identifiers keep their case', async () => {
    const survivor = await customer();
    const away = await customer();
    const merged = await api.http.post(`/v1/subjects/${survivor.toUpperCase()}/merge`).set(bearer(brand.key)).send({ fromSubjectId: away.toUpperCase() });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.subjectId).toBe(survivor);
    const gone = await api.http.get(`/v1/subjects/${away}`).set(bearer(brand.key));
    expect(gone.status).toBe(410);
    expect(gone.body.mergedInto).toBe(survivor);

    // An external identifier that happens to look like a UUID is the caller's text: kept as written.
    const value = '0B9F6C1E-6D2A-4A57-9A43-3C5A1D2E8F10';
    const added = await api.http.post(`/v1/subjects/${survivor.toUpperCase()}/identifiers`).set(bearer(brand.key)).send({ type: 'external', system: 'warehouse', value });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const listed = await api.http.get(`/v1/subjects/${survivor.toUpperCase()}/identifiers`).set(bearer(brand.key));
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((i: { value: string }) => i.value)).toContain(value);
  });
});

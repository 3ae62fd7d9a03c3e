import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, TestBrand } from '../support/factories';
import { changedTables, fingerprint } from '../support/reliability-db';

/**
 * Property: an import run a second time changes nothing, whatever optional fields its lines carry.
 * Imports are generated with every optional field of every line kind present or absent at random;
 * after the second run every table but `import_jobs` (which records the run itself) has the same
 * fingerprint (row count and md5 of all rows) as after the first.
 */

/** The table that records an import run (not the brand's data): a second run adds its job by design. */
const RUN_RECORDS = new Set(['import_jobs']);

let api: TestApi;
let brand: TestBrand;
beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_POLL_MS: '0' } });
  brand = await createBrand(api, 'Rerun Harbor');
  for (const p of ['email_marketing', 'sms_marketing']) await adoptPurpose(api, brand, p);
  // A webhook endpoint, so that consent lines would also show in the outbox and deliveries.
  expect((await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url: 'http://[2606:4700:4700::1111]/hook', events: ['consent.changed'] })).status).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

const BASE = Date.parse('2026-06-01T00:00:00Z');
const time = fc.integer({ min: 0, max: 100 * 86_400 }).map((s) => new Date(BASE - s * 1000).toISOString());
const future = fc.integer({ min: 1, max: 100 * 86_400 }).map((s) => new Date(Date.now() + 86_400_000 + s * 1000).toISOString());
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const channel = fc.record({ optedIn: fc.boolean(), frequency: fc.constantFrom('immediately', 'daily', 'weekly', 'monthly') });

const subjectLine = (externalId: string) =>
  fc.record(
    {
      type: fc.constant('subject'),
      externalId: fc.constant(externalId),
      email: maybe(fc.constantFrom('a@example.com', 'b@example.org').map((e) => e.replace('@', `+${externalId}@`))),
      phone: maybe(fc.constantFrom('+4790000001', '+4790000002')),
      locale: maybe(fc.constantFrom('en', 'nb', 'pl')),
      timezone: maybe(fc.constantFrom('Europe/Oslo', 'UTC')),
    },
    { requiredKeys: ['type', 'externalId'] },
  );
const consentLine = (externalId: string) =>
  fc.record(
    {
      type: fc.constant('consent'),
      externalId: fc.constant(externalId),
      purpose: fc.constantFrom('email_marketing', 'sms_marketing'),
      granted: fc.boolean(),
      capturedAt: time,
      noticeVersion: maybe(fc.constant(1)),
      source: maybe(fc.constantFrom('crm', 'store')),
      expiresAt: maybe(future),
    },
    { requiredKeys: ['type', 'externalId', 'purpose', 'granted', 'capturedAt'] },
  );
const factLine = (externalId: string) =>
  fc.record(
    {
      type: fc.constant('fact'),
      externalId: fc.constant(externalId),
      key: fc.constantFrom('shoe_size', 'city'),
      value: fc.constantFrom('42', 'Bergen'),
      category: fc.constantFrom('sizes', 'location'),
      provenance: fc.constant('declared'),
      source: fc.constantFrom('crm', 'survey'),
      collectedAt: maybe(time),
      expiresAt: maybe(future),
    },
    { requiredKeys: ['type', 'externalId', 'key', 'value', 'category', 'provenance', 'source'] },
  );
const preferenceLine = (externalId: string) =>
  fc.record(
    {
      type: fc.constant('preference'),
      externalId: fc.constant(externalId),
      channels: fc.record({ email: channel, sms: channel }, { requiredKeys: [] }),
      quietHours: maybe(fc.option(fc.record({ start: fc.constantFrom('21:00', '22:30'), end: fc.constantFrom('07:00', '06:15') }), { nil: null })),
      topics: maybe(fc.uniqueArray(fc.constantFrom('sleep', 'breathing', 'focus'), { maxLength: 3 })),
    },
    { requiredKeys: ['type', 'externalId', 'channels'] },
  );

let run = 0;
const importArb = fc.integer({ min: 1, max: 3 }).chain((subjects) => {
  const ids = Array.from({ length: subjects }, (_, i) => `rerun-${run}-${i}`);
  const records = fc.array(
    fc.constantFrom(...ids).chain((id) => fc.oneof(consentLine(id), factLine(id), factLine(id), preferenceLine(id))),
    { minLength: 1, maxLength: 12 },
  );
  return fc.tuple(fc.tuple(...ids.map(subjectLine)), records).map(([s, r]) => [...s, ...r] as Array<Record<string, unknown>>);
});

async function importOnce(lines: Array<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const body = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  const res = await api.http.post('/v1/imports').set(bearer(brand.key)).set('Content-Type', 'application/x-ndjson').send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  for (let i = 0; i < 400; i++) {
    const job = await api.http.get(`/v1/imports/${res.body.id}`).set(bearer(brand.key));
    if (job.body.status !== 'merging') return job.body;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('import did not finish');
}

describe('running an import again', () => {
  it('changes no table of the brand\'s data, whatever optional fields the lines carry', async () => {
    await fc.assert(
      fc.asyncProperty(importArb, async (lines) => {
        run++;
        const first = await importOnce(lines);
        expect(first.status, JSON.stringify(first)).toBe('completed');
        // Every generated line is valid: all of them were merged, none rejected.
        expect(first.rowsRejected, JSON.stringify(first.rejections)).toBe(0);
        const before = await fingerprint(api.databaseUrl!);
        const second = await importOnce(lines);
        expect(second.status).toBe('completed');
        const after = await fingerprint(api.databaseUrl!);
        const changed = changedTables(before, after).filter((t) => !RUN_RECORDS.has(t));
        expect(changed, JSON.stringify(lines)).toEqual([]);
      }),
      { numRuns: 12, seed: 20_261_203, endOnFailure: true },
    );
  }, 120_000);
});

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, TestBrand } from '../support/factories';
import { consentJourney } from '../support/journeys';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

/** Runs SQL on the test database as its owner (a superuser), as an operator with psql would. */
async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: api.databaseUrl! });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: `/problems/${code}` });
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
  expect(typeof res.body.instance).toBe('string');
}

describe('brands and credentials', () => {
  it('lets the operator create a brand whose first key has every scope and is shown once', async () => {
    const res = await api.http
      .post('/v1/brands')
      .set(bearer(api.adminKey))
      .send({ slug: 'kitchen-atelier', name: 'Kitchen Atelier', defaultLocale: 'da' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug: 'kitchen-atelier', name: 'Kitchen Atelier', defaultLocale: 'da' });
    expect(res.body.apiKey.key).toMatch(/^cnd_[A-Za-z0-9_-]{43}$/);
    expect(res.body.apiKey.scopes).toContain('compliance');

    const keys = await api.http.get('/v1/api-keys').set(bearer(res.body.apiKey.key));
    expect(keys.status).toBe(200);
    expect(JSON.stringify(keys.body)).not.toContain(res.body.apiKey.key);
    const [stored] = await sql<{ key_hash: string }>(`SELECT key_hash FROM api_keys WHERE api_key_id = $1`, [res.body.apiKey.id]);
    expect(stored.key_hash).not.toContain(res.body.apiKey.key);

    expectProblem(
      await api.http.post('/v1/brands').set(bearer(api.adminKey)).send({ slug: 'kitchen-atelier', name: 'Again', defaultLocale: 'en' }),
      409,
      'slug-taken',
    );
  });

  it('answers 401 without a credential or with an unknown one, and 403 when the operator reaches for brand data', async () => {
    expectProblem(await api.http.get('/v1/subjects'), 401, 'unauthenticated');
    expectProblem(await api.http.get('/v1/subjects').set(bearer('cnd_not-a-real-key')), 401, 'unauthenticated');
    expectProblem(await api.http.get('/v1/subjects').set(bearer(api.adminKey)), 403, 'insufficient-scope');
    const brand = await createBrand(api);
    expectProblem(
      await api.http.post('/v1/brands').set(bearer(brand.key)).send({ slug: 'sneaky', name: 'Sneaky', defaultLocale: 'en' }),
      403,
      'insufficient-scope',
    );
  });

  it('gives 403 naming the missing scope to a key with too few scopes', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand);
    const readOnly = await createKey(api, brand, ['consents:read']);

    const res = await api.http.post(`/v1/subjects/${subject.id}/consents`).set(bearer(readOnly)).send({ purpose: 'email_marketing', granted: true });
    expectProblem(res, 403, 'insufficient-scope');
    expect(res.body.requiredScopes).toEqual(['consents:write']);
    expectProblem(await api.http.post('/v1/subjects').set(bearer(readOnly)).send({ externalId: 'x' }), 403, 'insufficient-scope');
    expectProblem(await api.http.get('/v1/ledger/verify').set(bearer(readOnly)), 403, 'insufficient-scope');
    expect((await api.http.get(`/v1/subjects/${subject.id}/consents`).set(bearer(readOnly))).status).toBe(200);
  });

  it('stops a revoked key at once', async () => {
    const brand = await createBrand(api);
    const key = await createKey(api, brand, ['subjects:read']);
    expect((await api.http.get('/v1/subjects').set(bearer(key))).status).toBe(200);
    const [{ api_key_id }] = await sql<{ api_key_id: string }>(`SELECT api_key_id FROM api_keys WHERE key_prefix = $1`, [key.slice(0, 8)]);
    expect((await api.http.delete(`/v1/api-keys/${api_key_id}`).set(bearer(brand.key))).status).toBe(204);
    expectProblem(await api.http.get('/v1/subjects').set(bearer(key)), 401, 'unauthenticated');
  });
});

describe('tenant isolation', () => {
  let a: TestBrand;
  let b: TestBrand;
  let subjectOfB: { id: string; externalId: string };

  beforeAll(async () => {
    a = await createBrand(api, 'Calm Harbor');
    b = await createBrand(api, 'Kitchen Atelier');
    await adoptPurpose(api, a, 'email_marketing');
    await adoptPurpose(api, b, 'email_marketing');
    subjectOfB = await createSubject(api, b, { email: 'mette.jensen@example.com' });
  });

  it("gives brand A's key 404 for brand B's subject, never 403", async () => {
    expectProblem(await api.http.get(`/v1/subjects/${subjectOfB.id}`).set(bearer(a.key)), 404, 'not-found');
    expectProblem(await api.http.get(`/v1/subjects/${subjectOfB.id}/consents`).set(bearer(a.key)), 404, 'not-found');
    expectProblem(
      await api.http.post(`/v1/subjects/${subjectOfB.id}/consents`).set(bearer(a.key)).send({ purpose: 'email_marketing', granted: true }),
      404,
      'not-found',
    );
    const list = await api.http.get('/v1/subjects').query({ externalId: subjectOfB.externalId }).set(bearer(a.key));
    expect(list.body).toEqual({ data: [], nextCursor: null });
    expect((await api.http.get(`/v1/subjects/${subjectOfB.id}`).set(bearer(b.key))).status).toBe(200);
  });

  it('lets the same externalId live in two brands as two subjects', async () => {
    const inA = await api.http.post('/v1/subjects').set(bearer(a.key)).send({ externalId: subjectOfB.externalId });
    expect(inA.status).toBe(201);
    expect(inA.body.id).not.toBe(subjectOfB.id);
  });

  it('refuses ids that are not text (a lone UTF-16 surrogate) instead of storing U+FFFD for them', async () => {
    // Red team: "\ud800" was stored as U+FFFD, so "\udfff" and "\ufffd" then found the same subject.
    for (const externalId of ['\ud800', 'a\udfffb', '\udc00\ud800']) {
      const res = await api.http.post('/v1/subjects').set(bearer(a.key)).send({ externalId });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'externalId' })]);
    }
    const paired = await api.http.post('/v1/subjects').set(bearer(a.key)).send({ externalId: 'wave-\ud83c\udf0a' });
    expect(paired.status).toBe(201);
    expect(paired.body.externalId).toBe('wave-🌊');
    const replacement = await api.http.post('/v1/subjects').set(bearer(a.key)).send({ externalId: '\ufffd' });
    expect(replacement.status).toBe(201);
    expect(replacement.body.id).not.toBe(paired.body.id);
  });

  it('returns no rows to a query that forgot its brand scope (row-level security)', async () => {
    const client = new Client({ connectionString: api.databaseUrl! });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE candor_app`);
      const tables = ['brands', 'api_keys', 'purposes', 'notices', 'subjects', 'subject_keys', 'consent_events', 'consent_states', 'ledger_heads', 'audit_log'];
      for (const table of tables) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n, table).toBe(0);
      }
      await client.query(`SELECT set_config('app.brand_id', $1, true)`, [b.id]);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM subjects`);
      expect(rows[0].n).toBe(1);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  it('forces row-level security with a policy on every table that has a brand_id', async () => {
    const tables = await sql<{ relname: string; forced: boolean; policies: number }>(`
      SELECT c.relname, c.relforcerowsecurity AS forced, (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'brand_id' AND NOT a.attisdropped)`);
    expect(tables.length).toBeGreaterThanOrEqual(10);
    for (const t of tables) expect(t, t.relname).toMatchObject({ forced: true, policies: expect.any(Number) });
    expect(tables.every((t) => t.policies > 0)).toBe(true);
    const [role] = await sql<{ rolsuper: boolean; rolbypassrls: boolean; owns: number }>(`
      SELECT rolsuper, rolbypassrls, (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owns
      FROM pg_roles r WHERE rolname = 'candor_app'`);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owns: 0 });
  });
});

describe('subjects', () => {
  it('is idempotent on externalId and keeps email and phone encrypted at rest', async () => {
    const brand = await createBrand(api);
    const body = { externalId: 'ch-member-1001', email: 'Ingrid.Solberg@Example.com', phone: '+47 912 34 567', locale: 'nb', timezone: 'Europe/Oslo' };
    const first = await api.http.post('/v1/subjects').set(bearer(brand.key)).send(body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ externalId: 'ch-member-1001', email: 'ingrid.solberg@example.com', phone: '+4791234567', locale: 'nb' });
    const again = await api.http.post('/v1/subjects').set(bearer(brand.key)).send(body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const [row] = await sql(`SELECT * FROM subjects WHERE subject_id = $1`, [first.body.id]);
    expect(JSON.stringify(row)).not.toMatch(/ingrid|91234567/i);
    const found = await api.http.get('/v1/subjects').query({ email: 'INGRID.solberg@example.com' }).set(bearer(brand.key));
    expect(found.body.data.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
  });

  it('lists subjects a page at a time', async () => {
    const brand = await createBrand(api);
    for (let i = 0; i < 5; i++) await createSubject(api, brand);
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: { data: Array<{ id: string }>; nextCursor: string | null } } = await api.http
        .get('/v1/subjects')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(brand.key));
      res.body.data.forEach((s) => seen.add(s.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(5);
    expect(pages).toBe(3);
    expectProblem(await api.http.get('/v1/subjects').query({ limit: 1000 }).set(bearer(brand.key)), 422, 'validation-failed');
    expectProblem(await api.http.get('/v1/subjects').query({ cursor: 'garbage' }).set(bearer(brand.key)), 422, 'validation-failed');
  });
});

describe('bad input', () => {
  it('rejects unknown body fields with 422 listing each bad field, and stores nothing', async () => {
    const brand = await createBrand(api);
    const res = await api.http
      .post('/v1/subjects')
      .set(bearer(brand.key))
      .send({ externalId: 'm-1', email: 'not-an-email', favouriteColour: 'teal', timezone: 'Mars/Olympus' });
    expectProblem(res, 422, 'validation-failed');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { path: '(unknown field)', message: 'unknown fields are refused: this route takes only the fields its schema lists' },
        { path: 'email', message: 'must be an email address' },
        { path: 'timezone', message: expect.stringContaining('IANA') },
      ]),
    );
    // The unknown field's name is the caller's: never repeated (red team: names were echoed).
    expect(res.body.detail).toBe('3 fields failed validation; see errors.');
    expect(JSON.stringify(res.body)).not.toContain('favouriteColour');
    const list = await api.http.get('/v1/subjects').set(bearer(brand.key));
    expect(list.body.data).toEqual([]);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const brand = await createBrand(api);
    const res = await api.http.post('/v1/subjects').set(bearer(brand.key)).set('Content-Type', 'application/json').send('{"externalId": ');
    expectProblem(res, 400, 'malformed-json');
  });

  it('refuses a body over the size limit with 413', async () => {
    const brand = await createBrand(api);
    const res = await api.http
      .post('/v1/subjects')
      .set(bearer(brand.key))
      .send({ externalId: 'x'.repeat(2 * 1024 * 1024) });
    expectProblem(res, 413, 'payload-too-large');
  });

  it('answers unknown routes and non-UUID ids with 404 problem+json', async () => {
    const brand = await createBrand(api);
    expectProblem(await api.http.get('/v1/nothing-here').set(bearer(brand.key)), 404, 'not-found');
    expectProblem(await api.http.get('/v1/subjects/not-a-uuid').set(bearer(brand.key)), 404, 'not-found');
  });
});

describe('purposes and notices', () => {
  it('publishes immutable notice versions counting up from 1', async () => {
    const brand = await createBrand(api);
    const created = await api.http
      .post('/v1/purposes')
      .set(bearer(brand.key))
      .send({ key: 'cleaning_tips', name: { en: 'Cleaning tips for your machine' }, legalBasis: 'consent', dataCategories: ['interests'], channels: ['email'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ key: 'cleaning_tips', saleOrShare: false, noticeVersion: null });

    const v1 = await api.http.post('/v1/purposes/cleaning_tips/notices').set(bearer(brand.key)).send({ text: { en: 'Tips by email.', da: 'Tips på e-mail.' } });
    const v2 = await api.http.post('/v1/purposes/cleaning_tips/notices').set(bearer(brand.key)).send({ text: { en: 'Tips by email, monthly.' } });
    expect([v1.status, v1.body.version, v2.status, v2.body.version]).toEqual([201, 1, 201, 2]);
    const notices = await api.http.get('/v1/purposes/cleaning_tips/notices').set(bearer(brand.key));
    expect(notices.body.data.map((n: { text: Record<string, string> }) => n.text.en)).toEqual(['Tips by email.', 'Tips by email, monthly.']);

    await expect(sql(`UPDATE notices SET text = '{"en":"edited"}' WHERE notice_id = $1`, [v1.body.id])).rejects.toThrow(/append-only/);
    expectProblem(await api.http.post('/v1/purposes/unknown/notices').set(bearer(brand.key)).send({ text: { en: 'x' } }), 404, 'not-found');
    expectProblem(
      await api.http.post('/v1/purposes').set(bearer(brand.key)).send({ key: 'cleaning_tips', name: { en: 'x' }, legalBasis: 'consent', dataCategories: ['interests'] }),
      409,
      'purpose-exists',
    );
  });

  it('offers a default catalogue mapped to W3C DPV terms, in five languages, that a brand adopts', async () => {
    const brand = await createBrand(api);
    const catalogue = await api.http.get('/v1/purpose-catalogue').set(bearer(brand.key));
    const terms = catalogue.body.data.map((p: { dpvTerm: string }) => p.dpvTerm);
    expect(terms).toEqual(expect.arrayContaining(['dpv:DirectMarketing', 'dpv:Personalisation', 'dpv:ServiceUsageAnalytics', 'dpv:SellDataToThirdParties']));
    for (const p of catalogue.body.data) expect(Object.keys(p.notice).sort()).toEqual(['da', 'en', 'hu', 'nb', 'pl']);

    await adoptPurpose(api, brand, 'partner_sharing');
    const purposes = await api.http.get('/v1/purposes').set(bearer(brand.key));
    expect(purposes.body.data).toEqual([
      expect.objectContaining({ key: 'partner_sharing', saleOrShare: true, dpvTerm: 'dpv:SellDataToThirdParties', noticeVersion: 1 }),
    ]);
  });
});

describe('consent ledger', () => {
  it('records grant then withdrawal with correct state, history and an idempotent retry', async () => {
    await consentJourney(api);
  });

  it('creates no second event when an Idempotency-Key is repeated, and refuses the key for another body', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'personalization');
    const subject = await createSubject(api, brand);
    const send = (granted: boolean) =>
      api.http.post(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key)).set('Idempotency-Key', 'k-77').send({ purpose: 'personalization', granted });
    const results = await Promise.all([send(true), send(true), send(true)]);
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM consent_events WHERE subject_id = $1`, [subject.id]);
    expect(n).toBe(1);
    expectProblem(await send(false), 422, 'idempotency-key-reused');
  });

  it('explains what is wrong with a consent it cannot record', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand);
    const url = `/v1/subjects/${subject.id}/consents`;
    expectProblem(await api.http.post(url).set(bearer(brand.key)).send({ purpose: 'email_marketing', granted: true }), 422, 'unknown-purpose');
    await api.http
      .post('/v1/purposes')
      .set(bearer(brand.key))
      .send({ key: 'surveys', name: { en: 'Surveys' }, legalBasis: 'consent', dataCategories: ['interests'] });
    expectProblem(await api.http.post(url).set(bearer(brand.key)).send({ purpose: 'surveys', granted: true }), 422, 'notice-required');
    await adoptPurpose(api, brand, 'email_marketing');
    expectProblem(await api.http.post(url).set(bearer(brand.key)).send({ purpose: 'email_marketing', granted: true, noticeVersion: 9 }), 422, 'unknown-notice-version');
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expectProblem(await api.http.post(url).set(bearer(brand.key)).send({ purpose: 'email_marketing', granted: true, capturedAt: future }), 422, 'validation-failed');
    expectProblem(await api.http.post(url).set(bearer(brand.key)).send({ purpose: 'email_marketing', granted: 'yes' }), 422, 'validation-failed');
  });

  it('treats an expired grant as not valid, and follows the latest decision by capture time', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'analytics');
    const subject = await createSubject(api, brand);
    const url = `/v1/subjects/${subject.id}/consents`;
    const hourAgo = new Date(Date.now() - 3_600_000);
    await api.http
      .post(url)
      .set(bearer(brand.key))
      .send({ purpose: 'analytics', granted: true, capturedAt: new Date(hourAgo.getTime() - 60_000).toISOString(), expiresAt: hourAgo.toISOString() });
    let state = await api.http.get(url).set(bearer(brand.key));
    expect(state.body.data[0]).toMatchObject({ granted: true, valid: false });

    await api.http.post(url).set(bearer(brand.key)).send({ purpose: 'analytics', granted: true });
    // A decision captured earlier but recorded later (a late import) does not override the newer one.
    await api.http.post(url).set(bearer(brand.key)).send({ purpose: 'analytics', granted: false, capturedAt: new Date(Date.now() - 7_200_000).toISOString() });
    state = await api.http.get(url).set(bearer(brand.key));
    expect(state.body.data[0]).toMatchObject({ granted: true, valid: true });
    expect(state.body.history).toHaveLength(3);
  });

  it('keeps the ledger append-only for the application role', async () => {
    const { subjectId } = await consentJourney(api);
    const client = new Client({ connectionString: api.databaseUrl! });
    await client.connect();
    try {
      const brandId = (await client.query(`SELECT brand_id FROM subjects WHERE subject_id = $1`, [subjectId])).rows[0].brand_id;
      for (const statement of [`UPDATE consent_events SET granted = NOT granted`, `DELETE FROM consent_events`]) {
        await client.query('BEGIN');
        await client.query(`SET LOCAL ROLE candor_app`);
        await client.query(`SELECT set_config('app.brand_id', $1, true)`, [brandId]);
        await expect(client.query(statement)).rejects.toThrow(/permission denied/);
        await client.query('ROLLBACK');
      }
    } finally {
      await client.end();
    }
  });

  it('names the first bad event when a ledger row is edited in SQL', async () => {
    const { brandKey, subjectId } = await consentJourney(api);
    const events = await sql<{ consent_event_id: string }>(
      `SELECT consent_event_id FROM consent_events WHERE subject_id = $1 ORDER BY seq`,
      [subjectId],
    );
    // Someone with the owner's rights disables the guard and rewrites history.
    await sql(`
      ALTER TABLE consent_events DISABLE TRIGGER tg_consent_events_append_only;
      UPDATE consent_events SET granted = true WHERE consent_event_id = '${events[1].consent_event_id}';
      ALTER TABLE consent_events ENABLE TRIGGER tg_consent_events_append_only;`);
    const verify = await api.http.get('/v1/ledger/verify').set(bearer(brandKey));
    expect(verify.body).toMatchObject({ ok: false, firstBadEventId: events[1].consent_event_id, fault: 'hash-mismatch' });
  });

  it('notices a deleted event at the end of the chain', async () => {
    const { brandKey, subjectId } = await consentJourney(api);
    await sql(`
      ALTER TABLE consent_events DISABLE TRIGGER tg_consent_events_append_only;
      DELETE FROM consent_states WHERE subject_id = '${subjectId}';
      DELETE FROM consent_events WHERE subject_id = '${subjectId}' AND NOT granted;
      ALTER TABLE consent_events ENABLE TRIGGER tg_consent_events_append_only;`);
    const verify = await api.http.get('/v1/ledger/verify').set(bearer(brandKey));
    expect(verify.body).toMatchObject({ ok: false, fault: 'chain-truncated' });
  });
});

describe('operations endpoints', () => {
  it('serves health, readiness, the OpenAPI 3.1 document and Swagger UI', async () => {
    expect((await api.http.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await api.http.get('/readyz')).body).toEqual({ status: 'ready', database: 'up' });
    const doc = await api.http.get('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/brands', '/v1/subjects/{id}/consents', '/v1/ledger/verify']));
    const ui = await api.http.get('/docs/').redirects(1);
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('exposes Prometheus metrics by route template, never by concrete path', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand);
    await api.http.get(`/v1/subjects/${subject.id}`).set(bearer(brand.key)).expect(200);
    await adoptPurpose(api, brand, 'email_marketing');
    await api.http.get('/v1/decisions/contact').query({ subjectId: subject.id, purpose: 'email_marketing', channel: 'email' }).set(bearer(brand.key)).expect(200);
    const metrics = await api.http.get('/metrics');
    // Decisions answered by the fast path are counted too.
    expect(metrics.text).toMatch(/candor_http_requests_total\{method="GET",route="\/v1\/decisions\/contact",status="200"\} 1/);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/candor_http_requests_total\{method="GET",route="\/v1\/subjects\/:id",status="200"\} \d+/);
    expect(metrics.text).toContain('candor_process_resident_memory_bytes');
    expect(metrics.text).not.toContain(subject.id);
  });

  it('echoes a sane X-Request-Id and uses it as the problem traceId', async () => {
    const res = await api.http.get('/v1/subjects').set('X-Request-Id', 'trace-abc-123');
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    expect(res.body.traceId).toBe('trace-abc-123');
  });
});

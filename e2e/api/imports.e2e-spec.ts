import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportMerger } from '../../api/src/modules/imports/import-merger.service';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, TestBrand } from '../support/factories';

let api: TestApi;
let brand: TestBrand;
let sql: Client;

beforeAll(async () => {
  api = await startApi();
  sql = new Client({ connectionString: api.databaseUrl! });
  await sql.connect();
  brand = await createBrand(api, 'Import Harbor');
  await adoptPurpose(api, brand, 'email_marketing');
  await adoptPurpose(api, brand, 'sms_marketing');
});
afterAll(async () => {
  await sql?.end();
  await api?.close();
});

const ndjson = (lines: Array<Record<string, unknown> | string>) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

function upload(body: string, key = brand.key, type = 'application/x-ndjson') {
  return api.http.post('/v1/imports').set(bearer(key)).set('Content-Type', type).send(body);
}

/** Polls the job until merging has ended. */
async function settled(id: string, key = brand.key) {
  for (let i = 0; i < 200; i++) {
    const res = await api.http.get(`/v1/imports/${id}`).set(bearer(key));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (res.body.status !== 'merging') return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import did not finish');
}

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

describe('bulk import', () => {
  it('refreshes the planner statistics of the tables it grew, without waiting for autovacuum', async () => {
    const before = await sql.query(`SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'subjects'`);
    const lines = Array.from({ length: 2500 }, (_, i) => ({ type: 'subject', externalId: `stats-${i}` }));
    const res = await upload(ndjson(lines));
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect((await settled(res.body.id)).status).toBe('completed');
    // A manual ANALYZE (last_analyze), not autovacuum's (last_autoanalyze), and the new rows counted.
    const after = await sql.query(`SELECT s.last_analyze, c.reltuples FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.relname = 'subjects'`);
    expect(after.rows[0].last_analyze).not.toBeNull();
    expect(after.rows[0].last_analyze).not.toEqual(before.rows[0].last_analyze);
    expect(after.rows[0].reltuples).toBeGreaterThanOrEqual(2500);
  });

  it('rejects lines carrying NUL characters or lone surrogates by line number and imports the rest', async () => {
    const body = ndjson([
      { type: 'subject', externalId: 'nul-ok-1' },
      { type: 'subject', externalId: 'nul\u0000bad' },
      { type: 'subject', externalId: 'nul-ok-2', locale: 'en\u0000' },
      { type: 'consent', externalId: 'nul-ok-1', purpose: 'email_marketing', granted: true, capturedAt: at(5), source: 'crm\u0000' },
      { type: 'consent', externalId: 'nul-ok-1', purpose: 'email_marketing', granted: true, capturedAt: at(4) },
      { type: 'subject', externalId: 'nul-lone-\ud800' },
    ]);
    const res = await upload(body);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const job = await settled(res.body.id);
    expect(job.status).toBe('completed');
    expect(job.rejections.map((r: { line: number }) => r.line).sort()).toEqual([2, 3, 4, 6]);
    const { rows } = await sql.query(`SELECT external_id FROM subjects WHERE brand_id = $1 AND external_id LIKE 'nul%' ORDER BY 1`, [brand.id]);
    expect(rows.map((r) => r.external_id)).toEqual(['nul-ok-1']);
  });

  it('tells webhook endpoints about every imported consent decision, like any other change', async () => {
    const hooks = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url: 'https://crm.example.com/hooks', events: ['consent.changed'], name: 'CRM' });
    expect(hooks.status).toBe(201);
    try {
      const lines = [{ type: 'subject', externalId: 'hook-1' }, ...[60, 30, 10].map((m, i) => ({ type: 'consent', externalId: 'hook-1', purpose: 'email_marketing', granted: i !== 1, capturedAt: at(m) }))];
      const job = await settled((await upload(ndjson(lines))).body.id);
      expect(job.status).toBe('completed');
      const { rows } = await sql.query(
        `SELECT o.payload->'data'->>'granted' AS granted, d.status FROM outbox_events o
         JOIN webhook_deliveries d ON d.brand_id = o.brand_id AND d.event_id = o.event_id
         WHERE d.endpoint_id = $1 ORDER BY o.payload->'data'->>'capturedAt'`,
        [hooks.body.id],
      );
      expect(rows).toEqual([
        { granted: 'true', status: 'pending' },
        { granted: 'false', status: 'pending' },
        { granted: 'true', status: 'pending' },
      ]);
      // The same payload as any other consent change: the event it reports, nothing personal.
      const { rows: payloads } = await sql.query(
        `SELECT o.payload, o.subject_id, e.consent_event_id, e.captured_at FROM outbox_events o
         JOIN webhook_deliveries d ON d.brand_id = o.brand_id AND d.event_id = o.event_id
         JOIN consent_events e ON e.brand_id = o.brand_id AND e.consent_event_id = (o.payload->'data'->>'consentEventId')::uuid
         WHERE d.endpoint_id = $1`,
        [hooks.body.id],
      );
      expect(payloads).toHaveLength(3);
      for (const p of payloads) {
        expect(Object.keys(p.payload).sort()).toEqual(['data', 'timestamp', 'type']);
        expect(p.payload.type).toBe('consent.changed');
        expect(new Date(p.payload.timestamp).toISOString()).toBe(p.payload.timestamp);
        expect(p.payload.data).toEqual({
          subjectId: p.subject_id,
          purpose: 'email_marketing',
          granted: expect.any(Boolean),
          source: 'import',
          consentEventId: p.consent_event_id,
          capturedAt: p.captured_at.toISOString(),
        });
      }
    } finally {
      await api.http.delete(`/v1/webhooks/${hooks.body.id}`).set(bearer(brand.key));
    }
  });

  it('imports subjects, consents, facts and preferences, numbering every rejected line with its reason', async () => {
    const body = ndjson([
      { type: 'subject', externalId: 'imp-1', email: 'Ingrid@Example.com', timezone: 'Europe/Oslo' },
      { type: 'subject', externalId: 'imp-2', phone: '+4791234567' },
      { type: 'consent', externalId: 'imp-1', purpose: 'email_marketing', granted: true, capturedAt: at(60), source: 'crm-export' },
      { type: 'consent', externalId: 'imp-1', purpose: 'email_marketing', granted: false, capturedAt: at(30) },
      { type: 'consent', externalId: 'imp-2', purpose: 'sms_marketing', granted: true, capturedAt: at(10) },
      '{"type":"consent", "externalId": broken',
      { type: 'consent', externalId: 'imp-2', purpose: 'no_such_purpose', granted: true, capturedAt: at(5) },
      { type: 'consent', externalId: 'nobody', purpose: 'email_marketing', granted: true, capturedAt: at(5) },
      { type: 'consent', externalId: 'imp-2', purpose: 'email_marketing', granted: 'yes', capturedAt: at(5) },
      '',
      { type: 'fact', externalId: 'imp-1', key: 'shoe_size', value: '42', category: 'sizes', provenance: 'declared', source: 'old crm' },
      { type: 'preference', externalId: 'imp-2', channels: { sms: { optedIn: true, frequency: 'weekly' } }, quietHours: { start: '21:00', end: '07:00' } },
      { type: 'alien', externalId: 'imp-1' },
    ]);
    const res = await upload(body);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.headers.location).toBe(`/v1/imports/${res.body.id}`);
    expect(res.body).toMatchObject({ totalLines: 12 });

    const job = await settled(res.body.id);
    expect(job).toMatchObject({ status: 'completed', totalLines: 12, rowsDone: 7, rowsRejected: 5, progress: 100, error: null });
    expect(job.rejections.map((r: { line: number }) => r.line)).toEqual([6, 7, 8, 9, 13]);
    const reasons = Object.fromEntries(job.rejections.map((r: { line: number; reason: string }) => [r.line, r.reason]));
    expect(reasons[6]).toMatch(/^not valid JSON/);
    expect(reasons[7]).toMatch(/^unknown-purpose/);
    expect(reasons[8]).toMatch(/^unknown-subject: no subject has this externalId/);
    expect(reasons[9]).toMatch(/^granted: /);
    expect(reasons[13]).toMatch(/^type: must be one of/);

    // The subjects exist with their identifiers sealed as POST /v1/subjects seals them.
    const found = await api.http.get('/v1/subjects').query({ email: 'ingrid@example.com' }).set(bearer(brand.key));
    expect(found.body.data).toHaveLength(1);
    const ingrid = found.body.data[0];
    expect(ingrid).toMatchObject({ externalId: 'imp-1', email: 'ingrid@example.com', timezone: 'Europe/Oslo' });

    // The projection follows the latest decision by capture time; the history keeps both.
    const consents = await api.http.get(`/v1/subjects/${ingrid.id}/consents`).set(bearer(brand.key));
    expect(consents.body.data).toEqual([expect.objectContaining({ purpose: 'email_marketing', granted: false })]);
    expect(consents.body.history.map((e: { granted: boolean; source: string }) => [e.granted, e.source])).toEqual([[true, 'crm-export'], [false, 'import']]);
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });

    const [{ n: facts }] = (await sql.query(`SELECT count(*)::int AS n FROM facts WHERE subject_id = $1 AND fact_key = 'shoe_size'`, [ingrid.id])).rows;
    expect(facts).toBe(1);
    const [prefs] = (await sql.query(`SELECT p.channels, p.quiet_hours FROM preferences p JOIN subjects s USING (brand_id, subject_id) WHERE s.external_id = 'imp-2'`)).rows;
    expect(prefs).toMatchObject({ channels: { sms: { optedIn: true, frequency: 'weekly' } }, quiet_hours: { start: '21:00', end: '07:00' } });
  });

  it('changes nothing when the same file is imported again', async () => {
    const body = ndjson([
      { type: 'subject', externalId: 'again-1', email: 'again@example.com' },
      { type: 'consent', externalId: 'again-1', purpose: 'email_marketing', granted: true, capturedAt: at(20) },
      { type: 'consent', externalId: 'again-1', purpose: 'email_marketing', granted: true, capturedAt: at(20) },
      { type: 'fact', externalId: 'again-1', key: 'city', value: 'Bergen', category: 'location', provenance: 'declared', source: 'crm', collectedAt: at(90) },
    ]);
    const count = async () =>
      (
        await sql.query(
          `SELECT (SELECT count(*) FROM consent_events WHERE brand_id = $1)::int AS events, (SELECT count(*) FROM subjects WHERE brand_id = $1)::int AS subjects,
                  (SELECT count(*) FROM facts WHERE brand_id = $1)::int AS facts, (SELECT last_seq FROM ledger_heads WHERE brand_id = $1)::int AS seq`,
          [brand.id],
        )
      ).rows[0];
    const first = await settled((await upload(body)).body.id);
    expect(first).toMatchObject({ status: 'completed', rowsDone: 4, rowsRejected: 0 });
    const before = await count();
    const second = await settled((await upload(body)).body.id);
    expect(second).toMatchObject({ status: 'completed', rowsDone: 4, rowsRejected: 0 });
    expect(await count()).toEqual(before);
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });
  });

  it('refuses to bring back an erased customer', async () => {
    const subject = await createSubject(api, brand, { externalId: 'erase-me', email: 'gone@example.com' });
    const erasure = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'erasure' });
    expect(erasure.body, JSON.stringify(erasure.body)).toMatchObject({ status: 'completed' });
    const job = await settled(
      (
        await upload(
          ndjson([
            { type: 'subject', externalId: 'erase-me' },
            { type: 'subject', externalId: 'new-name', email: 'GONE@example.com' },
            { type: 'consent', externalId: 'erase-me', purpose: 'email_marketing', granted: true, capturedAt: at(1) },
          ]),
        )
      ).body.id,
    );
    expect(job).toMatchObject({ status: 'completed', rowsDone: 0, rowsRejected: 3 });
    expect(job.rejections.map((r: { reason: string }) => r.reason.split(':')[0])).toEqual(['subject-erased', 'subject-erased', 'subject-erased']);
    const [{ n }] = (await sql.query(`SELECT count(*)::int AS n FROM subjects WHERE brand_id = $1 AND external_id = 'new-name'`, [brand.id])).rows;
    expect(n).toBe(0);
  });

  it('merges a large file in chunks, reporting progress, with the chain intact', async () => {
    const lines: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 3000; i++) {
      lines.push({ type: 'subject', externalId: `bulk-${i}` });
      lines.push({ type: 'consent', externalId: `bulk-${i}`, purpose: 'email_marketing', granted: i % 3 !== 0, capturedAt: at(100) });
    }
    const res = await upload(ndjson(lines));
    expect(res.status).toBe(202);
    expect(res.body.progress).toBeGreaterThanOrEqual(0);
    expect(res.body.progress).toBeLessThanOrEqual(100);
    const job = await settled(res.body.id);
    expect(job).toMatchObject({ status: 'completed', totalLines: 6000, rowsDone: 6000, rowsRejected: 0, progress: 100 });
    const [{ granted, total }] = (
      await sql.query(
        `SELECT count(*) FILTER (WHERE cs.granted)::int AS granted, count(*)::int AS total FROM consent_states cs JOIN subjects s USING (brand_id, subject_id)
         WHERE s.brand_id = $1 AND s.external_id LIKE 'bulk-%'`,
        [brand.id],
      )
    ).rows;
    expect({ granted, total }).toEqual({ granted: 2000, total: 3000 });
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });
    // Staged lines are gone once merged.
    const [{ staged }] = (await sql.query(`SELECT count(*)::int AS staged FROM import_blocks WHERE import_id = $1`, [res.body.id])).rows;
    expect(staged).toBe(0);
  });

  it('merges a chunk once even when two processes work on the same job', async () => {
    const res = await upload(ndjson(Array.from({ length: 50 }, (_, i) => ({ type: 'subject', externalId: `twice-${i}` }))));
    const merger = api.app.get(ImportMerger);
    await Promise.all([merger.merge(brand.id, res.body.id), merger.merge(brand.id, res.body.id)]);
    expect(await settled(res.body.id)).toMatchObject({ status: 'completed', rowsDone: 50, rowsRejected: 0 });
  });

  it('answers bad uploads with problem+json', async () => {
    const wrongType = await upload('{"type":"subject","externalId":"x"}\n', brand.key, 'text/csv');
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wrongType.body).toMatchObject({ code: 'unsupported-media-type' });

    const empty = await upload('\n\n');
    expect(empty.status).toBe(422);
    expect(empty.headers['content-type']).toMatch(/^application\/problem\+json/);

    const tooLong = await upload(`{"type":"subject","externalId":"${'x'.repeat(300_000)}"}\n`);
    expect(tooLong.status).toBe(413);
    expect(tooLong.body).toMatchObject({ code: 'payload-too-large' });

    const readOnly = await createKey(api, brand, ['consents:write']);
    const forbidden = await upload('{"type":"subject","externalId":"x"}\n', readOnly);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['content-type']).toMatch(/^application\/problem\+json/);

    const unknown = await api.http.get('/v1/imports/00000000-0000-4000-8000-000000000000').set(bearer(brand.key));
    expect(unknown.status).toBe(404);
    const other = await createBrand(api, 'Other Harbor');
    const job = await upload('{"type":"subject","externalId":"mine"}\n');
    expect((await api.http.get(`/v1/imports/${job.body.id}`).set(bearer(other.key))).status).toBe(404);
  });
});

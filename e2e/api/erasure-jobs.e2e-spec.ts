import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErasureJobRunner } from '../../api/src/modules/erasure-jobs/erasure-job-runner.service';
import { startApi, TestApi } from '../support/api';
import { cloneTemplate, dataDump } from '../support/database';
import { callApi as call, freePort, runCommand, RunningCommand, waitForOk } from '../support/processes';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, TestBrand } from '../support/factories';

let api: TestApi;
let brand: TestBrand;
let other: TestBrand;
let sql: Client;

beforeAll(async () => {
  // Several chunks for 2,000 subjects, so progress is seen part-way.
  api = await startApi({ env: { CANDOR_ERASURE_CHUNK_SUBJECTS: '250' } });
  sql = new Client({ connectionString: api.databaseUrl! });
  await sql.connect();
  brand = await createBrand(api, 'Erase Harbor');
  other = await createBrand(api, 'Other Harbor');
  await adoptPurpose(api, brand, 'email_marketing');
});
afterAll(async () => {
  await sql?.end();
  await api?.close();
});

const ndjson = (lines: Array<Record<string, unknown> | string>) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';

function upload(body: string, key = brand.key, type = 'application/x-ndjson') {
  return api.http.post('/v1/erasure-jobs').set(bearer(key)).set('Content-Type', type).send(body);
}

/** Polls the job until it has ended, keeping every progress figure it reported on the way. */
async function settled(id: string, key = brand.key): Promise<{ job: Record<string, any>; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const res = await api.http.get(`/v1/erasure-jobs/${id}`).set(bearer(key));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    samples.push(res.body.progress);
    if (res.body.status === 'completed' || res.body.status === 'failed') return { job: res.body, samples };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('erasure job did not finish');
}

/** Seeds `n` subjects with email, a granted consent and a fact each, through a bulk import. */
async function seed(prefix: string, n: number): Promise<Array<{ id: string; externalId: string; email: string; fact: string }>> {
  const lines: Array<Record<string, unknown>> = [];
  for (let i = 0; i < n; i++) {
    const externalId = `${prefix}-${i}`;
    lines.push({ type: 'subject', externalId, email: `${prefix}.${i}.person@example.com` });
    lines.push({ type: 'consent', externalId, purpose: 'email_marketing', granted: true, capturedAt: '2025-03-01T10:00:00Z' });
    lines.push({ type: 'fact', externalId, key: 'hobby', value: `${prefix}-hobby-${i}`, category: 'interests', provenance: 'declared', source: 'seed' });
  }
  const res = await api.http.post('/v1/imports').set(bearer(brand.key)).set('Content-Type', 'application/x-ndjson').send(ndjson(lines));
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  for (let i = 0; i < 600; i++) {
    const job = await api.http.get(`/v1/imports/${res.body.id}`).set(bearer(brand.key));
    if (job.body.status !== 'merging') {
      expect(job.body).toMatchObject({ status: 'completed', rowsRejected: 0 });
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const { rows } = await sql.query(`SELECT subject_id, external_id FROM subjects WHERE brand_id = $1 AND external_id LIKE $2`, [brand.id, `${prefix}-%`]);
  expect(rows).toHaveLength(n);
  const byExternal = new Map(rows.map((r) => [r.external_id as string, r.subject_id as string]));
  return Array.from({ length: n }, (_, i) => ({
    id: byExternal.get(`${prefix}-${i}`)!,
    externalId: `${prefix}-${i}`,
    email: `${prefix}.${i}.person@example.com`,
    fact: `${prefix}-hobby-${i}`,
  }));
}

describe('bulk erasure (POST /v1/erasure-jobs)', () => {
  const N = 2000;
  let people: Awaited<ReturnType<typeof seed>>;
  let body: string;
  let jobId: string;

  it('erases 2,000 subjects as one job, reporting progress, leaving what a single erasure leaves', async () => {
    people = await seed('zq7', N);
    // One subject also gave encrypted evidence: its ciphertext stays in the ledger, its key goes.
    const evidence = await api.http
      .post(`/v1/subjects/${people[0].id}/consents`)
      .set(bearer(brand.key))
      .send({ purpose: 'email_marketing', granted: true, evidence: { form: 'zq7-form', ip: '198.51.100.77' } });
    expect(evidence.status, JSON.stringify(evidence.body)).toBe(201);
    const stranger = await createSubject(api, other, { externalId: 'zq7-other-brand', email: 'stranger.zq7@example.com' });
    const chainBefore = (await sql.query(`SELECT seq, hash, prev_hash, evidence_ct FROM consent_events WHERE brand_id = $1 ORDER BY seq`, [brand.id])).rows;
    expect(chainBefore).toHaveLength(N + 1);

    // Half by subject id, half by external id; bad lines in between, one subject named twice.
    const lines: Array<Record<string, unknown> | string> = people.map((p, i) => (i % 2 ? { subjectId: p.id } : { externalId: p.externalId }));
    lines.splice(10, 0, '{"subjectId": broken');
    lines.splice(20, 0, { subjectId: 'not-a-uuid' });
    lines.splice(30, 0, { externalId: 'zq7-nobody' });
    lines.splice(40, 0, { subjectId: stranger.id });
    lines.splice(50, 0, '');
    lines.splice(60, 0, { subjectId: people[1].id, reason: 'asked twice' });
    lines.push({ subjectId: people[3].id });
    body = ndjson(lines);

    const res = await upload(body);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.headers.location).toBe(`/v1/erasure-jobs/${res.body.id}`);
    expect(res.body).toMatchObject({ totalLines: N + 6, rowsRejected: 5, erased: expect.any(Number) });
    expect(['queued', 'running']).toContain(res.body.status);
    jobId = res.body.id;

    const { job, samples } = await settled(jobId);
    expect(job).toMatchObject({ status: 'completed', totalLines: N + 6, erased: N, alreadyErased: 1, rowsRejected: 5, progress: 100, ledgerVerified: true, error: null });
    expect(job.finishedAt).not.toBeNull();
    // Progress was reported part-way and never went backwards.
    expect(samples.some((p) => p > 0 && p < 100), `progress samples ${samples.join(', ')}`).toBe(true);
    expect(samples).toEqual([...samples].sort((a, b) => a - b));

    const reasons = Object.fromEntries(job.rejections.map((r: { line: number; reason: string }) => [r.line, r.reason]));
    expect(Object.keys(reasons).map(Number)).toEqual([11, 21, 31, 41, 61]);
    expect(reasons[11]).toMatch(/^not valid JSON/);
    expect(reasons[21]).toMatch(/^subjectId: must be a subject id/);
    expect(reasons[31]).toBe('externalId: no subject of this brand has this externalId');
    expect(reasons[41]).toBe('subjectId: no subject of this brand has this id');
    expect(reasons[61]).toMatch(/^only "subjectId" or "externalId" is accepted/);

    // Every subject answers as after a single erasure (a sample over HTTP, all of them in the table).
    for (const p of people.filter((_, i) => i % 40 === 0)) {
      expect((await api.http.get(`/v1/subjects/${p.id}`).set(bearer(brand.key))).status).toBe(410);
      expect((await api.http.get(`/v1/subjects/${p.id}/consents`).set(bearer(brand.key))).status).toBe(404);
    }
    const [state] = (
      await sql.query(
        `SELECT count(*) FILTER (WHERE erased_at IS NOT NULL)::int AS erased, count(*) FILTER (WHERE email_ct IS NOT NULL)::int AS emails,
                (SELECT count(*) FROM subject_keys k WHERE k.brand_id = $1 AND k.subject_id = ANY($2::uuid[]))::int AS keys,
                (SELECT count(*) FROM facts f WHERE f.brand_id = $1 AND f.subject_id = ANY($2::uuid[]))::int AS facts,
                (SELECT count(*) FROM consent_states c WHERE c.brand_id = $1 AND c.subject_id = ANY($2::uuid[]))::int AS states
         FROM subjects WHERE brand_id = $1 AND subject_id = ANY($2::uuid[])`,
        [brand.id, people.map((p) => p.id)],
      )
    ).rows;
    expect(state).toEqual({ erased: N, emails: 0, keys: 0, facts: 0, states: 0 });

    // A database dump holds none of their identifiers or facts (nor the evidence's plaintext).
    const dump = await dataDump(api.databaseUrl!);
    expect(dump).toContain(people[0].id);
    const survivors = people.flatMap((p) => [p.email, p.fact, `\t${p.externalId}\t`]).filter((needle) => dump.includes(needle));
    expect(survivors).toEqual([]);
    for (const needle of ['zq7-form', '198.51.100.77', 'zq7.', 'zq7-hobby']) expect(dump.includes(needle), `${needle} survived erasure`).toBe(false);
    expect(dump).toContain('zq7-other-brand'); // the other brand's subject is untouched

    // The chain is untouched (its hashes cover ciphertext) and still verifies.
    const chainAfter = (await sql.query(`SELECT seq, hash, prev_hash, evidence_ct FROM consent_events WHERE brand_id = $1 ORDER BY seq`, [brand.id])).rows;
    expect(chainAfter).toEqual(chainBefore);
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true, events: N + 1 });

    // Tombstones stop re-creation, by external id and by email.
    const again = await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: people[7].externalId });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('subject-erased');
    const byEmail = await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: 'zq7-new', email: people[8].email.toUpperCase() });
    expect(byEmail.body.code).toBe('subject-erased');

    // One subject.erased event per subject in the outbox.
    const [events] = (
      await sql.query(`SELECT count(*)::int AS n, count(DISTINCT subject_id)::int AS subjects FROM outbox_events WHERE brand_id = $1 AND type = 'subject.erased'`, [brand.id])
    ).rows;
    expect(events).toEqual({ n: N, subjects: N });

    // The compliance evidence of a single erasure, per subject: a completed request with its certificate.
    const requests = (
      await sql.query(`SELECT request_id, subject_id, status, certificate FROM privacy_requests WHERE brand_id = $1 AND type = 'erasure'`, [brand.id])
    ).rows;
    expect(requests).toHaveLength(N);
    expect(new Set(requests.map((r) => r.subject_id)).size).toBe(N);
    for (const r of requests) {
      expect(r.status).toBe('completed');
      expect(r.certificate).toMatchObject({ erasureJobId: jobId, ledgerVerified: true, dataKeyDestroyed: true, tombstone: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    const one = requests.find((r) => r.subject_id === people[0].id)!;
    const shown = await api.http.get(`/v1/privacy-requests/${one.request_id}`).set(bearer(brand.key));
    expect(shown.body).toMatchObject({ type: 'erasure', status: 'completed', subjectId: people[0].id });
    expect(shown.body.certificate).toMatchObject({ deleted: { facts: 1, consent_states: 1, subject_keys: 1 } });
    expect(shown.body.history.map((h: { action: string }) => h.action)).toEqual(['received', 'completed']);

    // The audit log shows the job, from upload to completion.
    const audit = await api.http.get('/v1/audit-log').query({ limit: 100 }).set(bearer(brand.key));
    const entries = audit.body.data.filter((e: { target: string }) => e.target === jobId);
    expect(entries.map((e: { action: string }) => e.action).sort()).toEqual(['erasure_job.completed', 'erasure_job.created']);
    expect(entries.find((e: { action: string }) => e.action === 'erasure_job.completed').details).toMatchObject({ erased: N, alreadyErased: 1, rejected: 5, ledgerVerified: true });
    expect((await api.http.get('/v1/audit-log/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });

    // No cross-tenant effect: the other brand's subject is as it was.
    const theirs = await api.http.get(`/v1/subjects/${stranger.id}`).set(bearer(other.key));
    expect(theirs.status).toBe(200);
    expect(theirs.body).toMatchObject({ externalId: 'zq7-other-brand', email: 'stranger.zq7@example.com' });
    // Staged items are gone once the job is done; rejections stay.
    expect((await sql.query(`SELECT 1 FROM erasure_job_items WHERE job_id = $1`, [jobId])).rowCount).toBe(0);
  });

  it('counts subjects erased before as already erased, duplicating nothing', async () => {
    const counts = async () =>
      (
        await sql.query(
          `SELECT (SELECT count(*) FROM privacy_requests WHERE brand_id = $1)::int AS requests,
                  (SELECT count(*) FROM outbox_events WHERE brand_id = $1 AND type = 'subject.erased')::int AS events,
                  (SELECT count(*) FROM tombstones WHERE brand_id = $1)::int AS tombstones`,
          [brand.id],
        )
      ).rows[0];
    const before = await counts();
    const res = await upload(body);
    expect(res.status).toBe(202);
    const { job } = await settled(res.body.id);
    // External ids of erased subjects are found through their tombstones.
    expect(job).toMatchObject({ status: 'completed', erased: 0, alreadyErased: N + 1, rowsRejected: 5, progress: 100, ledgerVerified: true });
    expect(await counts()).toEqual(before);
  });

  it('answers bad uploads with problem+json and keeps jobs within their brand', async () => {
    const wrongType = await upload(`{"externalId":"x"}\n`, brand.key, 'text/csv');
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(wrongType.body).toMatchObject({ code: 'unsupported-media-type', status: 415 });

    const empty = await upload('\n\n');
    expect(empty.status).toBe(422);
    expect(empty.headers['content-type']).toMatch(/^application\/problem\+json/);

    const tooLong = await upload(`{"externalId":"${'x'.repeat(300_000)}"}\n`);
    expect(tooLong.status).toBe(413);

    const noCompliance = await createKey(api, brand, ['subjects:write', 'subjects:read', 'consents:write']);
    const forbidden = await upload(`{"externalId":"x"}\n`, noCompliance);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await api.http.get(`/v1/erasure-jobs/${jobId}`).set(bearer(noCompliance))).status).toBe(403);

    expect((await api.http.get('/v1/erasure-jobs/00000000-0000-4000-8000-000000000000').set(bearer(brand.key))).status).toBe(404);
    expect((await api.http.get('/v1/erasure-jobs/not-a-uuid').set(bearer(brand.key))).status).toBe(404);
    const theirs = await api.http.get(`/v1/erasure-jobs/${jobId}`).set(bearer(other.key));
    expect(theirs.status).toBe(404);
    expect(theirs.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('runs a job once even when two runners of one process start it together', async () => {
    const few = await seed('twice', 60);
    const res = await upload(ndjson(few.map((p) => ({ subjectId: p.id }))));
    const runner = api.app.get(ErasureJobRunner);
    await Promise.all([runner.run(brand.id, res.body.id), runner.run(brand.id, res.body.id)]);
    const { job } = await settled(res.body.id);
    expect(job).toMatchObject({ status: 'completed', erased: 60, alreadyErased: 0 });
    const [{ n }] = (await sql.query(`SELECT count(*)::int AS n FROM privacy_requests WHERE brand_id = $1 AND certificate->>'erasureJobId' = $2`, [brand.id, res.body.id])).rows;
    expect(n).toBe(60);
  });
});

describe('an API process killed during an erasure job', () => {
  let database: { url: string; drop(): Promise<void> };
  const running: RunningCommand[] = [];
  const adminKey = `op_test_${randomBytes(16).toString('hex')}`;
  const masterKey = randomBytes(32).toString('base64');
  const env = { CANDOR_ERASURE_CHUNK_SUBJECTS: '200', CANDOR_ERASURE_LEASE_MS: '1500', CANDOR_IMPORT_LEASE_MS: '1500' };

  beforeAll(async () => {
    database = await cloneTemplate(inject('templateDatabase'));
  });
  afterAll(async () => {
    for (const p of running) await p.stop();
    await database?.drop();
  });

  async function startProcess(): Promise<{ url: string; process: RunningCommand }> {
    const port = await freePort();
    const process = runCommand(['api/dist/main.js'], {
      NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: database.url, CANDOR_ADMIN_KEY: adminKey,
      CANDOR_MASTER_KEY: masterKey, CANDOR_DEMO: '0', CANDOR_WEBHOOK_POLL_MS: '0', LOG_LEVEL: 'warn', ...env,
    });
    running.push(process);
    const url = `http://127.0.0.1:${port}`;
    await waitForOk(`${url}/healthz`, 60_000, process);
    return { url, process };
  }

  it('erases every subject exactly once: another process finishes the job', async () => {
    const first = await startProcess();
    const created = await call(first.url, adminKey, 'POST', '/v1/brands', { slug: `erase-kill-${randomBytes(3).toString('hex')}`, name: 'Kill', defaultLocale: 'en' });
    const brandId = created.body.id as string;
    const key = created.body.apiKey.key as string;
    const subjects = 4000;
    const people = Array.from({ length: subjects }, (_, i) => `{"type":"subject","externalId":"ek-${i}","email":"ek${i}@example.com"}`).join('\n') + '\n';
    const imported = await call(first.url, key, 'POST', '/v1/imports', people, 'application/x-ndjson');
    let seeded = imported.body;
    for (let i = 0; i < 600 && seeded.status === 'merging'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      seeded = (await call(first.url, key, 'GET', `/v1/imports/${imported.body.id}`)).body;
    }
    expect(seeded).toMatchObject({ status: 'completed', rowsDone: subjects });

    const lines = Array.from({ length: subjects }, (_, i) => `{"externalId":"ek-${i}"}`).join('\n') + '\n';
    const accepted = await call(first.url, key, 'POST', '/v1/erasure-jobs', lines, 'application/x-ndjson');
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const id = accepted.body.id as string;

    // Kill it (no shutdown hooks) part-way through.
    let seen = accepted.body;
    for (let i = 0; i < 1000 && seen.status !== 'completed' && seen.erased < 1000; i++) {
      await new Promise((r) => setTimeout(r, 10));
      seen = (await call(first.url, key, 'GET', `/v1/erasure-jobs/${id}`)).body;
    }
    first.process.child.kill('SIGKILL');
    await first.process.stop();
    expect(seen.status).toBe('running');
    expect(seen.erased).toBeGreaterThan(0);
    expect(seen.erased).toBeLessThan(subjects);

    const second = await startProcess();
    let job = (await call(second.url, key, 'GET', `/v1/erasure-jobs/${id}`)).body;
    for (let i = 0; i < 600 && job.status !== 'completed' && job.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await call(second.url, key, 'GET', `/v1/erasure-jobs/${id}`)).body;
    }
    expect(job).toMatchObject({ status: 'completed', totalLines: subjects, erased: subjects, alreadyErased: 0, rowsRejected: 0, progress: 100, ledgerVerified: true });

    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      const [counts] = (
        await sql.query(
          `SELECT (SELECT count(*) FROM subjects WHERE brand_id = $1 AND erased_at IS NOT NULL)::int AS erased,
                  (SELECT count(*) FROM subject_keys WHERE brand_id = $1)::int AS keys,
                  (SELECT count(*) FROM privacy_requests WHERE brand_id = $1 AND status = 'completed')::int AS requests,
                  (SELECT count(DISTINCT subject_id) FROM privacy_requests WHERE brand_id = $1)::int AS requested,
                  (SELECT count(*) FROM privacy_request_events WHERE brand_id = $1)::int AS history,
                  (SELECT count(*) FROM outbox_events WHERE brand_id = $1 AND type = 'subject.erased')::int AS events,
                  (SELECT count(*) FROM tombstones WHERE brand_id = $1)::int AS tombstones`,
          [brandId],
        )
      ).rows;
      expect(counts).toEqual({ erased: subjects, keys: 0, requests: subjects, requested: subjects, history: 2 * subjects, events: subjects, tombstones: 2 * subjects });
    } finally {
      await sql.end();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { cloneTemplate } from '../support/database';
import { callApi as call, freePort, runCommand, RunningCommand, waitForOk } from '../support/processes';

/**
 * Several API processes against one PostgreSQL, as `CANDOR_WORKERS` or a load balancer runs them.
 * These start the built API (`api/dist/main.js`; `npm test` builds it first) as real processes.
 */
let database: { url: string; drop(): Promise<void> };
const adminKey = `op_test_${randomBytes(16).toString('hex')}`;
const masterKey = randomBytes(32).toString('base64');
const running: RunningCommand[] = [];

async function startProcess(env: Record<string, string> = {}): Promise<{ url: string; process: RunningCommand }> {
  const port = await freePort();
  const process = runCommand(['api/dist/main.js'], {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    CANDOR_ADMIN_KEY: adminKey,
    CANDOR_MASTER_KEY: masterKey,
    CANDOR_DEMO: '0',
    CANDOR_WEBHOOK_POLL_MS: '0',
    LOG_LEVEL: 'warn',
    ...env,
  });
  running.push(process);
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/healthz`, 60_000, process);
  return { url, process };
}

beforeAll(async () => {
  database = await cloneTemplate(inject('templateDatabase'));
});
afterAll(async () => {
  for (const p of running) await p.stop();
  await database?.drop();
});

describe('two API processes on one database', () => {
  it('see a withdrawal made through one process in the very next decision on the other', async () => {
    const [a, b] = await Promise.all([startProcess(), startProcess()]);
    const brand = await call(a.url, adminKey, 'POST', '/v1/brands', { slug: `two-${randomBytes(3).toString('hex')}`, name: 'Two', defaultLocale: 'en' });
    expect(brand.status).toBe(201);
    const key = brand.body.apiKey.key as string;
    expect((await call(a.url, key, 'POST', '/v1/purpose-catalogue/email_marketing/adopt')).status).toBe(201);
    const subject = (await call(a.url, key, 'POST', '/v1/subjects', { externalId: 'both' })).body;
    const decide = () => call(b.url, key, 'GET', `/v1/decisions/contact?subjectId=${subject.id}&purpose=email_marketing&channel=email`);

    for (let round = 0; round < 5; round++) {
      expect((await call(a.url, key, 'POST', `/v1/subjects/${subject.id}/consents`, { purpose: 'email_marketing', granted: true })).status).toBe(201);
      // Warm process B (its key cache, its prepared statements) on the granted state…
      for (let i = 0; i < 3; i++) expect((await decide()).body).toMatchObject({ allowed: true, reasons: ['consent-granted'] });
      // …then withdraw through A: B's very next decision must say no.
      expect((await call(a.url, key, 'POST', `/v1/subjects/${subject.id}/consents`, { purpose: 'email_marketing', granted: false })).status).toBe(201);
      expect((await decide()).body).toEqual({ allowed: false, reasons: ['consent-withdrawn'] });
    }
  });
});

describe('an API process killed during an import', () => {
  it('loses no acknowledged line and duplicates none: another process finishes the job', async () => {
    const env = { CANDOR_IMPORT_CHUNK_LINES: '400', CANDOR_IMPORT_LEASE_MS: '1500' };
    const first = await startProcess(env);
    const brand = await call(first.url, adminKey, 'POST', '/v1/brands', { slug: `kill-${randomBytes(3).toString('hex')}`, name: 'Kill', defaultLocale: 'en' });
    const key = brand.body.apiKey.key as string;
    await call(first.url, key, 'POST', '/v1/purpose-catalogue/email_marketing/adopt');
    const subjects = 4000;
    const lines: string[] = [];
    for (let i = 0; i < subjects; i++) lines.push(JSON.stringify({ type: 'subject', externalId: `k-${i}` }));
    for (let i = 0; i < subjects; i++) {
      lines.push(JSON.stringify({ type: 'consent', externalId: `k-${i}`, purpose: 'email_marketing', granted: i % 2 === 0, capturedAt: '2025-01-01T00:00:00Z' }));
    }
    const accepted = await call(first.url, key, 'POST', '/v1/imports', lines.join('\n') + '\n', 'application/x-ndjson');
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const id = accepted.body.id as string;

    // Kill it (no shutdown hooks) while it is part-way through merging.
    let seen = accepted.body;
    for (let i = 0; i < 400 && seen.status === 'merging' && seen.rowsDone < 1200; i++) {
      await new Promise((r) => setTimeout(r, 10));
      seen = (await call(first.url, key, 'GET', `/v1/imports/${id}`)).body;
    }
    first.process.child.kill('SIGKILL');
    await first.process.stop();
    // It really was cut off part-way: some chunks merged, not all.
    expect(seen.status).toBe('merging');
    expect(seen.rowsDone).toBeGreaterThan(0);
    expect(seen.rowsDone).toBeLessThan(2 * subjects);

    const second = await startProcess(env);
    let job = (await call(second.url, key, 'GET', `/v1/imports/${id}`)).body;
    for (let i = 0; i < 600 && job.status === 'merging'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await call(second.url, key, 'GET', `/v1/imports/${id}`)).body;
    }
    expect(job).toMatchObject({ status: 'completed', totalLines: 2 * subjects, rowsDone: 2 * subjects, rowsRejected: 0, progress: 100 });

    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      const [counts] = (
        await sql.query(
          `SELECT (SELECT count(*) FROM subjects WHERE brand_id = $1)::int AS subjects,
                  (SELECT count(*) FROM subject_keys WHERE brand_id = $1)::int AS keys,
                  (SELECT count(*) FROM consent_events WHERE brand_id = $1)::int AS events,
                  (SELECT count(DISTINCT subject_id) FROM consent_events WHERE brand_id = $1)::int AS decided,
                  (SELECT count(*) FROM consent_states WHERE brand_id = $1 AND granted)::int AS granted,
                  (SELECT last_seq FROM ledger_heads WHERE brand_id = $1)::int AS head`,
          [brand.body.id],
        )
      ).rows;
      expect(counts).toEqual({ subjects, keys: subjects, events: subjects, decided: subjects, granted: subjects / 2, head: subjects });
    } finally {
      await sql.end();
    }
    expect((await call(second.url, key, 'GET', '/v1/ledger/verify')).body).toMatchObject({ ok: true, events: subjects });
  });
});

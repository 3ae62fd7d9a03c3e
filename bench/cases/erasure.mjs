// Bulk erasure: many subjects (each with an email, a consent and two facts) erased as one job
// through POST /v1/erasure-jobs, its progress polled until it completes.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { call, log, ROOT, startApi, withClient } from '../lib/harness.mjs';

const { hashEvent } = createRequire(import.meta.url)(join(ROOT, 'api/dist/modules/ledger/hash-chain.js'));

const POLL_MS = 250;

async function postNdjson(api, key, path, body) {
  const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson' }, body });
  const job = await res.json();
  if (res.status !== 202) throw new Error(`${path} refused: ${res.status} ${JSON.stringify(job).slice(0, 500)}`);
  return job;
}

/**
 * Everything set-wise in SQL, as the scale case seeds (fast, and independent of other routes):
 * subjects with an email (random ciphertext, a unique lookup hash) and a data key row, two facts
 * each, and one consent each as a real ledger event — hashed with the API's own chain code, in
 * seq order — so the job's one verification of the whole ledger checks a real chain.
 */
async function seed(db, brandId, subjects) {
  await withClient(db.url, async (c) => {
    await c.query(
      `INSERT INTO subjects (brand_id, subject_id, external_id, email_ct, email_hash, created_at, updated_at)
       SELECT $1::uuid, gen_random_uuid(), 'e-' || i, decode(md5(random()::text) || md5(random()::text), 'hex'), encode(sha256(($1::text || ':e' || i)::bytea), 'hex'), now(), now()
       FROM generate_series(1, $2) i`,
      [brandId, subjects],
    );
    await c.query(
      `INSERT INTO subject_keys (brand_id, subject_id, wrapped_key, created_at) SELECT brand_id, subject_id, decode(md5(random()::text) || md5(random()::text), 'hex'), now() FROM subjects WHERE brand_id = $1`,
      [brandId],
    );
    await c.query(
      // Facts as the API stores them (sealed value and source, a 64-hex value hash); placeholder bytes,
      // since erasure never opens them.
      `INSERT INTO facts (brand_id, fact_id, subject_id, fact_key, value_ct, value_hash, category, provenance, source_ct, collected_at)
       SELECT s.brand_id, gen_random_uuid(), s.subject_id, k.key, decode(md5(s.external_id || k.key), 'hex'),
              md5(k.key || (hashtext(s.external_id) & 7)) || md5(k.key), k.category, 'declared', decode(md5(s.external_id), 'hex'), now()
       FROM subjects s CROSS JOIN (VALUES ('motivation', 'motivations'), ('interest', 'interests')) AS k(key, category)
       WHERE s.brand_id = $1`,
      [brandId],
    );
    const ids = (await c.query(`SELECT subject_id FROM subjects WHERE brand_id = $1 ORDER BY external_id`, [brandId])).rows.map((r) => r.subject_id);
    const capturedAt = new Date('2025-06-01T12:00:00.000Z');
    const recordedAt = new Date();
    let prevHash = null;
    const events = ids.map((subjectId, i) => {
      const event = {
        id: randomUUID(), brandId, seq: i + 1, subjectId, purpose: 'email_marketing', granted: i % 3 !== 0, noticeVersion: 1,
        source: 'bench', actor: 'bench', capturedAt, recordedAt, expiresAt: null, evidenceCt: null, prevHash,
      };
      event.hash = hashEvent(event);
      prevHash = event.hash;
      return event;
    });
    for (let from = 0; from < events.length; from += 20_000) {
      const batch = events.slice(from, from + 20_000);
      const col = (k) => batch.map((e) => e[k]);
      await c.query(
        `INSERT INTO consent_events (brand_id, consent_event_id, seq, subject_id, purpose_key, granted, notice_version, source, actor,
                                     captured_at, recorded_at, expires_at, evidence_ct, prev_hash, hash)
         SELECT $1, id, seq, subject_id, 'email_marketing', granted, 1, 'bench', 'bench', $2, $3, NULL, NULL, prev_hash, hash
         FROM unnest($4::uuid[], $5::bigint[], $6::uuid[], $7::boolean[], $8::text[], $9::text[]) AS x(id, seq, subject_id, granted, prev_hash, hash)`,
        [brandId, capturedAt, recordedAt, col('id'), col('seq'), col('subjectId'), col('granted'), col('prevHash'), col('hash')],
      );
    }
    await c.query(`UPDATE ledger_heads SET last_seq = $2, last_hash = $3 WHERE brand_id = $1`, [brandId, events.length, prevHash]);
    await c.query(
      `INSERT INTO consent_states (brand_id, subject_id, purpose_key, granted, notice_version, source, consent_event_id, captured_at, updated_at)
       SELECT brand_id, subject_id, purpose_key, granted, notice_version, source, consent_event_id, captured_at, recorded_at
       FROM consent_events WHERE brand_id = $1`,
      [brandId],
    );
  });
}

export async function erasure(db, { subjects }) {
  const api = await startApi(db, { workers: 1 });
  try {
    const brand = await call(api.url, api.adminKey, 'POST', '/v1/brands', { slug: `erasure-${Date.now()}`, name: 'Erasure', defaultLocale: 'en' });
    const key = brand.apiKey.key;
    await call(api.url, key, 'POST', '/v1/purpose-catalogue/email_marketing/adopt');

    log(`erasure: seeding ${subjects.toLocaleString('en-US')} subjects (email, consent, 2 facts)`);
    const seedStarted = performance.now();
    await seed(db, brand.id, subjects);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await withClient(db.url, (c) => c.query(`VACUUM ANALYZE subjects, subject_keys, facts, consent_states, consent_events, tombstones, privacy_requests`));

    // Half the lines by subject id, half by external id, as a brand's deletion list would mix them.
    const ids = await withClient(db.url, async (c) => (await c.query(`SELECT subject_id, external_id FROM subjects WHERE brand_id = $1`, [brand.id])).rows);
    if (ids.length !== subjects) throw new Error(`seeded ${ids.length} subjects, expected ${subjects}`);
    const body = ids.map((s, i) => (i % 2 ? `{"subjectId":"${s.subject_id}"}` : `{"externalId":"${s.external_id}"}`)).join('\n') + '\n';

    log(`erasure: one job for ${subjects.toLocaleString('en-US')} subjects`);
    const started = performance.now();
    let job = await postNdjson(api, key, '/v1/erasure-jobs', body);
    const uploadMs = performance.now() - started;
    const samples = [{ seconds: uploadMs / 1000, progress: job.progress, erased: job.erased, status: job.status }];
    while (job.status === 'queued' || job.status === 'running') {
      await new Promise((r) => setTimeout(r, POLL_MS));
      job = await call(api.url, key, 'GET', `/v1/erasure-jobs/${job.id}`);
      samples.push({ seconds: (performance.now() - started) / 1000, progress: job.progress, erased: job.erased, status: job.status });
    }
    const seconds = (performance.now() - started) / 1000;
    if (job.status !== 'completed' || job.erased !== subjects) throw new Error(`erasure job: ${JSON.stringify(job).slice(0, 500)}`);
    const verified = await call(api.url, key, 'GET', '/v1/ledger/verify');
    if (!verified.ok || !job.ledgerVerified) throw new Error(`ledger does not verify after erasure: ${JSON.stringify(verified)}`);
    const left = await withClient(db.url, async (c) =>
      (await c.query(
        `SELECT (SELECT count(*) FROM subjects WHERE brand_id = $1 AND erased_at IS NULL)::int AS subjects,
                (SELECT count(*) FROM facts WHERE brand_id = $1)::int AS facts,
                (SELECT count(*) FROM subject_keys WHERE brand_id = $1)::int AS keys,
                (SELECT count(*) FROM privacy_requests WHERE brand_id = $1 AND status = 'completed')::int AS requests,
                (SELECT count(*) FROM outbox_events WHERE brand_id = $1 AND type = 'subject.erased')::int AS events`,
        [brand.id],
      )).rows[0],
    );
    if (left.subjects || left.facts || left.keys || left.requests !== subjects || left.events !== subjects) throw new Error(`after erasure: ${JSON.stringify(left)}`);
    log(`erasure: ${subjects} subjects in ${seconds.toFixed(1)} s (${Math.round(subjects / seconds)}/s); seeding took ${seedSeconds.toFixed(1)} s`);
    return { subjects, seedSeconds, seconds, uploadMs, rate: subjects / seconds, samples, ledgerEvents: verified.events };
  } finally {
    await api.stop();
  }
}

/** A few progress samples, evenly spread over the job (first and last included). */
export function progressSamples(samples, count = 6) {
  if (samples.length <= count) return samples;
  return Array.from({ length: count }, (_, i) => samples[Math.round((i * (samples.length - 1)) / (count - 1))]);
}

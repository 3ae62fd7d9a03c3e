// Reads at scale: an audience over many subjects (first page through the API, exact count with the
// same predicates) and the export of one subject with a long history.
import { call, log, startApi, withClient } from '../lib/harness.mjs';
import { median } from '../lib/stats.mjs';

/** The audience of the brief: standing consent for a purpose, a channel not opted out, two fact filters. */
const AUDIENCE = {
  purpose: 'email_marketing',
  channel: 'email',
  where: [
    { factKey: 'motivation', in: ['sleep_better', 'reduce_stress'] },
    { factKey: 'interest', in: ['yoga', 'running', 'cycling'] },
  ],
  limit: 100,
};

/** The predicates of AudiencesService.query for AUDIENCE, as a count (the API pages; it does not count). */
const COUNT_SQL = `
  SELECT count(*) FROM subjects s
  WHERE s.brand_id = $1 AND s.erased_at IS NULL
    AND EXISTS (SELECT 1 FROM consent_states cs WHERE cs.brand_id = s.brand_id AND cs.subject_id = s.subject_id
                AND cs.purpose_key = 'email_marketing' AND cs.granted AND (cs.expires_at IS NULL OR cs.expires_at > now()))
    AND NOT EXISTS (SELECT 1 FROM preferences pr WHERE pr.brand_id = s.brand_id AND pr.subject_id = s.subject_id
                    AND (pr.channels -> 'email' ->> 'optedIn') = 'false')
    AND EXISTS (SELECT 1 FROM facts f WHERE f.brand_id = s.brand_id AND f.subject_id = s.subject_id AND f.fact_key = 'motivation'
                AND f.value = ANY('{sleep_better,reduce_stress}') AND f.category = ANY('{contact,interests,motivations,preferences}')
                AND f.disputed_at IS NULL AND (f.expires_at IS NULL OR f.expires_at > now()))
    AND EXISTS (SELECT 1 FROM facts f WHERE f.brand_id = s.brand_id AND f.subject_id = s.subject_id AND f.fact_key = 'interest'
                AND f.value = ANY('{yoga,running,cycling}') AND f.category = ANY('{contact,interests,motivations,preferences}')
                AND f.disputed_at IS NULL AND (f.expires_at IS NULL OR f.expires_at > now()))`;

/** The same predicates as a first page, as the API sends them (keyset from the start). */
const FIRST_PAGE_SQL = COUNT_SQL.replace('SELECT count(*) FROM subjects s', 'SELECT s.subject_id, s.external_id FROM subjects s') + ' ORDER BY s.subject_id LIMIT 101';
/** Hash joins over a million subjects want more than PostgreSQL's default 4 MB (docs/operations.md). */
const WORK_MEM = '64MB';

/**
 * Seeds `n` subjects of one brand set-wise: 60% granted email marketing (the rest withdrawn),
 * 10% opted out of email, a motivation fact (4 values) and an interest fact (6 values) each.
 * Written directly with generate_series and COPY-speed INSERT … SELECT; ledger events are real
 * rows with placeholder hashes (this brand's chain is not what is measured here).
 */
async function seedAudience(client, brandId, n) {
  // Scratch data only: skip foreign-key triggers while seeding (every key below is consistent by construction).
  await client.query(`SET session_replication_role = replica`);
  await client.query(`
    INSERT INTO subjects (brand_id, subject_id, external_id, created_at, updated_at)
    SELECT $1::uuid, md5($1::text || i)::uuid, 'aud-' || i, now(), now() FROM generate_series(1, $2) i`, [brandId, n]);
  await client.query(`
    INSERT INTO consent_events (brand_id, consent_event_id, seq, subject_id, purpose_key, granted, notice_version, source, actor, captured_at, recorded_at, prev_hash, hash)
    SELECT $1::uuid, md5('ev' || i)::uuid, i, md5($1::text || i)::uuid, 'email_marketing', i % 5 < 3, 1, 'seed', 'bench', now(), now(), NULL, md5('h' || i)
    FROM generate_series(1, $2) i`, [brandId, n]);
  await client.query(`UPDATE ledger_heads SET last_seq = $2::bigint, last_hash = md5('h' || $2::text) WHERE brand_id = $1::uuid`, [brandId, n]);
  await client.query(`
    INSERT INTO consent_states (brand_id, subject_id, purpose_key, granted, notice_version, source, consent_event_id, captured_at, updated_at)
    SELECT $1::uuid, md5($1::text || i)::uuid, 'email_marketing', i % 5 < 3, 1, 'seed', md5('ev' || i)::uuid, now(), now()
    FROM generate_series(1, $2) i`, [brandId, n]);
  await client.query(`
    INSERT INTO preferences (brand_id, subject_id, channels)
    SELECT $1::uuid, md5($1::text || i)::uuid, '{"email":{"optedIn":false,"frequency":"weekly"}}' FROM generate_series(1, $2, 10) i`, [brandId, n]);
  await client.query(`
    INSERT INTO facts (brand_id, fact_id, subject_id, fact_key, value, category, provenance, source, collected_at)
    SELECT $1::uuid, gen_random_uuid(), md5($1::text || i)::uuid, 'motivation',
           (ARRAY['sleep_better','reduce_stress','focus','energy'])[1 + i % 4], 'motivations', 'declared', 'seed', now()
    FROM generate_series(1, $2) i`, [brandId, n]);
  await client.query(`
    INSERT INTO facts (brand_id, fact_id, subject_id, fact_key, value, category, provenance, source, collected_at)
    SELECT $1::uuid, gen_random_uuid(), md5($1::text || i)::uuid, 'interest',
           (ARRAY['yoga','running','cycling','reading','cooking','music'])[1 + (i / 7) % 6], 'interests', 'declared', 'seed', now()
    FROM generate_series(1, $2) i`, [brandId, n]);
  await client.query(`SET session_replication_role = DEFAULT`);
  await client.query(`VACUUM ANALYZE subjects, consent_states, preferences, facts, consent_events`);
}

/** Runs `sql` inside the tenant scope, as the API does (role candor_app, row-level security). */
async function scoped(client, brandId, sql, params, workMem) {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('role', 'candor_app', true), set_config('app.brand_id', $1, true)`, [brandId]);
    if (workMem) await client.query(`SELECT set_config('work_mem', $1, true)`, [workMem]);
    const started = performance.now();
    const result = await client.query(sql, params);
    return { ms: performance.now() - started, result };
  } finally {
    await client.query('ROLLBACK');
  }
}

export async function scale(db, { runs, audienceSubjects, exportRecords }) {
  const api = await startApi(db, { workers: 1 });
  const out = {};
  try {
    const brand = await call(api.url, api.adminKey, 'POST', '/v1/brands', { slug: `scale-${Date.now()}`, name: 'Scale', defaultLocale: 'en' });
    const key = brand.apiKey.key;
    await call(api.url, key, 'POST', '/v1/purpose-catalogue/email_marketing/adopt');

    log(`scale: seeding ${audienceSubjects.toLocaleString('en-US')} subjects`);
    const seedStarted = performance.now();
    await withClient(db.url, (c) => seedAudience(c, brand.id, audienceSubjects));
    out.seedSeconds = (performance.now() - seedStarted) / 1000;

    const firstPage = [];
    const counts = [];
    const countsTuned = [];
    let count = 0;
    await withClient(db.url, async (c) => {
      for (let r = 0; r < runs; r++) {
        const started = performance.now();
        const page = await call(api.url, key, 'POST', '/v1/audiences/query', AUDIENCE);
        firstPage.push(performance.now() - started);
        if (page.data.length !== AUDIENCE.limit) throw new Error(`audience first page had ${page.data.length} members`);
        const counted = await scoped(c, brand.id, COUNT_SQL, [brand.id]);
        counts.push(counted.ms);
        count = Number(counted.result.rows[0].count);
        countsTuned.push((await scoped(c, brand.id, COUNT_SQL, [brand.id], WORK_MEM)).ms);
      }
      const explain = await scoped(c, brand.id, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${COUNT_SQL}`, [brand.id], WORK_MEM);
      out.countPlan = explain.result.rows.map((r) => r['QUERY PLAN']).join('\n');
      const page = await scoped(c, brand.id, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${FIRST_PAGE_SQL}`, [brand.id]);
      out.firstPagePlan = page.result.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    out.audience = { subjects: audienceSubjects, members: count, firstPageMs: median(firstPage), countMs: median(counts), countTunedMs: median(countsTuned), workMem: WORK_MEM };
    log(`scale: audience first page ${Math.round(out.audience.firstPageMs)} ms, exact count ${Math.round(out.audience.countMs)} ms (work_mem ${WORK_MEM}: ${Math.round(out.audience.countTunedMs)} ms; ${count} members)`);

    // Export: one subject with `exportRecords` facts and as many ledger events, loaded by the import.
    const lines = [JSON.stringify({ type: 'subject', externalId: 'long-history', email: 'long@example.com' })];
    const t0 = Date.parse('2020-01-01T00:00:00Z');
    for (let i = 0; i < exportRecords; i++) {
      lines.push(JSON.stringify({ type: 'consent', externalId: 'long-history', purpose: 'email_marketing', granted: i % 2 === 0, capturedAt: new Date(t0 + i * 60_000).toISOString() }));
      lines.push(JSON.stringify({ type: 'fact', externalId: 'long-history', key: `k_${i % 50}`, value: `v${i}`, category: 'interests', provenance: 'declared', source: 'bench', collectedAt: new Date(t0 + i * 60_000).toISOString() }));
    }
    const res = await fetch(`${api.url}/v1/imports`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson' }, body: lines.join('\n') });
    let job = await res.json();
    while (job.status === 'merging') {
      await new Promise((r) => setTimeout(r, 100));
      job = await call(api.url, key, 'GET', `/v1/imports/${job.id}`);
    }
    if (job.rowsDone !== lines.length) throw new Error(`export seed import: ${JSON.stringify(job).slice(0, 400)}`);
    const subject = (await call(api.url, key, 'GET', '/v1/subjects?externalId=long-history')).data[0];
    const exports = [];
    let size = 0;
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      const res2 = await fetch(`${api.url}/v1/subjects/${subject.id}/export`, { headers: { Authorization: `Bearer ${key}` } });
      const text = await res2.text();
      exports.push(performance.now() - started);
      if (res2.status !== 200) throw new Error(`export: ${res2.status} ${text.slice(0, 300)}`);
      size = text.length;
    }
    out.export = { facts: exportRecords, events: exportRecords, ms: median(exports), bytes: size };
    log(`scale: export of ${exportRecords} facts + ${exportRecords} events in ${Math.round(out.export.ms)} ms`);
  } finally {
    await api.stop();
  }
  return out;
}

// Reads at scale: an audience over many subjects (first page and exact count, both through the API)
// and the export of one subject with a long history.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { call, log, ROOT, startApi, withClient } from '../lib/harness.mjs';
import { median } from '../lib/stats.mjs';

/** The statements the API itself runs for an audience (built API, as the benchmark starts it). */
const { audienceCountStatement, audiencePageStatement, COUNT_SETTINGS } = createRequire(import.meta.url)(
  join(ROOT, 'api/dist/modules/audiences/audiences.service.js'),
);

const { CryptoService } = createRequire(import.meta.url)(join(ROOT, 'api/dist/common/crypto/crypto.service.js'));
const { factValueHash } = createRequire(import.meta.url)(join(ROOT, 'api/dist/modules/facts/fact-sealing.js'));

/** The keyed hash the API compares fact values by, with the master key the benchmark gives the API. */
function valueHasher(brandId) {
  const crypto = new CryptoService({ masterKey: Buffer.from(process.env.BENCH_MASTER_KEY, 'base64') });
  return (key, value) => factValueHash(crypto, brandId, key, value);
}

/** The audience of the brief: standing consent for a purpose, a channel not opted out, two fact filters. */
const DEFINITION = {
  purpose: 'email_marketing',
  channel: 'email',
  where: [
    { factKey: 'motivation', in: ['sleep_better', 'reduce_stress'] },
    { factKey: 'interest', in: ['yoga', 'running', 'cycling'] },
  ],
};
const AUDIENCE = { ...DEFINITION, limit: 100 };

/**
 * Members of DEFINITION among `n` subjects seeded by seedAudience, worked out from the seed's own
 * arithmetic (not by the database): granted, not opted out of email, a chosen motivation and interest.
 */
function expectedMembers(n) {
  let members = 0;
  for (let i = 1; i <= n; i++) {
    if (i % 5 < 3 && i % 10 !== 1 && i % 4 < 2 && Math.floor(i / 7) % 6 < 3) members++;
  }
  return members;
}

/**
 * Seeds `n` subjects of one brand set-wise: 60% granted email marketing (the rest withdrawn),
 * 10% opted out of email, a motivation fact (4 values) and an interest fact (6 values) each.
 * Written directly with generate_series and COPY-speed INSERT … SELECT; ledger events are real
 * rows with placeholder hashes (this brand's chain is not what is measured here). Facts carry the
 * real keyed hashes of their values (what audiences filter by) and placeholder bytes where the API
 * stores the sealed value and source, and the sealed preference topics (an audience never opens
 * them; these subjects have no keys).
 */
async function seedAudience(client, brandId, n) {
  const hash = valueHasher(brandId);
  const motivations = ['sleep_better', 'reduce_stress', 'focus', 'energy'];
  const interests = ['yoga', 'running', 'cycling', 'reading', 'cooking', 'music'];
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
    INSERT INTO preferences (brand_id, subject_id, channels, topics_ct)
    SELECT $1::uuid, md5($1::text || i)::uuid, '{"email":{"optedIn":false,"frequency":"weekly"}}', decode(md5('p' || i), 'hex')
    FROM generate_series(1, $2, 10) i`, [brandId, n]);
  await client.query(`
    INSERT INTO facts (brand_id, fact_id, subject_id, fact_key, value_ct, value_hash, category, provenance, source_ct, collected_at)
    SELECT $1::uuid, gen_random_uuid(), md5($1::text || i)::uuid, 'motivation', decode(md5('v' || i), 'hex'),
           ($3::text[])[1 + i % 4], 'motivations', 'declared', decode(md5('s' || i), 'hex'), now()
    FROM generate_series(1, $2) i`, [brandId, n, motivations.map((v) => hash('motivation', v))]);
  await client.query(`
    INSERT INTO facts (brand_id, fact_id, subject_id, fact_key, value_ct, value_hash, category, provenance, source_ct, collected_at)
    SELECT $1::uuid, gen_random_uuid(), md5($1::text || i)::uuid, 'interest', decode(md5('w' || i), 'hex'),
           ($3::text[])[1 + (i / 7) % 6], 'interests', 'declared', decode(md5('t' || i), 'hex'), now()
    FROM generate_series(1, $2) i`, [brandId, n, interests.map((v) => hash('interest', v))]);
  await client.query(`SET session_replication_role = DEFAULT`);
  await client.query(`VACUUM ANALYZE subjects, consent_states, preferences, facts, consent_events`);
}

/** Runs `sql` inside the tenant scope, as the API does (role candor_app, row-level security), after `settings` SQL if given. */
async function scoped(client, brandId, sql, params, settings) {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT set_config('role', 'candor_app', true), set_config('app.brand_id', $1, true)`, [brandId]);
    if (settings) await client.query(settings);
    return await client.query(sql, params);
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
    let count = 0;
    // At least three counts, alternating with the first page (both through the API, same key).
    for (let r = 0; r < Math.max(3, runs); r++) {
      let started = performance.now();
      const page = await call(api.url, key, 'POST', '/v1/audiences/query', AUDIENCE);
      firstPage.push(performance.now() - started);
      if (page.data.length !== AUDIENCE.limit) throw new Error(`audience first page had ${page.data.length} members`);
      started = performance.now();
      const counted = await call(api.url, key, 'POST', '/v1/audiences/count', DEFINITION);
      counts.push(performance.now() - started);
      count = counted.count;
    }
    const expected = expectedMembers(audienceSubjects);
    if (count !== expected) throw new Error(`audience count ${count}, but the seed has ${expected} members`);
    await withClient(db.url, async (c) => {
      const [purpose] = (await c.query(
        `SELECT purpose_key AS key, legal_basis AS "legalBasis", data_categories AS "dataCategories" FROM purposes WHERE brand_id = $1 AND purpose_key = $2`,
        [brand.id, DEFINITION.purpose],
      )).rows;
      const explain = async (statement, settings) =>
        (await scoped(c, brand.id, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${statement.sql}`, statement.params, settings)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const hash = valueHasher(brand.id);
      out.countPlan = await explain(audienceCountStatement(brand.id, purpose, DEFINITION, hash), COUNT_SETTINGS);
      out.firstPagePlan = await explain(audiencePageStatement(brand.id, purpose, DEFINITION, hash, null, AUDIENCE.limit + 1));
    });
    out.audience = { subjects: audienceSubjects, members: count, firstPageMs: median(firstPage), countMs: median(counts), countRuns: counts };
    log(`scale: audience first page ${Math.round(out.audience.firstPageMs)} ms, exact count ${Math.round(out.audience.countMs)} ms (runs ${counts.map(Math.round).join(', ')}; ${count} members)`);

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

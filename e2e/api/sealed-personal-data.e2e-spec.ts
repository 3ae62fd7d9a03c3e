import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../api/src/common/database/data-source';
import { FactSealingBackfill } from '../../api/src/modules/facts/fact-backfill.service';
import { SuppressionSealingBackfill } from '../../api/src/modules/decisions/suppression-backfill.service';
import { SealFacts1764910000000 } from '../../migrations/src/1764910000000-seal-facts';
import { SealSuppressionReasons1764920000000 } from '../../migrations/src/1764920000000-seal-suppression-reasons';
import { SealPreferenceTopics1764940000000 } from '../../migrations/src/1764940000000-seal-preference-topics';
import { PreferenceSealingBackfill } from '../../api/src/modules/preferences/preference-backfill.service';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';

/**
 * Issue 12 item 7: personal values are sealed under the subject's data key when stored. Fact values and sources are sealed under the subject's data key by every path
 * that writes them, read back decrypted, filtered by keyed hash, and facts stored in plaintext
 * before migration 1764910000000 are sealed by the API when it starts.
 */

let api: TestApi;
let sql: Client;
let ds: DataSource;

beforeAll(async () => {
  api = await startApi();
  sql = new Client({ connectionString: api.databaseUrl! });
  await sql.connect();
  ds = createDataSource(api.databaseUrl!, { poolSize: 1 });
  await ds.initialize();
});
afterAll(async () => {
  await ds?.destroy();
  await sql?.end();
  await api?.close();
});

const me = (token: string) => ({ Authorization: `Bearer ${token}` });
const marker = (label: string) => `${label}_${randomBytes(5).toString('hex')}`;

/** Every stored fact row of a brand, as raw columns. */
async function rows(brandId: string) {
  return (await sql.query(`SELECT fact_id, fact_key, value, source, value_ct, value_hash, source_ct FROM facts WHERE brand_id = $1`, [brandId])).rows as Array<{
    fact_id: string; fact_key: string; value: string | null; source: string | null; value_ct: Buffer | null; value_hash: string | null; source_ct: Buffer | null;
  }>;
}

/** The brand's view of the subject's facts (the export opens them). */
async function exported(brand: TestBrand, subjectId: string): Promise<Array<{ key: string; value: string; source: string }>> {
  const res = await api.http.get(`/v1/subjects/${subjectId}/export`).set(bearer(brand.key));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.facts;
}

async function audience(brand: TestBrand, factKey: string, values: string[]) {
  const definition = { purpose: 'personalization', where: [{ factKey, in: values }] };
  const page = await api.http.post('/v1/audiences/query').set(bearer(brand.key)).send(definition);
  expect(page.status, JSON.stringify(page.body)).toBe(200);
  const count = await api.http.post('/v1/audiences/count').set(bearer(brand.key)).send(definition);
  expect(count.status, JSON.stringify(count.body)).toBe(200);
  expect(count.body.count).toBe(page.body.data.length);
  return page.body.data.map((m: { id: string }) => m.id).sort();
}

async function settledImport(brand: TestBrand, lines: object[]) {
  const res = await api.http.post('/v1/imports').set(bearer(brand.key)).set('Content-Type', 'application/x-ndjson').send(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  for (let i = 0; i < 200; i++) {
    const job = await api.http.get(`/v1/imports/${res.body.id}`).set(bearer(brand.key));
    if (job.body.status !== 'merging') return job.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('import did not finish');
}

describe('fact values and sources are sealed', () => {
  it('by every path that writes a fact, read back in plaintext, and matched by audiences through the value hash', async () => {
    const brand = await createBrand(api, 'Sealed Harbor');
    await adoptPurpose(api, brand, 'personalization');
    const question = await api.http.post('/v1/questions').set(bearer(brand.key)).send({
      key: 'why', text: { en: 'Why are you here?' }, factKey: 'why', category: 'motivations', options: [{ value: 'sleep_better', label: { en: 'Sleep better' } }, { value: 'focus', label: { en: 'Focus' } }],
    });
    expect(question.status, JSON.stringify(question.body)).toBe(201);
    const subject = await createSubject(api, brand, { externalId: marker('ext') });
    await grant(api, brand, subject.id, 'personalization');
    const token = await signInCustomer(api, brand, subject.id);

    const written: Record<string, { value: string; source: string }> = {};
    // Brand API.
    written.hobby = { value: marker('api_value'), source: marker('api_source') };
    await recordFact(api, brand, subject.id, { key: 'hobby', category: 'interests', ...written.hobby });
    // Portal, then a correction.
    const mine = await api.http.post('/v1/me/facts').set(me(token)).send({ key: 'goal', value: marker('portal_value'), category: 'motivations' });
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    const corrected = await api.http.patch(`/v1/me/facts/${mine.body.id}`).set(me(token)).send({ value: marker('corrected_value') });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    expect(corrected.body.value).toMatch(/^corrected_value_/);
    written.goal = { value: corrected.body.value, source: 'portal' };
    // A question answered.
    const answered = await api.http.post('/v1/me/questions/why/answer').set(me(token)).send({ values: ['sleep_better'] });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body.facts.map((f: { value: string }) => f.value)).toEqual(['sleep_better']);
    written.why = { value: 'sleep_better', source: answered.body.facts[0].source };
    // A bulk import (set-wise, sealed for an existing subject).
    const importedValue = marker('import_value');
    const importedSource = marker('import_source');
    const job = await settledImport(brand, [{ type: 'fact', externalId: subject.externalId, key: 'shoe', value: importedValue, category: 'interests', provenance: 'declared', source: importedSource }]);
    expect(job).toMatchObject({ status: 'completed', rowsRejected: 0 });
    written.shoe = { value: importedValue, source: importedSource };

    // Storage holds ciphertext and hashes only: no plaintext column, no marker in any sealed byte.
    const stored = await rows(brand.id);
    expect(stored.map((r) => r.fact_key).sort()).toEqual(Object.keys(written).sort());
    for (const row of stored) {
      expect(row, row.fact_key).toMatchObject({ value: null, source: null });
      expect(row.value_ct!.includes(Buffer.from(written[row.fact_key].value))).toBe(false);
      expect(row.source_ct!.includes(Buffer.from(written[row.fact_key].source))).toBe(false);
      expect(row.value_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    // Every read opens them: the export, the portal, a purpose-scoped profile.
    const opened = Object.fromEntries((await exported(brand, subject.id)).map((f) => [f.key, { value: f.value, source: f.source }]));
    expect(opened).toEqual(written);
    const portal = await api.http.get('/v1/me').set(me(token));
    expect(Object.fromEntries(portal.body.facts.map((f: { key: string; value: string; source: string }) => [f.key, { value: f.value, source: f.source }]))).toEqual(written);
    const profile = await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'personalization' }).set(bearer(brand.key));
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);

    // Audiences filter by value through the hash, whichever path wrote the fact.
    for (const [key, { value }] of Object.entries(written)) {
      expect(await audience(brand, key, [value, 'something_else']), key).toEqual([subject.id]);
      expect(await audience(brand, key, [`${value}x`]), key).toEqual([]);
    }
    // The same import again adds nothing (de-duplicated by value hash and opened source).
    await settledImport(brand, [{ type: 'fact', externalId: subject.externalId, key: 'shoe', value: importedValue, category: 'interests', provenance: 'declared', source: importedSource }]);
    expect((await rows(brand.id)).length).toBe(stored.length);
    // Another source is another fact.
    await settledImport(brand, [{ type: 'fact', externalId: subject.externalId, key: 'shoe', value: importedValue, category: 'interests', provenance: 'declared', source: 'elsewhere' }]);
    expect((await rows(brand.id)).length).toBe(stored.length + 1);
  });
});

describe('migration 1764910000000 and the start-up backfill', () => {
  it('seals facts stored in plaintext before it, in batches, once, and they read and filter as before', async () => {
    const brand = await createBrand(api, 'Legacy Harbor');
    await adoptPurpose(api, brand, 'personalization');
    const subjects = [await createSubject(api, brand), await createSubject(api, brand)];
    for (const s of subjects) await grant(api, brand, s.id, 'personalization');

    const migration = new SealFacts1764910000000();
    const runner = ds.createQueryRunner();
    try {
      // Going back would lose sealed values: refused while any exists.
      const sealedFact = await recordFact(api, brand, subjects[0].id, { key: 'hobby', value: 'sealed', category: 'interests' });
      await expect(migration.down(runner)).rejects.toThrow(/sealed/);
      await sql.query(`DELETE FROM facts WHERE fact_id = $1`, [sealedFact.id]);
      await sql.query(`DELETE FROM facts WHERE value_ct IS NOT NULL`); // other files' facts do not share this database
      await migration.down(runner);
      // Facts as the API wrote them before the migration: plaintext.
      for (const [i, s] of subjects.entries()) {
        for (const value of ['I meditate to sleep better', `legacy-${i}`]) {
          await sql.query(
            `INSERT INTO facts (brand_id, fact_id, subject_id, fact_key, value, category, provenance, source, collected_at)
             VALUES ($1, gen_random_uuid(), $2, 'motivation', $3, 'motivations', 'declared', 'order #10442', now())`,
            [brand.id, s.id, value],
          );
        }
      }
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    // Before the backfill: still read (as they are), not yet found by value.
    expect((await exported(brand, subjects[0].id)).map((f) => f.value).sort()).toEqual(['I meditate to sleep better', 'legacy-0']);
    expect(await audience(brand, 'motivation', ['I meditate to sleep better'])).toEqual([]);

    const backfill = api.app.get(FactSealingBackfill);
    expect(await backfill.run(3)).toBe(4); // two batches of this brand's four rows
    expect(await backfill.run(3)).toBe(0); // idempotent

    for (const row of await rows(brand.id)) {
      expect(row).toMatchObject({ value: null, source: null });
      expect(row.value_ct!.includes(Buffer.from('meditate'))).toBe(false);
      expect(row.source_ct!.includes(Buffer.from('10442'))).toBe(false);
    }
    for (const [i, s] of subjects.entries()) {
      const facts = await exported(brand, s.id);
      expect(facts.map((f) => [f.value, f.source]).sort()).toEqual([['I meditate to sleep better', 'order #10442'], [`legacy-${i}`, 'order #10442']]);
    }
    expect(await audience(brand, 'motivation', ['I meditate to sleep better'])).toEqual(subjects.map((s) => s.id).sort());
    expect(await audience(brand, 'motivation', ['legacy-1'])).toEqual([subjects[1].id]);
    // A row is either sealed or plaintext, never half of each.
    await expect(sql.query(`UPDATE facts SET value = 'x' WHERE brand_id = $1`, [brand.id])).rejects.toThrow(/ck_facts_sealed/);
  });
});

describe('suppression reasons are sealed', () => {
  /** The reasons a contact decision gives, single and batch (two code paths, one SQL). */
  async function decisionReasons(brand: TestBrand, subjectId: string): Promise<string[]> {
    const check = { subjectId, purpose: 'email_marketing', channel: 'email' };
    const single = await api.http.get('/v1/decisions/contact').query(check).set(bearer(brand.key));
    expect(single.status, JSON.stringify(single.body)).toBe(200);
    const batch = await api.http.post('/v1/decisions/contact').set(bearer(brand.key)).send({ checks: [check, check] });
    expect(batch.status, JSON.stringify(batch.body)).toBe(200);
    for (const r of batch.body.results) expect(r.reasons).toEqual(single.body.reasons);
    return single.body.reasons;
  }
  const until = () => new Date(Date.now() + 86_400_000).toISOString();

  it('stores the reason only as ciphertext, and decisions still say it', async () => {
    const brand = await createBrand(api, 'Quiet Harbor');
    await adoptPurpose(api, brand, 'email_marketing');
    const subject = await createSubject(api, brand, { email: 'quiet@example.com' });
    await grant(api, brand, subject.id, 'email_marketing');
    const reason = marker('support_case');
    const res = await api.http.post(`/v1/subjects/${subject.id}/suppressions`).set(bearer(brand.key)).send({ reason, until: until() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.reason).toBe(reason);
    const [row] = (await sql.query(`SELECT reason, reason_ct FROM suppressions WHERE suppression_id = $1`, [res.body.id])).rows;
    expect(row.reason).toBeNull();
    expect(row.reason_ct.includes(Buffer.from(reason))).toBe(false);
    expect(await decisionReasons(brand, subject.id)).toContain(`suppressed:${reason}`);
  });

  it('migration 1764920000000: reasons stored in plaintext before it are sealed at start, once', async () => {
    const brand = await createBrand(api, 'Old Quiet Harbor');
    await adoptPurpose(api, brand, 'email_marketing');
    const subject = await createSubject(api, brand);
    await grant(api, brand, subject.id, 'email_marketing');
    const migration = new SealSuppressionReasons1764920000000();
    const runner = ds.createQueryRunner();
    try {
      const sealed = await api.http.post(`/v1/subjects/${subject.id}/suppressions`).set(bearer(brand.key)).send({ reason: 'open_cart', until: until() });
      expect(sealed.status).toBe(201);
      await expect(migration.down(runner)).rejects.toThrow(/sealed/);
      await sql.query(`DELETE FROM suppressions`);
      await migration.down(runner);
      await sql.query(`INSERT INTO suppressions (brand_id, suppression_id, subject_id, reason, until) VALUES ($1, gen_random_uuid(), $2, 'legacy_reason', now() + interval '1 day')`, [brand.id, subject.id]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await decisionReasons(brand, subject.id)).toContain('suppressed:legacy_reason'); // read as it is until sealed
    const backfill = api.app.get(SuppressionSealingBackfill);
    expect(await backfill.run(1)).toBe(1);
    expect(await backfill.run(1)).toBe(0);
    const [row] = (await sql.query(`SELECT reason, reason_ct FROM suppressions WHERE brand_id = $1`, [brand.id])).rows;
    expect(row.reason).toBeNull();
    expect(row.reason_ct.includes(Buffer.from('legacy_reason'))).toBe(false);
    expect(await decisionReasons(brand, subject.id)).toContain('suppressed:legacy_reason');
    await expect(sql.query(`UPDATE suppressions SET reason = 'x' WHERE brand_id = $1`, [brand.id])).rejects.toThrow(/ck_suppressions_sealed/);
  });
});

describe('preference topics are sealed', () => {
  const channels = { email: { optedIn: true, frequency: 'weekly' } };
  async function stored(brandId: string, subjectId: string) {
    const [row] = (await sql.query(`SELECT topics, topics_ct, version FROM preferences WHERE brand_id = $1 AND subject_id = $2`, [brandId, subjectId])).rows;
    return row as { topics: string[] | null; topics_ct: Buffer | null; version: number };
  }

  it('from the portal and from imports, read back as they were, and an import run again changes nothing', async () => {
    const brand = await createBrand(api, 'Topical Harbor');
    const subject = await createSubject(api, brand, { externalId: marker('ext') });
    const token = await signInCustomer(api, brand, subject.id);
    const topics = [marker('sleep'), marker('breathing')];
    const read = await api.http.get('/v1/me/preferences').set(me(token));
    const saved = await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', read.headers.etag).send({ channels, topics });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.topics).toEqual(topics);
    let row = await stored(brand.id, subject.id);
    expect(row.topics).toBeNull();
    for (const t of topics) expect(row.topics_ct!.includes(Buffer.from(t))).toBe(false);
    expect((await api.http.get('/v1/me/preferences').set(me(token))).body.topics).toEqual(topics);
    // A stale write is refused with the current values, topics opened.
    const stale = await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', read.headers.etag).send({ channels, topics: ['other'] });
    expect(stale.status).toBe(412);
    expect(stale.body.current.topics).toEqual(topics);
    const exportedTopics = (await api.http.get(`/v1/subjects/${subject.id}/export`).set(bearer(brand.key))).body.preferences.topics;
    expect(exportedTopics).toEqual(topics);

    // An import line with other topics replaces them, sealed; the same file again moves no version.
    const importedTopics = [marker('imported')];
    const line = { type: 'preference', externalId: subject.externalId, channels, topics: importedTopics };
    expect(await settledImport(brand, [line])).toMatchObject({ status: 'completed', rowsRejected: 0 });
    row = await stored(brand.id, subject.id);
    expect(row).toMatchObject({ topics: null, version: 2 });
    expect(row.topics_ct!.includes(Buffer.from(importedTopics[0]))).toBe(false);
    expect((await api.http.get('/v1/me/preferences').set(me(token))).body.topics).toEqual(importedTopics);
    await settledImport(brand, [line]);
    expect((await stored(brand.id, subject.id)).version).toBe(2);
    // Same topics, other channels: a change.
    await settledImport(brand, [{ ...line, channels: { email: { optedIn: false, frequency: 'weekly' } } }]);
    expect((await stored(brand.id, subject.id)).version).toBe(3);
    // A new subject's preferences come from the import sealed too.
    const fresh = marker('fresh');
    await settledImport(brand, [{ type: 'subject', externalId: fresh }, { type: 'preference', externalId: fresh, channels, topics: ['t_one'] }]);
    const created = (await api.http.get('/v1/subjects').query({ externalId: fresh }).set(bearer(brand.key))).body.data[0];
    expect(await stored(brand.id, created.id)).toMatchObject({ topics: null, version: 1 });
    expect((await api.http.get(`/v1/subjects/${created.id}/export`).set(bearer(brand.key))).body.preferences.topics).toEqual(['t_one']);
  });

  it('migration 1764940000000: topics stored in plaintext before it are sealed at start, once, without a new version', async () => {
    const brand = await createBrand(api, 'Old Topical Harbor');
    const subject = await createSubject(api, brand);
    const token = await signInCustomer(api, brand, subject.id);
    const migration = new SealPreferenceTopics1764940000000();
    const runner = ds.createQueryRunner();
    try {
      const read = await api.http.get('/v1/me/preferences').set(me(token));
      expect((await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', read.headers.etag).send({ channels, topics: ['x'] })).status).toBe(200);
      await expect(migration.down(runner)).rejects.toThrow(/sealed/);
      await sql.query(`DELETE FROM preferences`);
      await migration.down(runner);
      await sql.query(`INSERT INTO preferences (brand_id, subject_id, channels, topics, version) VALUES ($1, $2, $3, '{meditation,sleep_stories}', 4)`, [brand.id, subject.id, channels]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect((await api.http.get('/v1/me/preferences').set(me(token))).body).toMatchObject({ topics: ['meditation', 'sleep_stories'], version: 4 });
    const backfill = api.app.get(PreferenceSealingBackfill);
    expect(await backfill.run(1)).toBe(1);
    expect(await backfill.run(1)).toBe(0);
    const row = await stored(brand.id, subject.id);
    expect(row).toMatchObject({ topics: null, version: 4 });
    expect(row.topics_ct!.includes(Buffer.from('meditation'))).toBe(false);
    expect((await api.http.get('/v1/me/preferences').set(me(token))).body).toMatchObject({ topics: ['meditation', 'sleep_stories'], version: 4 });
    await expect(sql.query(`UPDATE preferences SET topics = '{x}' WHERE brand_id = $1`, [brand.id])).rejects.toThrow(/ck_preferences_sealed/);
  });
});

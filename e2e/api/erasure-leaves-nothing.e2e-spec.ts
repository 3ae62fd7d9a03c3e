import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { ERASED_TABLES, ERASED_TEXT, KEPT_TABLES } from '../../api/src/modules/privacy-requests/erasure.service';
import { startApi, TestApi } from '../support/api';
import { dataDump } from '../support/database';
import { adoptPurpose, bearer, createBrand, createSubject, grant, signInCustomer, TestBrand } from '../support/factories';
import { findNeedles, needlesFor, scanCatalog } from '../support/personal-data-scan';

/**
 * Issue 12 item 7: after "forget me", nothing identifying the subject survives anywhere. Each
 * erasure path erases a subject that put a distinct random marker into every personal field the API
 * accepts; then every text/json/bytea/array column of every table (found in the catalog, not listed
 * here) and a pg_dump of the database are searched for the markers and their common encodings.
 */

let api: TestApi;
let brand: TestBrand;
const SKU = 'sku-erasure-scan';

/** A brand with the purposes and the catalogue item the seeding uses. */
async function scanBrand(api: TestApi): Promise<TestBrand> {
  const brand = await createBrand(api, 'Scan Harbor');
  for (const p of ['email_marketing', 'personalization']) await adoptPurpose(api, brand, p);
  const item = await api.http.put(`/v1/catalog/items/${SKU}`).set(bearer(brand.key)).send({ title: 'Lighthouse stories', tags: [{ factKey: 'hobby', value: 'anything', weight: 1 }] });
  expect(item.status, JSON.stringify(item.body)).toBe(200);
  return brand;
}

beforeAll(async () => {
  api = await startApi();
  brand = await scanBrand(api);
});
afterAll(async () => {
  await api?.close();
});

const me = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The personal fields the API takes, each of which gets its own random marker. */
const FIELDS = [
  'externalId', 'email', 'phone', 'evidence', 'idempotencyKey', 'factValue', 'factSource', 'suppression', 'portalFact', 'topic', 'note', 'extension',
  // Another system's id for the person, and a second record of them merged into this one (issue 17).
  'identifier', 'mergedEmail', 'mergedEvidence',
] as const;
type Field = (typeof FIELDS)[number];

interface Marked {
  id: string;
  /** The second record of the person, merged into `id`. */
  mergedId: string;
  externalId: string;
  token: string;
  /** Each field's marker (the phone's is its digits). */
  marker: Record<Field, string>;
  /** Every marker, for the scans. */
  markers: string[];
  /** Values that must come back in plaintext from the API before erasure. */
  visible: { email: string; phone: string; factValue: string; factSource: string; portalFact: string; topic: string; note: string; identifier: string; mergedEmail: string };
}

/** A subject with a distinct marker in every personal field the API takes. */
async function seedMarked(api: TestApi, brand: TestBrand): Promise<Marked> {
  const marker = Object.fromEntries(FIELDS.map((f) => [f, `zq${randomBytes(6).toString('hex')}`])) as Record<Field, string>;
  marker.phone = String(randomInt(10_000_000, 99_999_999));
  const externalId = `ext-${marker.externalId}`;
  const email = `mail.${marker.email}@example.com`;
  const phone = `+47${marker.phone}`;
  const subject = await createSubject(api, brand, { externalId, email, phone, locale: 'nb', timezone: 'Europe/Oslo' });
  const ok = (res: { status: number; body: unknown }, status: number) => expect(res.status, JSON.stringify(res.body)).toBe(status);

  await grant(api, brand, subject.id, 'personalization');
  ok(
    await api.http
      .post(`/v1/subjects/${subject.id}/consents`)
      .set(bearer(brand.key))
      .set('Idempotency-Key', `idem-${marker.idempotencyKey}`)
      .send({ purpose: 'email_marketing', granted: true, evidence: { form: `form-${marker.evidence}`, ip: '203.0.113.9' } }),
    201,
  );
  const factValue = `val-${marker.factValue}`;
  const factSource = `order ${marker.factSource}`;
  const fact = await api.http
    .post(`/v1/subjects/${subject.id}/facts`)
    .set(bearer(brand.key))
    .send({ key: 'hobby', value: factValue, category: 'interests', provenance: 'declared', source: factSource });
  ok(fact, 201);
  ok(await api.http.post(`/v1/subjects/${subject.id}/suppressions`).set(bearer(brand.key)).send({ reason: `sup_${marker.suppression}`, until: new Date(Date.now() + 86_400_000).toISOString() }), 201);
  ok(await api.http.post(`/v1/subjects/${subject.id}/contacts`).set(bearer(brand.key)).send({ purpose: 'email_marketing', channel: 'email' }), 201);

  const token = await signInCustomer(api, brand, subject.id);
  const portalFact = `goal-${marker.portalFact}`;
  ok(await api.http.post('/v1/me/facts').set(me(token)).send({ key: 'goal', value: portalFact, category: 'motivations' }), 201);
  const topic = `topic_${marker.topic}`;
  const prefs = await api.http.get('/v1/me/preferences').set(me(token));
  ok(prefs, 200);
  ok(await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', prefs.headers.etag).send({ channels: { email: { optedIn: true, frequency: 'weekly' } }, topics: [topic] }), 200);
  ok(await api.http.post(`/v1/me/recommendations/${SKU}/feedback`).set(me(token)).send({ kind: 'not_relevant' }), 200);

  // A rectification that says what it corrected, and an extension whose reason names the person.
  const note = `Changed email from old.${marker.note}@example.com`;
  const rect = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification' });
  ok(rect, 201);
  ok(await api.http.post(`/v1/privacy-requests/${rect.body.id}/execute`).set(bearer(brand.key)).send({ note }), 200);
  const slow = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'restriction' });
  ok(slow, 201);
  ok(await api.http.post(`/v1/privacy-requests/${slow.body.id}/extend`).set(bearer(brand.key)).send({ reason: `waiting for ${marker.extension}'s proof of identity`, days: 30 }), 200);

  // Another system's id for the person, and a second record of them (with its own email and
  // consent evidence) merged into this one.
  const identifier = `loyal-${marker.identifier}`;
  ok(await api.http.post(`/v1/subjects/${subject.id}/identifiers`).set(bearer(brand.key)).send({ type: 'external', system: 'loyalty', value: identifier }), 201);
  const mergedEmail = `other.${marker.mergedEmail}@example.com`;
  const second = await createSubject(api, brand, { email: mergedEmail });
  ok(await api.http.post(`/v1/subjects/${second.id}/consents`).set(bearer(brand.key)).send({ purpose: 'personalization', granted: true, evidence: { form: `till-${marker.mergedEvidence}` } }), 201);
  ok(await api.http.post(`/v1/subjects/${subject.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: second.id }), 200);

  return {
    id: subject.id,
    mergedId: second.id,
    externalId,
    token,
    marker,
    markers: Object.values(marker),
    visible: { email, phone, factValue, factSource, portalFact, topic, note, identifier, mergedEmail },
  };
}

/** Before erasure the markers are there: the API shows them, and the scan finds them (so it can fail). */
async function expectVisible(s: Marked, api: TestApi, brand: TestBrand): Promise<void> {
  const shown = await api.http.get(`/v1/subjects/${s.id}`).set(bearer(brand.key));
  expect(shown.body).toMatchObject({ externalId: s.externalId, email: s.visible.email, phone: s.visible.phone });
  const exported = await api.http.get(`/v1/subjects/${s.id}/export`).set(bearer(brand.key));
  expect(JSON.stringify(exported.body)).toContain(s.visible.factValue);
  expect(JSON.stringify(exported.body)).toContain(s.visible.factSource);
  expect(exported.body.identifiers.map((i: { value: string }) => i.value)).toEqual(expect.arrayContaining([s.visible.identifier, s.visible.mergedEmail]));
  expect(exported.body.mergedRecords.map((m: { subjectId: string }) => m.subjectId)).toEqual([s.mergedId]);
  const found = await api.http.get('/v1/subjects/lookup').query({ type: 'email', value: s.visible.mergedEmail }).set(bearer(brand.key));
  expect(found.body.id).toBe(s.id);
  const mine = await api.http.get('/v1/me').set(me(s.token));
  expect(mine.body.facts.map((f: { value: string }) => f.value)).toEqual(expect.arrayContaining([s.visible.factValue, s.visible.portalFact]));
  expect(mine.body.facts.map((f: { source: string }) => f.source)).toContain(s.visible.factSource);
  expect((await api.http.get('/v1/me/preferences').set(me(s.token))).body.topics).toEqual([s.visible.topic]);
  const decision = await api.http.get('/v1/decisions/contact').query({ subjectId: s.id, purpose: 'email_marketing', channel: 'email' }).set(bearer(brand.key));
  expect(decision.body.reasons).toContain(`suppressed:sup_${s.marker.suppression}`);
  const requests = await api.http.get('/v1/privacy-requests').set(bearer(brand.key));
  const rectification = requests.body.data.find((r: { subjectId: string; type: string }) => r.subjectId === s.id && r.type === 'rectification');
  expect(rectification.certificate.note).toBe(s.visible.note);
  const full = await api.http.get(`/v1/privacy-requests/${rectification.id}`).set(bearer(brand.key));
  expect(full.body.history.map((h: { note: string | null }) => h.note)).toContain(s.visible.note);
  const extended = requests.body.data.find((r: { subjectId: string; type: string }) => r.subjectId === s.id && r.type === 'restriction');
  expect(extended.extensionReason).toBe(`waiting for ${s.marker.extension}'s proof of identity`);
  expect((await api.http.get(`/v1/privacy-requests/${extended.id}`).set(bearer(brand.key))).body.history.map((h: { note: string | null }) => h.note)).toContain(`30 days: waiting for ${s.marker.extension}'s proof of identity`);
  if (!api.databaseUrl) return; // the embedded database is scanned as files
  const before = await scanCatalog(api.databaseUrl, s.markers);
  expect(before.columns).toBeGreaterThan(50);
  expect(before.hits.length, 'the scan finds the markers before erasure').toBeGreaterThan(0);
  // Identifiers and evidence were sealed when written: storage holds ciphertext and keyed hashes only.
  expect(before.hits.filter((h) => SEALED.flatMap((f) => needlesFor(s.marker[f])).includes(h.needle))).toEqual([]);
}

/**
 * The personal fields still stored in plaintext while the subject exists, each with the reason:
 * erasure deletes them, but old row versions, WAL and backups may keep them. Every other field is
 * sealed under the subject's data key (or, for the idempotency key, kept only as a keyed hash) when
 * written, so storage never holds it in plaintext, even before erasure: a new personal field is
 * held to that unless it is listed here.
 */
const PLAINTEXT_UNTIL_ERASED: Partial<Record<Field, string>> = {
  externalId: "the brand's own key for the subject: a unique lookup column that imports join on set-wise (docs/security.md, Known limits)",
};
const SEALED: readonly Field[] = FIELDS.filter((f) => !(f in PLAINTEXT_UNTIL_ERASED));

/** After erasure: no column of any table holds a marker, and neither does a dump of the database. */
async function expectGone(s: Marked): Promise<void> {
  const { hits } = await scanCatalog(api.databaseUrl!, s.markers);
  expect(hits, 'personal data left in the database after erasure').toEqual([]);
  const dump = await dataDump(api.databaseUrl!);
  expect(dump).toContain(s.id); // the dump is real and covers the subject's anonymous rows
  expect(findNeedles(dump, s.markers), 'personal data left in pg_dump after erasure').toEqual([]);
  // Every table about subjects (found in the catalog) is either erased or kept for a stated reason,
  // and the erased ones hold no row of the subject: rows without free text (feedback) count too.
  const sql = new Client({ connectionString: api.databaseUrl! });
  await sql.connect();
  try {
    const { rows: tables } = await sql.query<{ table: string }>(
      `SELECT table_name AS table FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = 'public' AND c.column_name = 'subject_id' AND t.table_type = 'BASE TABLE' ORDER BY 1`,
    );
    expect(tables.length).toBeGreaterThan(10);
    // Both lists name real tables about subjects (a renamed table cannot hide behind a stale entry).
    for (const named of [...ERASED_TABLES, ...Object.keys(KEPT_TABLES)]) expect(tables.map((t) => t.table)).toContain(named);
    for (const { table } of tables) {
      const erased = (ERASED_TABLES as readonly string[]).includes(table);
      expect(erased || table in KEPT_TABLES, `${table} has a subject_id but erasure neither deletes nor explains it`).toBe(true);
      if (!erased) continue;
      // The record merged into the subject is the same person: erased with it.
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM "${table}" WHERE subject_id = ANY($1::uuid[])`, [[s.id, s.mergedId]]);
      expect(rows[0].n, `${table} keeps rows of the erased subject`).toBe(0);
    }
  } finally {
    await sql.end();
  }
  // What the brand still sees about the subject's requests holds nothing of them either.
  const requests = await api.http.get('/v1/privacy-requests').query({ limit: 200 }).set(bearer(brand.key));
  const mine = requests.body.data.filter((r: { subjectId: string }) => r.subjectId === s.id);
  expect(mine.length).toBeGreaterThanOrEqual(3);
  for (const r of mine) {
    const full = await api.http.get(`/v1/privacy-requests/${r.id}`).set(bearer(brand.key));
    expect(findNeedles(JSON.stringify(full.body), s.markers), `request ${r.type}`).toEqual([]);
    // The certificate and history stay, saying that the text went with the subject.
    if (r.type === 'rectification') expect(full.body.certificate.note).toBe(ERASED_TEXT);
    if (r.type === 'restriction') expect(full.body.extensionReason).toBe(ERASED_TEXT);
  }
}

describe('erasure leaves nothing identifying behind (catalog scan and pg_dump)', () => {
  it('after POST /v1/privacy-requests type erasure with the compliance key', async () => {
    const s = await seedMarked(api, brand);
    await expectVisible(s, api, brand);
    const erased = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: s.id, type: 'erasure' });
    expect(erased.status, JSON.stringify(erased.body)).toBe(201);
    expect(erased.body.certificate).toMatchObject({ dataKeyDestroyed: true, ledgerVerified: true, mergedRecordsErased: [s.mergedId] });
    await expectGone(s);
  });

  it('after POST /v1/me/erasure from the portal', async () => {
    const s = await seedMarked(api, brand);
    await expectVisible(s, api, brand);
    const forget = await api.http.post('/v1/me/erasure').set(me(s.token)).send({ confirm: true });
    expect(forget.status, JSON.stringify(forget.body)).toBe(202);
    await expectGone(s);
  });

  it('after a bulk POST /v1/erasure-jobs naming the subject by external id', async () => {
    const s = await seedMarked(api, brand);
    await expectVisible(s, api, brand);
    // Only a well-formed line naming the subject: rejected lines are another change's concern.
    const job = await api.http.post('/v1/erasure-jobs').set(bearer(brand.key)).set('Content-Type', 'application/x-ndjson').send(`${JSON.stringify({ externalId: s.externalId })}\n`);
    expect(job.status, JSON.stringify(job.body)).toBe(202);
    for (let i = 0; ; i++) {
      const res = await api.http.get(`/v1/erasure-jobs/${job.body.id}`).set(bearer(brand.key));
      if (res.body.status === 'completed') {
        expect(res.body).toMatchObject({ erased: 1, rowsRejected: 0 });
        break;
      }
      expect(res.body.status).not.toBe('failed');
      expect(i).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 20));
    }
    await expectGone(s);
  });
});

/** Every file under `dir`, as raw bytes. */
function* filesUnder(dir: string): Generator<{ path: string; bytes: Buffer }> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield { path, bytes: readFileSync(path) };
  }
}

function filesHolding(dir: string, markers: readonly string[]): string[] {
  const hits: string[] = [];
  for (const file of filesUnder(dir)) for (const needle of findNeedles(file.bytes, markers)) hits.push(`${file.path.slice(dir.length)}: ${needle}`);
  return hits;
}

describe('erasure on the embedded database (raw files, after a restart)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'candor-erasure-scan-'));
  const env = { CANDOR_ADMIN_KEY: `op_test_${randomBytes(16).toString('hex')}`, CANDOR_MASTER_KEY: randomBytes(32).toString('base64') };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('never writes sealed personal data to a file, and after erasure and a restart no file holds them', async () => {
    let embedded = await startApi({ embedded: true, dataDir, env });
    let s: Marked;
    let b: TestBrand;
    try {
      b = await scanBrand(embedded);
      s = await seedMarked(embedded, b);
      await expectVisible(s, embedded, b);
    } finally {
      await embedded.close();
    }
    const sealed = SEALED.map((f) => s.marker[f]);
    expect(sealed).toEqual(expect.arrayContaining([s.marker.factValue, s.marker.factSource, s.marker.portalFact, s.marker.suppression, s.marker.topic, s.marker.identifier, s.marker.mergedEmail]));
    // Before erasure, on disk: the scan finds a field stored in plaintext (so it can fail), and no sealed one.
    expect(filesHolding(dataDir, [s.marker.externalId]).length, 'the raw scan sees plaintext fields').toBeGreaterThan(0);
    expect(filesHolding(dataDir, sealed), 'sealed personal data in the embedded database files before erasure').toEqual([]);

    embedded = await startApi({ embedded: true, dataDir, env });
    try {
      const erased = await embedded.http.post('/v1/privacy-requests').set(bearer(b.key)).send({ subjectId: s.id, type: 'erasure' });
      expect(erased.status, JSON.stringify(erased.body)).toBe(201);
      expect(erased.body.certificate).toMatchObject({ dataKeyDestroyed: true });
    } finally {
      await embedded.close();
    }
    embedded = await startApi({ embedded: true, dataDir, env });
    await embedded.close();

    // The scan reads real database files: the subject's (anonymous) id is in them.
    expect([...filesUnder(dataDir)].some((f) => f.bytes.includes(s.id))).toBe(true);
    expect(filesHolding(dataDir, sealed), 'sealed personal data in the embedded database files').toEqual([]);
  });
});

import { randomBytes, randomInt } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Issue 17: the shop, the call centre and the loyalty programme each know one person by another
 * key. Identifiers, lookup and merge, through the HTTP stack and the real database: the person
 * is joined without losing proof (the ledger still verifies and cites both histories), the more
 * private choice wins, integrations are told and can repoint, and the person sees what happened.
 */

let api: TestApi;
let receiver: WebhookReceiver;
let brand: TestBrand;
let hook: { id: string; secret: string };

const tag = () => randomBytes(4).toString('hex');
const phoneNumber = () => `+47${randomInt(40_000_000, 49_999_999)}`;
const me = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  api = await startApi({ env: { CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_WEBHOOK_RETRY_BASE_MS: '5' } });
  brand = await createBrand(api, 'Fjord Outfitters');
  for (const p of ['email_marketing', 'personalization', 'customer_care', 'order_updates']) await adoptPurpose(api, brand, p);
  const res = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url: receiver.url('/merges'), events: ['subject.merged'], name: 'CRM' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  hook = res.body;
});
afterAll(async () => {
  await api?.close();
  await receiver?.stop();
});

async function addIdentifier(subjectId: string, body: Record<string, unknown>, status = 201) {
  const res = await api.http.post(`/v1/subjects/${subjectId}/identifiers`).set(bearer(brand.key)).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return res.body;
}

const lookup = (query: Record<string, string | undefined>) => api.http.get('/v1/subjects/lookup').query(query).set(bearer(brand.key));

describe('identifiers', () => {
  it('adds, lists and removes a subject\'s identifiers, sealed, unique per brand, type and system', async () => {
    const email = `ingrid.${tag()}@example.com`;
    const other = await createSubject(api, brand, { email: `other.${tag()}@example.com` });
    const subject = await createSubject(api, brand, { email });
    const memberNo = `L-${tag()}`;

    const loyalty = await addIdentifier(subject.id, { type: 'external', system: 'loyalty', value: memberNo });
    expect(loyalty).toMatchObject({ id: expect.any(String), type: 'external', system: 'loyalty', value: memberNo, origin: 'api', mergedFrom: null });
    const work = await addIdentifier(subject.id, { type: 'email', value: `Ingrid.Work.${tag()}@Example.com` });
    expect(work.value).toBe(work.value.toLowerCase());
    const phone = phoneNumber();
    await addIdentifier(subject.id, { type: 'phone', value: `${phone.slice(0, 3)} ${phone.slice(3)}` });

    // Unique per brand, type and system; the subjects' own identifiers count too.
    expect((await addIdentifier(subject.id, { type: 'external', system: 'loyalty', value: memberNo }, 409)).code).toBe('identifier-taken');
    expect((await addIdentifier(other.id, { type: 'external', system: 'loyalty', value: memberNo }, 409)).code).toBe('identifier-taken');
    await addIdentifier(other.id, { type: 'external', system: 'call-centre', value: memberNo });
    expect((await addIdentifier(other.id, { type: 'email', value: email.toUpperCase() }, 409)).detail).toMatch(/merge them/);
    expect((await addIdentifier(other.id, { type: 'external', value: subject.externalId }, 409)).code).toBe('identifier-taken');
    expect((await addIdentifier(subject.id, { type: 'email', value: email }, 409)).detail).toMatch(/already holds/);

    // Bad input: named field by field, nothing stored.
    expect((await addIdentifier(subject.id, { type: 'email', system: 'crm', value: `x.${tag()}@example.com` }, 422)).errors).toEqual([{ path: 'system', message: expect.any(String) }]);
    expect((await addIdentifier(subject.id, { type: 'email', value: 'not an email' }, 422)).errors).toEqual([{ path: 'value', message: 'must be an email address' }]);
    expect((await addIdentifier(subject.id, { type: 'phone', value: '12345' }, 422)).errors[0].path).toBe('value');
    expect((await addIdentifier(subject.id, { type: 'fax', value: '1' }, 422)).errors[0].path).toBe('type');

    const firstPage = await api.http.get(`/v1/subjects/${subject.id}/identifiers`).query({ limit: 2 }).set(bearer(brand.key));
    expect(firstPage.status).toBe(200);
    expect(firstPage.body.data.map((i: { type: string }) => i.type)).toEqual(['external', 'email']);
    const secondPage = await api.http.get(`/v1/subjects/${subject.id}/identifiers`).query({ limit: 2, cursor: firstPage.body.nextCursor }).set(bearer(brand.key));
    expect(secondPage.body).toEqual({ data: [expect.objectContaining({ type: 'phone', value: phone })], nextCursor: null });

    if (api.databaseUrl) {
      // Sealed: storage holds ciphertext and keyed hashes, never the values.
      const sql = new Client({ connectionString: api.databaseUrl });
      await sql.connect();
      try {
        const { rows } = await sql.query(`SELECT * FROM subject_identifiers WHERE subject_id = $1`, [subject.id]);
        expect(rows).toHaveLength(3);
        for (const row of rows) {
          const stored = Buffer.concat(Object.values(row).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)))));
          for (const value of [memberNo, work.value, phone, phone.slice(1)]) expect(stored.includes(value), value).toBe(false);
        }
      } finally {
        await sql.end();
      }
    }

    expect((await api.http.delete(`/v1/subjects/${subject.id}/identifiers/${loyalty.id}`).set(bearer(brand.key))).status).toBe(204);
    const gone = await api.http.delete(`/v1/subjects/${subject.id}/identifiers/${loyalty.id}`).set(bearer(brand.key));
    expect(gone.status).toBe(404);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await lookup({ type: 'external', system: 'loyalty', value: memberNo })).status).toBe(404);
    await addIdentifier(other.id, { type: 'external', system: 'loyalty', value: memberNo });
  });

  it('keeps an erased person\'s identifiers blocked', async () => {
    const memberNo = `L-${tag()}`;
    const altEmail = `gone.${tag()}@example.com`;
    const doomed = await createSubject(api, brand);
    await addIdentifier(doomed.id, { type: 'external', system: 'loyalty', value: memberNo });
    await addIdentifier(doomed.id, { type: 'email', value: altEmail });
    const erased = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: doomed.id, type: 'erasure' });
    expect(erased.status, JSON.stringify(erased.body)).toBe(201);

    const someone = await createSubject(api, brand);
    expect((await addIdentifier(someone.id, { type: 'external', system: 'loyalty', value: memberNo }, 409)).code).toBe('subject-erased');
    expect((await addIdentifier(someone.id, { type: 'email', value: altEmail }, 409)).code).toBe('subject-erased');
    const recreated = await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: `new-${tag()}`, email: altEmail });
    expect(recreated.status).toBe(409);
    expect(recreated.body.code).toBe('subject-erased');
    expect((await lookup({ type: 'external', system: 'loyalty', value: memberNo })).status).toBe(404);
  });
});

describe('lookup', () => {
  it('finds the subject by each type of identifier, and each read is in the customer\'s access log', async () => {
    const email = `astrid.${tag()}@example.com`;
    const phone = phoneNumber();
    const subject = await createSubject(api, brand, { email, phone });
    const alt = { email: `astrid.work.${tag()}@example.com`, phone: phoneNumber(), member: `C-${tag()}` };
    await addIdentifier(subject.id, { type: 'email', value: alt.email });
    await addIdentifier(subject.id, { type: 'phone', value: alt.phone });
    await addIdentifier(subject.id, { type: 'external', system: 'call-centre', value: alt.member });
    const token = await signInCustomer(api, brand, subject.id);
    const log = async () => (await api.http.get('/v1/me/access-log').query({ limit: 100 }).set(me(token))).body.data as Array<{ kind: string; fields: string[] }>;
    const before = (await log()).length;

    const queries = [
      { type: 'email', value: alt.email.toUpperCase() },
      { type: 'email', value: email },
      { type: 'phone', value: alt.phone },
      { type: 'phone', value: phone },
      { type: 'external', system: 'call-centre', value: alt.member },
      { type: 'external', value: subject.externalId },
    ];
    for (const query of queries) {
      const found = await lookup(query);
      expect(found.status, `${JSON.stringify(query)} ${JSON.stringify(found.body)}`).toBe(200);
      expect(found.body).toMatchObject({ id: subject.id, externalId: subject.externalId, email, phone });
    }
    const after = await log();
    expect(after.length - before).toBe(queries.length);
    expect(after[0]).toMatchObject({ kind: 'subject', fields: ['externalId', 'locale', 'timezone', 'email', 'phone'] });

    // A purpose-limited reader sees contact data only as on GET /v1/subjects/{id}.
    const limited = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'personalisation only', scopes: ['subjects:read'], purposes: ['personalization'] });
    const byLimited = await api.http.get('/v1/subjects/lookup').query({ type: 'email', value: alt.email }).set(bearer(limited.body.key));
    expect(byLimited.body).toMatchObject({ id: subject.id, email: null, phone: null });

    for (const query of [{ type: 'external', system: 'loyalty', value: alt.member }, { type: 'email', value: `nobody.${tag()}@example.com` }]) {
      const missing = await lookup(query);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('not-found');
    }
    expect((await lookup({ type: 'phone', value: 'twelve' })).status).toBe(422);
    expect((await lookup({ type: 'email', system: 'crm', value: email })).body.errors).toEqual([{ path: 'system', message: expect.any(String) }]);
    // Another brand's key finds nothing of this brand's.
    const other = await createBrand(api, 'Other Shop');
    expect((await api.http.get('/v1/subjects/lookup').query({ type: 'email', value: email }).set(bearer(other.key))).status).toBe(404);

    // Two records sharing an email are an ambiguity to resolve by merging, not a coin toss.
    const shared = `shared.${tag()}@example.com`;
    const [a, b] = [await createSubject(api, brand, { email: shared }), await createSubject(api, brand, { email: shared })];
    const ambiguous = await lookup({ type: 'email', value: shared });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body).toMatchObject({ code: 'identifier-ambiguous', subjectIds: [a.id, b.id].sort() });
  });
});

describe('merge', () => {
  it('joins two records of one person: both histories, the more private choice, a verifying ledger, repointing, a signed webhook, and the person sees it', async () => {
    const shopEmail = `kari.${tag()}@example.com`;
    const loyaltyPhone = phoneNumber();
    const shop = await createSubject(api, brand, { externalId: `shop-${tag()}`, email: shopEmail });
    const loyalty = await createSubject(api, brand, { externalId: `loyal-${tag()}`, phone: loyaltyPhone, locale: 'nb', timezone: 'Europe/Oslo' });
    const callCentreNo = `CC-${tag()}`;
    await addIdentifier(loyalty.id, { type: 'external', system: 'call-centre', value: callCentreNo });

    // The shop has the newsletter agreed; the loyalty programme heard "no" later. The loyalty
    // programme has personalisation agreed; the shop never asked. The shop heard an objection.
    await grant(api, brand, shop.id, 'email_marketing');
    await grant(api, brand, loyalty.id, 'email_marketing');
    await grant(api, brand, loyalty.id, 'email_marketing', false);
    await grant(api, brand, loyalty.id, 'personalization');
    await grant(api, brand, shop.id, 'customer_care', false);
    const loyaltyHistory = (await api.http.get(`/v1/subjects/${loyalty.id}/consents`).set(bearer(brand.key))).body.history as Array<{ purpose: string; hash: string }>;
    const lastHash = (purpose: string) => loyaltyHistory.filter((e) => e.purpose === purpose).at(-1)!.hash;

    await recordFact(api, brand, shop.id, { key: 'hobby', value: 'hiking', category: 'interests', source: 'order 1182', collectedAt: '2025-03-01T10:00:00Z' });
    await recordFact(api, brand, shop.id, { key: 'shoe_size', value: '42', category: 'interests', source: 'order 1182' });
    await recordFact(api, brand, loyalty.id, { key: 'hobby', value: 'hiking', category: 'interests', source: 'loyalty app', collectedAt: '2024-06-01T10:00:00Z' });
    await recordFact(api, brand, loyalty.id, { key: 'drink', value: 'tea', category: 'interests', provenance: 'observed', source: 'café till' });

    const shopToken = await signInCustomer(api, brand, shop.id);
    const loyaltyToken = await signInCustomer(api, brand, loyalty.id);
    const put = async (token: string, body: object) => {
      const current = await api.http.get('/v1/me/preferences').set(me(token));
      const res = await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', current.headers.etag).send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await put(shopToken, { channels: { email: { optedIn: true, frequency: 'daily' } }, topics: ['trails'] });
    await put(loyaltyToken, { channels: { email: { optedIn: true, frequency: 'weekly' }, sms: { optedIn: false, frequency: 'immediately' } }, topics: ['coffee'] });
    // Brand reads of the loyalty record, and a request the person made there.
    await api.http.get(`/v1/subjects/${loyalty.id}`).set(bearer(brand.key));
    const request = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: loyalty.id, type: 'rectification' });
    expect(request.status).toBe(201);
    const extended = await api.http.post(`/v1/privacy-requests/${request.body.id}/extend`).set(bearer(brand.key)).send({ reason: 'the loyalty desk checks the card', days: 10 });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);

    const merged = await api.http.post(`/v1/subjects/${shop.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: loyalty.id });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body).toMatchObject({
      subjectId: shop.id,
      mergedSubjectId: loyalty.id,
      identifiersAdded: 3, // the call-centre number, and the loyalty record's phone and externalId
      facts: { moved: 2, collapsed: 1 }, // the loyalty record's earlier hobby and its drink; the shop's later hobby goes
    });
    const byPurpose = Object.fromEntries(merged.body.consents.map((c: { purpose: string }) => [c.purpose, c]));
    expect(Object.keys(byPurpose).sort()).toEqual(['email_marketing', 'personalization']);
    expect(byPurpose.email_marketing).toMatchObject({ granted: false, kept: 'merged', disagreed: true, cites: lastHash('email_marketing') });
    expect(byPurpose.personalization).toMatchObject({ granted: true, kept: 'merged', disagreed: false, cites: lastHash('personalization') });

    // Consent: the more protective state per purpose, each a ledger event that cites the other history.
    const consents = await api.http.get(`/v1/subjects/${shop.id}/consents`).set(bearer(brand.key));
    expect(Object.fromEntries(consents.body.data.map((c: { purpose: string; granted: boolean }) => [c.purpose, c.granted]))).toEqual({
      email_marketing: false,
      personalization: true,
      customer_care: false,
    });
    const mergeEvents = consents.body.history.filter((e: { source: string }) => e.source === 'merge');
    expect(mergeEvents.map((e: { purpose: string; cites: string }) => [e.purpose, e.cites]).sort()).toEqual([
      ['email_marketing', lastHash('email_marketing')],
      ['personalization', lastHash('personalization')],
    ]);
    const decide = (subjectId: string, purpose: string) => api.http.get('/v1/decisions/contact').query({ subjectId, purpose, channel: 'email' }).set(bearer(brand.key));
    expect((await decide(shop.id, 'email_marketing')).body).toMatchObject({ allowed: false, reasons: ['consent-withdrawn'] });
    expect((await decide(shop.id, 'customer_care')).body).toMatchObject({ allowed: false, reasons: ['objected'] });
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });
    // The receipt proves the citation: the merge event's hash covers it.
    const receipt = await api.http.get(`/v1/me/consents/receipts/${byPurpose.email_marketing.eventId}`).set(me(shopToken));
    expect(receipt.body).toMatchObject({ verified: true, content: { v: 2, source: 'merge', granted: false, cites: lastHash('email_marketing') } });

    // Facts of both, with provenance; the same hobby collapses to the earliest.
    const mine = await api.http.get('/v1/me').set(me(shopToken));
    const facts = mine.body.facts.map((f: { key: string; value: string; source: string; provenance: string; collectedAt: string }) => [f.key, f.value, f.source, f.provenance, f.collectedAt]);
    expect(facts).toEqual(
      expect.arrayContaining([
        ['hobby', 'hiking', 'loyalty app', 'declared', '2024-06-01T10:00:00.000Z'],
        ['shoe_size', '42', 'order 1182', 'declared', expect.any(String)],
        ['drink', 'tea', 'café till', 'observed', expect.any(String)],
      ]),
    );
    expect(facts).toHaveLength(3);
    // Preferences: the stricter per channel; the language and time zone the loyalty record knew.
    const prefs = (await api.http.get('/v1/me/preferences').set(me(shopToken))).body;
    expect(prefs.channels.email).toEqual({ optedIn: true, frequency: 'weekly' });
    expect(prefs.channels.sms).toMatchObject({ optedIn: false });
    expect(prefs.topics).toEqual(['coffee', 'trails']);
    expect(mine.body.subject).toMatchObject({ id: shop.id, email: shopEmail, locale: 'nb', timezone: 'Europe/Oslo' });

    // The person sees it: /v1/me says when and where the records disagreed.
    // The shop's objection to customer care against the loyalty record's silence is a disagreement too.
    expect(mine.body.merges).toEqual([
      {
        mergedSubjectId: loyalty.id,
        mergedAt: merged.body.mergedAt,
        disagreedPurposes: ['customer_care', 'email_marketing'],
        disagreedChannels: ['email', 'sms'],
        disagreedSettings: ['consent.customer_care', 'consent.email_marketing', 'channels.email', 'channels.sms'],
      },
    ]);
    expect((await api.http.get('/v1/me').set(me(loyaltyToken))).status).toBe(401);

    // The merged id names the survivor on brand routes.
    for (const res of [
      await api.http.get(`/v1/subjects/${loyalty.id}`).set(bearer(brand.key)),
      await api.http.get(`/v1/subjects/${loyalty.id}/consents`).set(bearer(brand.key)),
      await api.http.post(`/v1/subjects/${loyalty.id}/consents`).set(bearer(brand.key)).send({ purpose: 'email_marketing', granted: true }),
      await api.http.post(`/v1/subjects/${loyalty.id}/facts`).set(bearer(brand.key)).send({ key: 'x', value: 'y', category: 'interests', provenance: 'observed', source: 'z' }),
      await api.http.get(`/v1/subjects/${loyalty.id}/identifiers`).set(bearer(brand.key)),
      await decide(loyalty.id, 'email_marketing'),
    ]) {
      expect(res.status, JSON.stringify(res.body)).toBe(410);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ code: 'subject-merged', mergedInto: shop.id });
    }
    const batch = await api.http.post('/v1/decisions/contact').set(bearer(brand.key)).send({ checks: [{ subjectId: loyalty.id, purpose: 'email_marketing', channel: 'email' }] });
    expect(batch.body.results[0]).toMatchObject({ allowed: false, reasons: ['subject-merged'], mergedInto: shop.id });
    // ...and its identifiers find the survivor.
    for (const query of [
      { type: 'phone', value: loyaltyPhone },
      { type: 'external', system: 'call-centre', value: callCentreNo },
      { type: 'external', value: loyalty.externalId },
    ]) {
      const found = await lookup(query);
      expect(found.status, JSON.stringify(found.body)).toBe(200);
      expect(found.body.id).toBe(shop.id);
    }
    const again = await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: loyalty.externalId });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(shop.id);
    const identifiers = (await api.http.get(`/v1/subjects/${shop.id}/identifiers`).set(bearer(brand.key))).body.data;
    expect(identifiers.map((i: { type: string; system: string | null; value: string; origin: string; mergedFrom: string }) => [i.type, i.system, i.value, i.origin, i.mergedFrom])).toEqual(
      expect.arrayContaining([
        ['external', 'call-centre', callCentreNo, 'api', loyalty.id],
        ['phone', null, loyaltyPhone, 'merge', loyalty.id],
        ['external', null, loyalty.externalId, 'merge', loyalty.id],
      ]),
    );
    // Lists and audiences count the person once.
    expect((await api.http.get('/v1/subjects').query({ externalId: loyalty.externalId }).set(bearer(brand.key))).body.data).toEqual([]);

    // The export lists the merged record, its history, the requests and reads it had.
    const exported = (await api.http.get(`/v1/subjects/${shop.id}/export`).set(bearer(brand.key))).body;
    expect(exported.mergedRecords).toEqual([
      expect.objectContaining({ subjectId: loyalty.id, mergedAt: merged.body.mergedAt, consentHistory: expect.arrayContaining([expect.objectContaining({ hash: lastHash('email_marketing') })]) }),
    ]);
    expect(exported.identifiers).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'phone', value: loyaltyPhone, origin: 'merge' })]));
    expect(exported.privacyRequests.map((r: { id: string }) => r.id)).toContain(request.body.id);
    expect(exported.accessLog.length).toBeGreaterThanOrEqual(2);
    const movedRequest = await api.http.get(`/v1/privacy-requests/${request.body.id}`).set(bearer(brand.key));
    expect(movedRequest.body).toMatchObject({ subjectId: shop.id, extensionReason: 'the loyalty desk checks the card' });
    const page = await api.http.get(`/v1/subjects/${shop.id}/export`).set(bearer(brand.key)).set('Accept', 'text/html');
    expect(page.text).toContain(loyalty.id);

    // The webhook: signed, delivered, naming both ids.
    const worker = api.app.get(DeliveryWorker);
    for (let i = 0; i < 20 && !receiver.accepted.some((h) => h.path === '/merges'); i++) {
      await worker.deliverDue();
      await new Promise((r) => setTimeout(r, 20));
    }
    const delivered = receiver.accepted.filter((h) => h.path === '/merges');
    expect(delivered).toHaveLength(1);
    expect(WebhookReceiver.verify(delivered[0], hook.secret)).toMatchObject({
      type: 'subject.merged',
      data: { subjectId: shop.id, mergedSubjectId: loyalty.id, mergedAt: merged.body.mergedAt },
    });

    // Repeating the merge answers the first; erasing the survivor erases the person, both records.
    const repeat = await api.http.post(`/v1/subjects/${shop.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: loyalty.id });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(merged.body);
    const erasure = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: shop.id, type: 'erasure' });
    expect(erasure.status, JSON.stringify(erasure.body)).toBe(201);
    expect(erasure.body.certificate).toMatchObject({ dataKeyDestroyed: true, ledgerVerified: true, mergedRecordsErased: [loyalty.id] });
    expect((await api.http.get(`/v1/subjects/${loyalty.id}`).set(bearer(brand.key))).body.code).toBe('subject-gone');
    const phoneAgain = await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: `new-${tag()}`, phone: loyaltyPhone });
    expect(phoneAgain.body.code).toBe('subject-erased');
    expect((await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: loyalty.externalId })).body.code).toBe('subject-erased');
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });
  });

  it('keeps what only the merged record chose — channels per purpose, quiet hours, an objection, "use only what I told you" — and says where they disagreed', async () => {
    const survivor = await createSubject(api, brand, { externalId: `web-${tag()}` });
    const other = await createSubject(api, brand, { externalId: `pos-${tag()}` });
    const survivorToken = await signInCustomer(api, brand, survivor.id);
    const otherToken = await signInCustomer(api, brand, other.id);
    const factUse = async (token: string, purpose: string, use: string) => {
      const res = await api.http.put(`/v1/me/fact-use/${purpose}`).set(me(token)).send({ use });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    // The survivor never set preferences; it let personalisation use observed facts too.
    await factUse(survivorToken, 'personalization', 'all');
    // The other record: order updates by text message only, no marketing texts, weekly email, quiet
    // nights, an objection to customer care, and customer care may use only what the person said.
    const current = await api.http.get('/v1/me/preferences').set(me(otherToken));
    const put = await api.http
      .put('/v1/me/preferences')
      .set(me(otherToken))
      .set('If-Match', current.headers.etag)
      .send({
        channels: { sms: { optedIn: false, frequency: 'immediately' }, email: { optedIn: true, frequency: 'weekly' } },
        purposes: { order_updates: { channels: ['sms'] } },
        quietHours: { start: '21:00', end: '08:00' },
      });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await grant(api, brand, other.id, 'customer_care', false);
    await factUse(otherToken, 'customer_care', 'declared-only');
    await recordFact(api, brand, other.id, { key: 'favourite_shop', value: 'Bergen', category: 'interests', provenance: 'observed', source: 'till' });

    const decide = (purpose: string, channel: string) => api.http.get('/v1/decisions/contact').query({ subjectId: survivor.id, purpose, channel }).set(bearer(brand.key));
    expect((await decide('order_updates', 'email')).body).toMatchObject({ allowed: true });

    const merged = await api.http.post(`/v1/subjects/${survivor.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: other.id });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.consents).toEqual([expect.objectContaining({ purpose: 'customer_care', granted: false, disagreed: true })]);

    const prefs = (await api.http.get('/v1/me/preferences').set(me(survivorToken))).body;
    expect(prefs.purposes).toEqual({ order_updates: { channels: ['sms'] } });
    expect(prefs.quietHours).toEqual({ start: '21:00', end: '08:00' });
    expect(prefs.channels.sms).toMatchObject({ optedIn: false });
    expect(prefs.channels.email).toEqual({ optedIn: true, frequency: 'weekly' });
    // Order updates by email: the person chose text messages only.
    const byEmail = await decide('order_updates', 'email');
    expect(byEmail.body).toMatchObject({ allowed: false });
    expect(byEmail.body.reasons).toContain('channel-not-chosen');
    expect((await decide('customer_care', 'email')).body.reasons).toContain('objected');

    const mine = (await api.http.get('/v1/me').set(me(survivorToken))).body;
    const uses = Object.fromEntries(mine.factUse.map((f: { purpose: string; use: string; chosen: boolean }) => [f.purpose, [f.use, f.chosen]]));
    // Customer care: the other record's "use only what I told you", now the survivor's own choice.
    expect(uses.customer_care).toEqual(['declared-only', true]);
    // Personalisation: "all" on one record, the default "only what I told you" on the other: the latter.
    expect(uses.personalization).toEqual(['declared-only', false]);
    if (api.databaseUrl) {
      // The merged record's choices moved: none is left under its id.
      const sql = new Client({ connectionString: api.databaseUrl });
      await sql.connect();
      try {
        const { rows } = await sql.query(`SELECT subject_id, purpose_key, use FROM fact_use WHERE subject_id = ANY($1::uuid[]) ORDER BY purpose_key`, [[survivor.id, other.id]]);
        expect(rows).toEqual([{ subject_id: survivor.id, purpose_key: 'customer_care', use: 'declared-only' }]);
      } finally {
        await sql.end();
      }
    }

    expect(mine.merges).toEqual([
      {
        mergedSubjectId: other.id,
        mergedAt: merged.body.mergedAt,
        disagreedPurposes: ['customer_care', 'order_updates', 'personalization'],
        disagreedChannels: ['email', 'sms'],
        disagreedSettings: ['consent.customer_care', 'channels.email', 'channels.sms', 'purposes.order_updates', 'quietHours', 'factUse.customer_care', 'factUse.personalization'],
      },
    ]);
  });

  it('never fails when merges of the same records cross: they queue, and one record of the person stands', async () => {
    for (let round = 0; round < 5; round++) {
      const [r1, r2, r3] = [
        await createSubject(api, brand, { externalId: `r1-${tag()}` }),
        await createSubject(api, brand, { externalId: `r2-${tag()}` }),
        await createSubject(api, brand, { externalId: `r3-${tag()}` }),
      ];
      await grant(api, brand, r1.id, 'email_marketing');
      await grant(api, brand, r2.id, 'email_marketing', false);
      await recordFact(api, brand, r3.id, { key: 'hobby', value: 'skiing', category: 'interests', source: 'app' });
      const mergeInto = (survivor: { id: string }, from: { id: string }) => api.http.post(`/v1/subjects/${survivor.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: from.id });
      const results = await Promise.all([mergeInto(r1, r2), mergeInto(r2, r1), mergeInto(r3, r1), mergeInto(r2, r3)]);
      for (const res of results) {
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
        expect([200, 409, 410], JSON.stringify(res.body)).toContain(res.status);
        if (res.status !== 200) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(results.some((r) => r.status === 200)).toBe(true);
      const reads = await Promise.all([r1, r2, r3].map((r) => api.http.get(`/v1/subjects/${r.id}`).set(bearer(brand.key))));
      const standing = reads.filter((r) => r.status === 200);
      expect(standing).toHaveLength(1);
      const survivorId = standing[0].body.id;
      for (const r of reads.filter((x) => x.status !== 200)) expect(r.body).toMatchObject({ code: 'subject-merged', mergedInto: survivorId });
      // Every record's consent and facts ended with the one that stands.
      const consents = await api.http.get(`/v1/subjects/${survivorId}/consents`).set(bearer(brand.key));
      expect(consents.body.data).toEqual([expect.objectContaining({ purpose: 'email_marketing', granted: false })]);
    }
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });
  });

  it('refuses what cannot be merged: itself, another brand\'s record, an erased one, a record merged elsewhere', async () => {
    const merge = (into: string, from: string, key = brand.key) => api.http.post(`/v1/subjects/${into}/merge`).set(bearer(key)).send({ fromSubjectId: from });
    const a = await createSubject(api, brand);
    const b = await createSubject(api, brand);
    const c = await createSubject(api, brand);

    const itself = await merge(a.id, a.id);
    expect(itself.status).toBe(422);
    expect(itself.body.errors).toEqual([{ path: 'fromSubjectId', message: expect.any(String) }]);
    expect((await api.http.post(`/v1/subjects/${a.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: 'nope' })).status).toBe(422);

    const other = await createBrand(api, 'Elsewhere');
    const foreign = await createSubject(api, other);
    expect((await merge(a.id, foreign.id)).status).toBe(404);
    expect((await merge(foreign.id, a.id)).status).toBe(404);
    expect((await merge(a.id, b.id, other.key)).status).toBe(404);

    const erased = await createSubject(api, brand);
    expect((await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: erased.id, type: 'erasure' })).status).toBe(201);
    const withErased = await merge(a.id, erased.id);
    expect(withErased.status).toBe(409);
    expect(withErased.body.code).toBe('subject-erased');
    expect((await merge(erased.id, a.id)).body.code).toBe('subject-erased');

    expect((await merge(a.id, b.id)).status).toBe(200);
    const elsewhere = await merge(c.id, b.id);
    expect(elsewhere.status).toBe(410);
    expect(elsewhere.body).toMatchObject({ code: 'subject-merged', mergedInto: a.id });
    // Merging the survivor on: the earlier merge follows it.
    expect((await merge(c.id, a.id)).status).toBe(200);
    expect((await api.http.get(`/v1/subjects/${b.id}`).set(bearer(brand.key))).body).toMatchObject({ code: 'subject-merged', mergedInto: c.id });
    const token = await signInCustomer(api, brand, c.id);
    expect((await api.http.get('/v1/me').set(me(token))).body.merges.map((m: { mergedSubjectId: string }) => m.mergedSubjectId)).toEqual([b.id, a.id]);

    // A key limited to purposes cannot move every category of a person's data.
    const limited = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'limited writer', scopes: ['subjects:write'], purposes: ['email_marketing'] });
    const d = await createSubject(api, brand);
    const refused = await merge(c.id, d.id, limited.body.key);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('purpose-not-allowed');
    expect((await api.http.get(`/v1/subjects/${d.id}`).set(bearer(brand.key))).status).toBe(200);
  });
});

describe('an unsubscribe link of a merged record', () => {
  it('still withdraws: on the survivor, the person the email went to', async () => {
    const survivor = await createSubject(api, brand, { email: `eva.${tag()}@example.com` });
    const merged = await createSubject(api, brand, { email: `eva.old.${tag()}@example.com` });
    for (const s of [survivor, merged]) await grant(api, brand, s.id, 'email_marketing');
    const decision = await api.http.get('/v1/decisions/contact').query({ subjectId: merged.id, purpose: 'email_marketing', channel: 'email' }).set(bearer(brand.key));
    const link = `/v1/unsubscribe/${String(decision.body.unsubscribe.url).split('/unsubscribe/')[1]}`;
    expect((await api.http.post(`/v1/subjects/${survivor.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: merged.id })).status).toBe(200);
    expect((await api.http.get(link)).body).toMatchObject({ subscribed: true });
    const unsubscribed = await api.http.post(link).type('form').send('List-Unsubscribe=One-Click');
    expect(unsubscribed.status, JSON.stringify(unsubscribed.body)).toBe(200);
    expect(unsubscribed.body).toMatchObject({ changed: true, subscribed: false });
    const after = await api.http.get('/v1/decisions/contact').query({ subjectId: survivor.id, purpose: 'email_marketing', channel: 'email' }).set(bearer(brand.key));
    expect(after.body).toMatchObject({ allowed: false, reasons: ['consent-withdrawn'] });
  });
});

describe('bulk imports', () => {
  const ndjson = (lines: Array<Record<string, unknown>>) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  async function importFile(body: string) {
    const res = await api.http.post('/v1/imports').set(bearer(brand.key)).set('Content-Type', 'application/x-ndjson').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    for (let i = 0; i < 200; i++) {
      const job = await api.http.get(`/v1/imports/${res.body.id}`).set(bearer(brand.key));
      if (job.body.status !== 'merging') return job.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('import did not finish');
  }

  it('take identifier and merge lines by the same rules, and a second run changes nothing', async () => {
    const t = tag();
    const taken = `taken.${t}@example.com`;
    await createSubject(api, brand, { email: taken });
    const phone = phoneNumber();
    const file = ndjson([
      { type: 'subject', externalId: `shop-${t}`, email: `kari.${t}@example.com` },
      { type: 'subject', externalId: `loyal-${t}`, phone },
      { type: 'consent', externalId: `shop-${t}`, purpose: 'email_marketing', granted: true, capturedAt: at(30) },
      { type: 'consent', externalId: `loyal-${t}`, purpose: 'email_marketing', granted: false, capturedAt: at(20) },
      { type: 'fact', externalId: `loyal-${t}`, key: 'drink', value: 'tea', category: 'interests', provenance: 'declared', source: 'café', collectedAt: at(60) },
      { type: 'preference', externalId: `loyal-${t}`, channels: { sms: { optedIn: false, frequency: 'weekly' } } },
      { type: 'identifier', externalId: `loyal-${t}`, identifierType: 'external', system: 'call-centre', value: `CC-${t}` },
      { type: 'identifier', externalId: `shop-${t}`, identifierType: 'email', value: `Kari.Work.${t}@Example.com` },
      { type: 'merge', externalId: `shop-${t}`, fromExternalId: `loyal-${t}` },
      { type: 'identifier', externalId: `nobody-${t}`, identifierType: 'external', system: 'loyalty', value: `L-${t}` },
      { type: 'identifier', externalId: `shop-${t}`, identifierType: 'email', value: taken },
      { type: 'identifier', externalId: `shop-${t}`, identifierType: 'email', value: 'not an email' },
      { type: 'merge', externalId: `shop-${t}`, fromExternalId: `shop-${t}` },
    ]);
    /** What the brand holds: counted in the tables, or (embedded database) through the API. */
    const count = async () => {
      if (!api.databaseUrl) {
        const shopId = (await lookup({ type: 'external', value: `shop-${t}` })).body.id;
        const customer = await signInCustomer(api, brand, shopId);
        return {
          events: (await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body.events,
          subjects: (await api.http.get('/v1/subjects').query({ limit: 200 }).set(bearer(brand.key))).body.data.length,
          identifiers: (await api.http.get(`/v1/subjects/${shopId}/identifiers`).set(bearer(brand.key))).body.data.length,
          facts: (await api.http.get('/v1/me').set(me(customer))).body.facts.length,
          preferences: (await api.http.get('/v1/me/preferences').set(me(customer))).headers.etag,
        };
      }
      const sql = new Client({ connectionString: api.databaseUrl });
      await sql.connect();
      try {
        return (
          await sql.query(
            `SELECT (SELECT count(*) FROM consent_events WHERE brand_id = $1)::int AS events, (SELECT count(*) FROM subjects WHERE brand_id = $1)::int AS subjects,
                    (SELECT count(*) FROM subject_identifiers WHERE brand_id = $1)::int AS identifiers, (SELECT count(*) FROM facts WHERE brand_id = $1)::int AS facts,
                    (SELECT count(*) FROM subject_merges WHERE brand_id = $1)::int AS merges, (SELECT sum(version) FROM preferences WHERE brand_id = $1)::int AS versions`,
            [brand.id],
          )
        ).rows[0];
      } finally {
        await sql.end();
      }
    };

    const first = await importFile(file);
    expect(first).toMatchObject({ status: 'completed', totalLines: 13, rowsDone: 9, rowsRejected: 4 });
    expect(first.rejections.map((r: { line: number; reason: string }) => [r.line, r.reason.split(':')[0]])).toEqual([
      [10, 'unknown-subject'],
      [11, 'identifier-taken'],
      [12, 'value'],
      [13, 'fromExternalId'],
    ]);
    // Nothing the lines said is in a rejection: no value, no email.
    expect(JSON.stringify(first.rejections)).not.toContain(taken);

    const shop = await lookup({ type: 'external', value: `shop-${t}` });
    for (const query of [{ type: 'external', value: `loyal-${t}` }, { type: 'phone', value: phone }, { type: 'external', system: 'call-centre', value: `CC-${t}` }, { type: 'email', value: `kari.work.${t}@example.com` }]) {
      const found = await lookup(query);
      expect(found.status, JSON.stringify(query)).toBe(200);
      expect(found.body.id).toBe(shop.body.id);
    }
    const consents = await api.http.get(`/v1/subjects/${shop.body.id}/consents`).set(bearer(brand.key));
    expect(consents.body.data).toEqual([expect.objectContaining({ purpose: 'email_marketing', granted: false, source: 'merge' })]);
    expect(consents.body.history.at(-1)).toMatchObject({ source: 'merge', granted: false, cites: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const token = await signInCustomer(api, brand, shop.body.id);
    const mine = await api.http.get('/v1/me').set(me(token));
    expect(mine.body.facts.map((f: { key: string; value: string }) => `${f.key}=${f.value}`)).toEqual(['drink=tea']);
    expect(mine.body.merges).toHaveLength(1);
    expect((await api.http.get('/v1/me/preferences').set(me(token))).body.channels.sms).toEqual({ optedIn: false, frequency: 'weekly' });

    const before = await count();
    const second = await importFile(file);
    expect(second).toMatchObject({ status: 'completed', rowsDone: 9, rowsRejected: 4 });
    expect(await count()).toEqual(before);
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });
  });
});

describe('every route of a merged-away record', () => {
  it('answers 410 subject-merged naming the survivor, as the OpenAPI document says, on every operation under /v1/subjects/{id}', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const document = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'));
    const survivor = await createSubject(api, brand, { email: `survivor.${tag()}@example.com` });
    const away = await createSubject(api, brand, { email: `away.${tag()}@example.com` });
    await grant(api, brand, away.id, 'email_marketing');
    expect((await api.http.post(`/v1/subjects/${survivor.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: away.id })).status).toBe(200);

    const answers: string[] = [];
    const undocumented: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      if (!path.startsWith('/v1/subjects/{id}')) continue;
      for (const [method, operation] of Object.entries(item)) {
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        if (!('410' in operation.responses)) undocumented.push(where);
        const url = path.replace('{id}', away.id).replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        let request = (api.http as any)[method](url).set(bearer(brand.key));
        const example = operation.requestBody?.content?.['application/json']?.example;
        // Merging the survivor into the merged-away record: 410, naming where that record went.
        const body = example && 'fromSubjectId' in example ? { ...example, fromSubjectId: survivor.id } : example;
        if (operation.parameters?.some((p: { name?: string }) => p.name === 'If-Match')) request = request.set('If-Match', '"prefs-v1"');
        for (const p of operation.parameters ?? []) if (p.in === 'query' && p.required && p.name === 'purpose') request = request.query({ purpose: 'email_marketing' });
        if (body !== undefined) request = request.send(body);
        const res = await request;
        if (res.status !== 410 || res.body.mergedInto !== survivor.id) answers.push(`${where} → ${res.status} ${res.body?.code ?? ''}`);
      }
    }
    expect(operations).toBeGreaterThan(15);
    expect({ answers, undocumented }).toEqual({ answers: [], undocumented: [] });
  });
});

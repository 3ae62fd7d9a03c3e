import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, grant, signInCustomer, TestBrand } from '../support/factories';

/**
 * "My channel, my rhythm" and "Not now" (journeys 4 and 5): the channels a person chooses per
 * purpose, preference writes that change only what they name (by the person or by the brand's call
 * centre, who the person then sees in their Activity), suppressions that quiet marketing and
 * nothing else, a marketing mention riding in a service message, and the person's own view of
 * what the brand would be told — always the brand's own answer.
 */
let api: TestApi;
let brand: TestBrand;
/** The call centre's key: it may read and change subjects (preferences among them). */
let callCentre: string;

const PURPOSES = ['email_marketing', 'sms_marketing', 'order_updates', 'customer_care', 'personalization'] as const;
/** The purposes that contact people, with their channels (the catalogue's). */
const CONTACT_CHANNELS: Record<string, string[]> = {
  customer_care: ['email', 'messenger'],
  email_marketing: ['email'],
  order_updates: ['email', 'sms', 'push'],
  sms_marketing: ['sms', 'push', 'messenger'],
};

beforeAll(async () => {
  api = await startApi({ env: { PORTAL_URL: 'http://portal.test' } });
  brand = await createBrand(api, 'Calm Harbor');
  for (const p of PURPOSES) await adoptPurpose(api, brand, p);
  const key = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'Call centre', scopes: ['subjects:read', 'subjects:write'] });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  callCentre = key.body.key;
});
afterAll(async () => {
  await api?.close();
});

type Decision = { allowed: boolean; reasons: string[]; unsubscribe?: { url: string }; mention?: { purpose: string; allowed: boolean; reasons: string[]; unsubscribe?: { url: string } } };

/** The brand's question before a send (the fast path answers the plain three-field query). */
async function decide(subjectId: string, purpose: string, channel: string, mention?: string): Promise<Decision> {
  const res = await api.http
    .get('/v1/decisions/contact')
    .query({ subjectId, purpose, channel, ...(mention ? { mention } : {}) })
    .set(bearer(brand.key));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** A customer and their session. */
async function person(body: Record<string, unknown> = {}) {
  const subject = await createSubject(api, brand, body);
  return { id: subject.id, session: await signInCustomer(api, brand, subject.id) };
}

/** Saves preferences as the person does, from their current version. */
async function save(session: string, body: Record<string, unknown>) {
  const read = await api.http.get('/v1/me/preferences').set(bearer(session));
  const res = await api.http.put('/v1/me/preferences').set(bearer(session)).set('If-Match', read.headers.etag).send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const hourWindow = () => {
  const hour = new Date().getUTCHours();
  const pad = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
  return { start: pad(hour - 2), end: pad(hour + 2) };
};

describe('channels chosen per purpose', () => {
  it('sends order updates by SMS and not by email when the person chose SMS for them — though they cannot refuse order updates', async () => {
    const mette = await person({ timezone: 'Europe/Copenhagen' });
    const saved = await save(mette.session, { purposes: { order_updates: { channels: ['sms'] } } });
    expect(saved.purposes).toEqual({ order_updates: { channels: ['sms'] } });

    expect(await decide(mette.id, 'order_updates', 'sms')).toEqual({ allowed: true, reasons: ['service-message:contract'] });
    expect(await decide(mette.id, 'order_updates', 'email')).toEqual({ allowed: false, reasons: ['channel-not-chosen'] });
    expect(await decide(mette.id, 'order_updates', 'push')).toEqual({ allowed: false, reasons: ['channel-not-chosen'] });
    // The batch route answers the same.
    const batch = await api.http
      .post('/v1/decisions/contact')
      .set(bearer(brand.key))
      .send({ checks: ['sms', 'email'].map((channel) => ({ subjectId: mette.id, purpose: 'order_updates', channel })) });
    expect(batch.body.results.map((r: Decision) => [r.allowed, r.reasons])).toEqual([[true, ['service-message:contract']], [false, ['channel-not-chosen']]]);
    // A choice for one purpose leaves the others alone: customer care may still write by email.
    expect((await decide(mette.id, 'customer_care', 'email')).allowed).toBe(true);

    // Every channel of the purpose again: the choice removed with null.
    await save(mette.session, { purposes: { order_updates: null } });
    expect((await decide(mette.id, 'order_updates', 'email')).allowed).toBe(true);
  });

  it('refuses choices that cannot hold, naming each, and saves nothing of them', async () => {
    const ola = await person();
    const read = await api.http.get('/v1/me/preferences').set(bearer(ola.session));
    const res = await api.http
      .put('/v1/me/preferences')
      .set(bearer(ola.session))
      .set('If-Match', read.headers.etag)
      .send({ purposes: { order_updates: { channels: [] }, email_marketing: { channels: ['sms'] }, no_such_purpose: { channels: ['email'] } } });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['purposes.email_marketing.channels', 'purposes.no_such_purpose', 'purposes.order_updates.channels']);
    const malformed = await api.http.put('/v1/me/preferences').set(bearer(ola.session)).set('If-Match', read.headers.etag).send({ purposes: { order_updates: { channels: ['pigeon'] } } });
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors.map((e: { path: string }) => e.path)).toEqual(['purposes']);
    const after = await api.http.get('/v1/me/preferences').set(bearer(ola.session));
    expect(after.body).toMatchObject({ version: 0, purposes: {} });
  });
});

describe('a purpose that contacts no one', () => {
  const ALL_CHANNELS = ['email', 'sms', 'push', 'messenger', 'post'];

  it('personalization reaches the person on no channel, even with consent — not alone, not in a batch, not as a mention', async () => {
    const liv = await person();
    await grant(api, brand, liv.id, 'personalization');
    for (const channel of ALL_CHANNELS) {
      // The plain three-field query (the fast path) and the same query through the controller answer alike.
      expect(await decide(liv.id, 'personalization', channel)).toEqual({ allowed: false, reasons: ['channel-not-in-purpose'] });
    }
    const batch = await api.http
      .post('/v1/decisions/contact')
      .set(bearer(brand.key))
      .send({ checks: ALL_CHANNELS.map((channel) => ({ subjectId: liv.id, purpose: 'personalization', channel })) });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: Decision) => [r.allowed, r.reasons])).toEqual(ALL_CHANNELS.map(() => [false, ['channel-not-in-purpose']]));
    // An order update may go by SMS, but it may not carry a personalization "mention".
    const withMention = await decide(liv.id, 'order_updates', 'sms', 'personalization');
    expect(withMention.allowed).toBe(true);
    expect(withMention.mention).toMatchObject({ purpose: 'personalization', allowed: false, reasons: ['channel-not-in-purpose'] });
    // A channel outside a purpose that does have channels answers the same way.
    await grant(api, brand, liv.id, 'email_marketing');
    expect(await decide(liv.id, 'email_marketing', 'sms')).toEqual({ allowed: false, reasons: ['channel-not-in-purpose'] });
    // What the person is shown agrees: a purpose with no channels is not among the ones that may contact them.
    const mine = await api.http.get('/v1/me/decisions').set(bearer(liv.session));
    expect(mine.status).toBe(200);
    expect(JSON.stringify(mine.body)).not.toContain('"personalization"');
  });

  it('takes no channel choice for it, from the person or the call centre, and saves nothing', async () => {
    const per = await person();
    const mine = await api.http.get('/v1/me/preferences').set(bearer(per.session));
    const own = await api.http.put('/v1/me/preferences').set(bearer(per.session)).set('If-Match', mine.headers.etag).send({ purposes: { personalization: { channels: ['sms'] } } });
    expect(own.status).toBe(422);
    expect(own.headers['content-type']).toMatch(/problem\+json/);
    expect(own.body.errors.map((e: { path: string }) => e.path)).toEqual(['purposes.personalization.channels']);
    const read = await api.http.get(`/v1/subjects/${per.id}/preferences`).set(bearer(callCentre));
    const theirs = await api.http
      .put(`/v1/subjects/${per.id}/preferences`)
      .set(bearer(callCentre))
      .set('If-Match', read.headers.etag)
      .send({ purposes: { personalization: { channels: ['sms', 'email'] } }, source: 'call_centre' });
    expect(theirs.status).toBe(422);
    expect(theirs.body.errors.map((e: { path: string }) => e.path)).toEqual(['purposes.personalization.channels']);
    const after = await api.http.get(`/v1/subjects/${per.id}/preferences`).set(bearer(callCentre));
    expect(after.body).toMatchObject({ version: 0, purposes: {} });
  });
});

describe('no silent opt-in', () => {
  it('a save that names only email leaves SMS and push, quiet hours and topics as they were', async () => {
    const ingrid = await person();
    await save(ingrid.session, {
      channels: { email: { optedIn: true, frequency: 'weekly' }, sms: { optedIn: false, frequency: 'immediately' }, push: { optedIn: false, frequency: 'monthly' } },
      quietHours: { start: '21:00', end: '07:00' },
      topics: ['sleep'],
    });
    const saved = await save(ingrid.session, { channels: { email: { optedIn: true, frequency: 'monthly' } } });
    expect(saved.channels.email).toEqual({ optedIn: true, frequency: 'monthly' });
    expect(saved.channels.sms).toEqual({ optedIn: false, frequency: 'immediately' });
    expect(saved.channels.push).toEqual({ optedIn: false, frequency: 'monthly' });
    expect(saved.quietHours).toEqual({ start: '21:00', end: '07:00' });
    expect(saved.topics).toEqual(['sleep']);
    // ...and the brand is told so: no SMS about orders, because she turned SMS off.
    expect(await decide(ingrid.id, 'order_updates', 'sms')).toEqual({ allowed: false, reasons: ['channel-opted-out'] });
  });

  it('a bulk import line that names only email leaves SMS as it was, and the person sees the import in their Activity', async () => {
    const externalId = `import-${Date.now()}`;
    const nora = await person({ externalId });
    await save(nora.session, { channels: { sms: { optedIn: false, frequency: 'immediately' } }, topics: ['sleep'] });
    const line = { type: 'preference', externalId, channels: { email: { optedIn: true, frequency: 'monthly' } } };
    const job = await api.http.post('/v1/imports').set(bearer(brand.key)).set('Content-Type', 'application/x-ndjson').send(`${JSON.stringify(line)}\n`);
    expect(job.status, JSON.stringify(job.body)).toBe(202);
    await expect.poll(async () => (await api.http.get(`/v1/imports/${job.body.id}`).set(bearer(brand.key))).body.status, { timeout: 20_000 }).toBe('completed');
    const prefs = (await api.http.get('/v1/me/preferences').set(bearer(nora.session))).body;
    expect(prefs.channels.sms).toEqual({ optedIn: false, frequency: 'immediately' });
    expect(prefs.channels.email).toEqual({ optedIn: true, frequency: 'monthly' });
    expect(prefs.topics).toEqual(['sleep']);
    const activity = await api.http.get('/v1/me/preference-changes').set(bearer(nora.session));
    expect(activity.body.data[0]).toMatchObject({ byYou: false, source: 'import', fields: ['channels.email'], version: 2 });
  });

  it('a new person hears no marketing on any channel until they agree, whatever their channel settings', async () => {
    const fresh = await person();
    const mine = await api.http.get('/v1/me/decisions').set(bearer(fresh.session));
    expect(mine.status).toBe(200);
    const marketing = mine.body.data.filter((d: { purpose: string }) => d.purpose.endsWith('_marketing'));
    expect(marketing.length).toBe(4);
    for (const d of marketing) expect(d).toMatchObject({ allowed: false, reasons: ['no-consent'] });
  });
});

describe('brand-side preference writes', () => {
  it('lets the call centre change what the person asked for, with If-Match, and shows the person who changed what', async () => {
    const astrid = await person();
    // Without If-Match: 428, nothing changed.
    const blind = await api.http.put(`/v1/subjects/${astrid.id}/preferences`).set(bearer(callCentre)).send({ purposes: { order_updates: { channels: ['sms'] } } });
    expect(blind.status).toBe(428);
    expect(blind.headers['content-type']).toMatch(/problem\+json/);

    const read = await api.http.get(`/v1/subjects/${astrid.id}/preferences`).set(bearer(callCentre));
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"prefs-v0"');
    // The person saves in between: the call centre's version is stale (412, with the current values).
    await save(astrid.session, { channels: { email: { optedIn: true, frequency: 'weekly' } } });
    const stale = await api.http
      .put(`/v1/subjects/${astrid.id}/preferences`)
      .set(bearer(callCentre))
      .set('If-Match', read.headers.etag)
      .send({ purposes: { order_updates: { channels: ['sms'] } }, source: 'call_centre' });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'precondition-failed', current: { version: 1, channels: { email: { optedIn: true, frequency: 'weekly' } } } });

    const again = await api.http.get(`/v1/subjects/${astrid.id}/preferences`).set(bearer(callCentre));
    const changed = await api.http
      .put(`/v1/subjects/${astrid.id}/preferences`)
      .set(bearer(callCentre))
      .set('If-Match', again.headers.etag)
      .send({ purposes: { order_updates: { channels: ['sms'] } }, channels: { push: { optedIn: false, frequency: 'immediately' } }, source: 'call_centre' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.headers.etag).toBe('"prefs-v2"');
    // What the person set stays: only what the call centre named changed.
    expect(changed.body.channels.email).toEqual({ optedIn: true, frequency: 'weekly' });
    expect(changed.body.purposes).toEqual({ order_updates: { channels: ['sms'] } });
    expect(await decide(astrid.id, 'order_updates', 'email')).toEqual({ allowed: false, reasons: ['channel-not-chosen'] });

    // The person's Activity: who changed what, newest first.
    const activity = await api.http.get('/v1/me/preference-changes').set(bearer(astrid.session));
    expect(activity.status).toBe(200);
    expect(activity.body.data).toMatchObject([
      { version: 2, byYou: false, changedBy: 'Call centre', source: 'call_centre', fields: ['channels.push', 'purposes.order_updates'] },
      { version: 1, byYou: true, source: 'portal', fields: ['channels.email'] },
    ]);
    expect(activity.body.data[0].changedByLabel.en).toBe('Call centre');
    // Reading the preferences is in the person's access log; the key that may not change them cannot.
    const log = await api.http.get('/v1/me/access-log').set(bearer(astrid.session));
    expect(log.body.data[0]).toMatchObject({ kind: 'preferences', reader: 'Call centre', fields: ['preferences'] });
    // Her export carries the choice and the history too, as data and on the page she can read.
    const exported = await api.http.get(`/v1/subjects/${astrid.id}/export`).set(bearer(brand.key));
    expect(exported.body.preferences.purposes).toEqual({ order_updates: { channels: ['sms'] } });
    expect(exported.body.preferenceChanges).toMatchObject([
      { changedBy: 'you', source: 'portal', fields: ['channels.email'] },
      { changedBy: 'Call centre', source: 'call_centre', fields: ['channels.push', 'purposes.order_updates'] },
    ]);
    const page = await api.http.get(`/v1/subjects/${astrid.id}/export`).set(bearer(brand.key)).set('Accept', 'text/html');
    expect(page.text).toContain('Who changed your preferences');
    expect(page.text).toContain('Order and delivery updates');
    const reader = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'Reader', scopes: ['subjects:read'] });
    const refused = await api.http.put(`/v1/subjects/${astrid.id}/preferences`).set(bearer(reader.body.key)).set('If-Match', '"prefs-v2"').send({ channels: {} });
    expect(refused.status).toBe(403);
    // Another brand's key: the subject does not exist for it.
    const other = await createBrand(api, 'Other Brand');
    expect((await api.http.get(`/v1/subjects/${astrid.id}/preferences`).set(bearer(other.key))).status).toBe(404);
  });
});

describe('preference writes that name a version, and only change what changes', () => {
  it('answers 428 to If-Match: * on both routes — a write must name the version it was based on — and changes nothing', async () => {
    const kari = await person();
    await save(kari.session, { channels: { email: { optedIn: true, frequency: 'weekly' } } });
    const brandSide = await api.http.put(`/v1/subjects/${kari.id}/preferences`).set(bearer(callCentre)).set('If-Match', '*').send({ channels: { email: { optedIn: false, frequency: 'weekly' } } });
    expect(brandSide.status).toBe(428);
    expect(brandSide.headers['content-type']).toMatch(/problem\+json/);
    expect(brandSide.body.code).toBe('precondition-required');
    expect(brandSide.body.detail).toContain('not *');
    const own = await api.http.put('/v1/me/preferences').set(bearer(kari.session)).set('If-Match', '*').send({ channels: { email: { optedIn: false, frequency: 'weekly' } } });
    expect(own.status).toBe(428);
    expect(own.body.code).toBe('precondition-required');
    const after = await api.http.get(`/v1/subjects/${kari.id}/preferences`).set(bearer(callCentre));
    expect(after.body).toMatchObject({ version: 1, channels: { email: { optedIn: true, frequency: 'weekly' } } });
  });

  it('takes a channel sent as null as a channel left as it is', async () => {
    const siri = await person();
    await save(siri.session, { channels: { sms: { optedIn: false, frequency: 'immediately' } } });
    const read = await api.http.get(`/v1/subjects/${siri.id}/preferences`).set(bearer(callCentre));
    const res = await api.http
      .put(`/v1/subjects/${siri.id}/preferences`)
      .set(bearer(callCentre))
      .set('If-Match', read.headers.etag)
      .send({ channels: { sms: null, email: { optedIn: true, frequency: 'monthly' } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.channels.sms).toEqual({ optedIn: false, frequency: 'immediately' });
    expect(res.body.channels.email).toEqual({ optedIn: true, frequency: 'monthly' });
    // The person's own route too; null alone changes nothing.
    const own = await save(siri.session, { channels: { sms: null } });
    expect(own).toMatchObject({ version: 2, channels: { sms: { optedIn: false, frequency: 'immediately' } } });
  });

  it('a write that changes nothing keeps the version and records no change', async () => {
    const eva = await person();
    await save(eva.session, { channels: { email: { optedIn: true, frequency: 'weekly' } }, topics: ['sleep'] });
    for (const body of [{ channels: {} }, { source: 'call_centre' }, { channels: { email: { optedIn: true, frequency: 'weekly' } }, topics: ['sleep'] }]) {
      const read = await api.http.get(`/v1/subjects/${eva.id}/preferences`).set(bearer(callCentre));
      const res = await api.http.put(`/v1/subjects/${eva.id}/preferences`).set(bearer(callCentre)).set('If-Match', read.headers.etag).send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers.etag).toBe('"prefs-v1"');
      expect(res.body).toMatchObject({ version: 1, channels: { email: { optedIn: true, frequency: 'weekly' } }, topics: ['sleep'] });
    }
    expect(await save(eva.session, {})).toMatchObject({ version: 1 });
    const activity = await api.http.get('/v1/me/preference-changes').set(bearer(eva.session));
    expect(activity.body.data).toHaveLength(1);
    expect(activity.body.data[0]).toMatchObject({ version: 1, byYou: true });
  });
});

describe('not now: suppressions quiet marketing only', () => {
  it('an open cart stops marketing but not order updates or customer care; it is listed, and the checkout ends it early', async () => {
    const lars = await person();
    await grant(api, brand, lars.id, 'email_marketing');
    const until = new Date(Date.now() + 2 * 3600_000).toISOString();
    const set = await api.http.post(`/v1/subjects/${lars.id}/suppressions`).set(bearer(brand.key)).send({ reason: 'open_cart', until });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ reason: 'open_cart', active: true, endedAt: null });

    expect(await decide(lars.id, 'email_marketing', 'email')).toEqual({ allowed: false, reasons: ['suppressed:open_cart'] });
    expect(await decide(lars.id, 'order_updates', 'email')).toEqual({ allowed: true, reasons: ['service-message:contract'] });
    expect(await decide(lars.id, 'customer_care', 'email')).toEqual({ allowed: true, reasons: ['legitimate-interest'] });

    const second = await api.http.post(`/v1/subjects/${lars.id}/suppressions`).set(bearer(brand.key)).send({ reason: 'support_case', until });
    const listed = await api.http.get(`/v1/subjects/${lars.id}/suppressions`).query({ limit: 1 }).set(bearer(brand.key));
    expect(listed.status).toBe(200);
    expect(listed.body.data).toMatchObject([{ id: second.body.id, reason: 'support_case', active: true }]);
    expect(typeof listed.body.nextCursor).toBe('string');
    const next = await api.http.get(`/v1/subjects/${lars.id}/suppressions`).query({ limit: 1, cursor: listed.body.nextCursor }).set(bearer(brand.key));
    expect(next.body).toMatchObject({ data: [{ id: set.body.id, reason: 'open_cart', active: true }], nextCursor: null });

    // The cart is bought, the case closed: both end early, and marketing may speak again.
    for (const id of [set.body.id, second.body.id]) {
      expect((await api.http.delete(`/v1/subjects/${lars.id}/suppressions/${id}`).set(bearer(brand.key))).status).toBe(204);
    }
    expect((await decide(lars.id, 'email_marketing', 'email')).allowed).toBe(true);
    const after = await api.http.get(`/v1/subjects/${lars.id}/suppressions`).set(bearer(brand.key));
    for (const s of after.body.data) {
      expect(s.active).toBe(false);
      expect(Date.parse(s.endedAt)).toBeLessThanOrEqual(Date.now());
    }
    // Ending it again changes nothing; an unknown id, or another person's, is not found.
    expect((await api.http.delete(`/v1/subjects/${lars.id}/suppressions/${set.body.id}`).set(bearer(brand.key))).status).toBe(204);
    const other = await person();
    expect((await api.http.delete(`/v1/subjects/${other.id}/suppressions/${set.body.id}`).set(bearer(brand.key))).status).toBe(404);
    expect((await api.http.delete(`/v1/subjects/${lars.id}/suppressions/6f1c1a52-8d4e-4a53-9a52-1f0e4b8e2c11`).set(bearer(brand.key))).status).toBe(404);
  });

  it('the frequency cap binds marketing only: a customer-care reply neither waits for it nor uses it up', async () => {
    const karin = await person();
    await grant(api, brand, karin.id, 'email_marketing');
    await save(karin.session, { channels: { email: { optedIn: true, frequency: 'monthly' } } });
    const care = await api.http.post(`/v1/subjects/${karin.id}/contacts`).set(bearer(brand.key)).send({ purpose: 'customer_care', channel: 'email' });
    expect(care.body.marketing).toBe(false);
    expect((await decide(karin.id, 'email_marketing', 'email')).allowed).toBe(true);
    const newsletter = await api.http.post(`/v1/subjects/${karin.id}/contacts`).set(bearer(brand.key)).send({ purpose: 'email_marketing', channel: 'email' });
    expect(newsletter.body.marketing).toBe(true);
    expect(await decide(karin.id, 'email_marketing', 'email')).toEqual({ allowed: false, reasons: ['frequency-cap:monthly'] });
    expect(await decide(karin.id, 'customer_care', 'email')).toEqual({ allowed: true, reasons: ['legitimate-interest'] });
  });
});

describe('a service message with a marketing mention', () => {
  it('answers the order update and, beside it, whether it may mention the newsletter', async () => {
    const olivia = await person();
    const none = await decide(olivia.id, 'order_updates', 'email', 'email_marketing');
    expect(none).toEqual({ allowed: true, reasons: ['service-message:contract'], mention: { purpose: 'email_marketing', allowed: false, reasons: ['no-consent'] } });

    await grant(api, brand, olivia.id, 'email_marketing');
    const yes = await decide(olivia.id, 'order_updates', 'email', 'email_marketing');
    expect(yes).toMatchObject({ allowed: true, mention: { purpose: 'email_marketing', allowed: true, reasons: ['consent-granted'] } });
    // The mention of a consent-based purpose comes with its own one-click unsubscribe link.
    expect(yes.mention!.unsubscribe!.url).toMatch(/\/unsubscribe\//);
    expect(yes.unsubscribe).toBeUndefined();

    // Quiet hours hold back the newsletter, not the order update — nor the mention riding in it.
    await save(olivia.session, { quietHours: hourWindow() });
    expect((await decide(olivia.id, 'email_marketing', 'email')).reasons).toEqual(['quiet-hours']);
    expect((await decide(olivia.id, 'order_updates', 'email', 'email_marketing')).mention).toMatchObject({ allowed: true });

    // An open cart silences the mention; the order update still goes.
    const cart = await api.http.post(`/v1/subjects/${olivia.id}/suppressions`).set(bearer(brand.key)).send({ reason: 'open_cart', until: new Date(Date.now() + 3600_000).toISOString() });
    expect(await decide(olivia.id, 'order_updates', 'email', 'email_marketing')).toEqual({
      allowed: true,
      reasons: ['service-message:contract'],
      mention: { purpose: 'email_marketing', allowed: false, reasons: ['suppressed:open_cart'] },
    });
    await api.http.delete(`/v1/subjects/${olivia.id}/suppressions/${cart.body.id}`).set(bearer(brand.key));

    // A newsletter sent this week uses up a weekly cap: the mention waits, the order update does not.
    await save(olivia.session, { channels: { email: { optedIn: true, frequency: 'weekly' } } });
    await api.http.post(`/v1/subjects/${olivia.id}/contacts`).set(bearer(brand.key)).send({ purpose: 'email_marketing', channel: 'email' });
    expect((await decide(olivia.id, 'order_updates', 'email', 'email_marketing')).mention).toEqual({ purpose: 'email_marketing', allowed: false, reasons: ['frequency-cap:weekly'] });

    // The mention only rides where the message may go; it must be a marketing purpose of the brand.
    await save(olivia.session, { purposes: { order_updates: { channels: ['sms'] } } });
    expect(await decide(olivia.id, 'order_updates', 'email', 'email_marketing')).toEqual({
      allowed: false,
      reasons: ['channel-not-chosen'],
      mention: { purpose: 'email_marketing', allowed: false, reasons: ['message-not-allowed'] },
    });
    expect((await decide(olivia.id, 'order_updates', 'sms', 'customer_care')).mention).toMatchObject({ allowed: false, reasons: expect.arrayContaining(['not-marketing']) });
    const unknown = await api.http.get('/v1/decisions/contact').query({ subjectId: olivia.id, purpose: 'order_updates', channel: 'sms', mention: 'no_such_purpose' }).set(bearer(brand.key));
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'unknown-purpose', errors: [{ path: 'mention' }] });
    // Batch checks may carry a mention too.
    const batch = await api.http
      .post('/v1/decisions/contact')
      .set(bearer(brand.key))
      .send({ checks: [{ subjectId: olivia.id, purpose: 'order_updates', channel: 'sms', mention: 'sms_marketing' }] });
    expect(batch.body.results[0]).toMatchObject({ subjectId: olivia.id, purpose: 'order_updates', channel: 'sms', allowed: true, mention: { purpose: 'sms_marketing', allowed: false, reasons: ['no-consent'] } });
    // A key limited to other purposes may not ask about the mention's.
    const limited = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'Orders only', scopes: ['consents:read'], purposes: ['order_updates'] });
    const forbidden = await api.http.get('/v1/decisions/contact').query({ subjectId: olivia.id, purpose: 'order_updates', channel: 'sms', mention: 'email_marketing' }).set(bearer(limited.body.key));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('purpose-not-allowed');
  });
});

describe('the person sees what the brand would be told', () => {
  it('says why, and until when a passing no lasts', async () => {
    const hanne = await person();
    await grant(api, brand, hanne.id, 'email_marketing');
    await save(hanne.session, { quietHours: hourWindow(), purposes: { order_updates: { channels: ['sms'] } } });
    const res = await api.http.get('/v1/me/decisions').set(bearer(hanne.session));
    expect(res.status).toBe(200);
    const of = (purpose: string, channel: string) => res.body.data.find((d: { purpose: string; channel: string }) => d.purpose === purpose && d.channel === channel);
    expect(of('email_marketing', 'email')).toMatchObject({ allowed: false, reasons: ['quiet-hours'] });
    const until = Date.parse(of('email_marketing', 'email').until);
    expect(until).toBeGreaterThan(Date.now());
    expect(until - Date.now()).toBeLessThanOrEqual(2 * 3600_000);
    expect(new Date(until).getUTCMinutes()).toBe(0);
    expect(of('order_updates', 'sms')).toEqual({ purpose: 'order_updates', channel: 'sms', allowed: true, reasons: ['service-message:contract'] });
    expect(of('order_updates', 'email')).toEqual({ purpose: 'order_updates', channel: 'email', allowed: false, reasons: ['channel-not-chosen'] });
    // A purpose that contacts no one (personalization) is not asked about.
    expect(res.body.data.some((d: { purpose: string }) => d.purpose === 'personalization')).toBe(false);
  });

  it('property: for random preferences, consents, objections, suppressions and sends, it is exactly the brand\'s answer for every purpose and channel', async () => {
    const channelSetting = fc.record({ optedIn: fc.boolean(), frequency: fc.constantFrom('immediately', 'daily', 'weekly', 'monthly') });
    const state = fc.record({
      channels: fc.record({ email: channelSetting, sms: channelSetting, push: channelSetting, messenger: channelSetting }, { requiredKeys: [] }),
      choices: fc.record(
        {
          order_updates: fc.subarray(CONTACT_CHANNELS.order_updates, { minLength: 1 }),
          email_marketing: fc.subarray(CONTACT_CHANNELS.email_marketing),
          sms_marketing: fc.subarray(CONTACT_CHANNELS.sms_marketing),
          customer_care: fc.subarray(CONTACT_CHANNELS.customer_care),
        },
        { requiredKeys: [] },
      ),
      quiet: fc.boolean(),
      consents: fc.record({
        email_marketing: fc.constantFrom('none', 'granted', 'withdrawn'),
        sms_marketing: fc.constantFrom('none', 'granted', 'withdrawn'),
        customer_care: fc.constantFrom('none', 'objected'),
      }),
      suppression: fc.constantFrom('none', 'active', 'ended'),
      sent: fc.subarray(['email', 'sms', 'push'] as const),
    });
    const seen = new Set<string>();
    const on = { optedIn: true, frequency: 'immediately' as const };
    await fc.assert(
      fc.asyncProperty(state, async (s) => {
        const p = await person({ timezone: 'UTC' });
        const purposes = Object.fromEntries(Object.entries(s.choices).map(([k, channels]) => [k, { channels }]));
        await save(p.session, { channels: s.channels, purposes, ...(s.quiet ? { quietHours: hourWindow() } : {}) });
        for (const [purpose, decision] of Object.entries(s.consents)) {
          if (decision === 'granted' || decision === 'withdrawn') await grant(api, brand, p.id, purpose);
          if (decision === 'withdrawn') await grant(api, brand, p.id, purpose, false);
          if (decision === 'objected') {
            const objection = await api.http.put(`/v1/me/consents/${purpose}`).set(bearer(p.session)).send({ granted: false });
            expect(objection.status, JSON.stringify(objection.body)).toBe(200);
          }
        }
        if (s.suppression !== 'none') {
          const set = await api.http.post(`/v1/subjects/${p.id}/suppressions`).set(bearer(brand.key)).send({ reason: 'open_cart', until: new Date(Date.now() + 3600_000).toISOString() });
          if (s.suppression === 'ended') await api.http.delete(`/v1/subjects/${p.id}/suppressions/${set.body.id}`).set(bearer(brand.key));
        }
        for (const channel of s.sent) await api.http.post(`/v1/subjects/${p.id}/contacts`).set(bearer(brand.key)).send({ purpose: 'email_marketing', channel });

        const mine = await api.http.get('/v1/me/decisions').set(bearer(p.session));
        expect(mine.status).toBe(200);
        const asked = (mine.body.data as Array<{ purpose: string; channel: string }>).map((d) => `${d.purpose}/${d.channel}`);
        expect(asked).toEqual(Object.entries(CONTACT_CHANNELS).flatMap(([purpose, channels]) => channels.map((c) => `${purpose}/${c}`)));
        const batch = await api.http
          .post('/v1/decisions/contact')
          .set(bearer(brand.key))
          .send({ checks: mine.body.data.map((d: { purpose: string; channel: string }) => ({ subjectId: p.id, purpose: d.purpose, channel: d.channel })) });
        for (const [i, d] of (mine.body.data as Array<{ purpose: string; channel: string; allowed: boolean; reasons: string[] }>).entries()) {
          for (const reason of d.reasons) seen.add(reason);
          const single = await decide(p.id, d.purpose, d.channel);
          expect({ allowed: d.allowed, reasons: d.reasons }, `${d.purpose}/${d.channel}`).toEqual({ allowed: single.allowed, reasons: single.reasons });
          expect({ allowed: d.allowed, reasons: d.reasons }, `${d.purpose}/${d.channel} (batch)`).toEqual({ allowed: batch.body.results[i].allowed, reasons: batch.body.results[i].reasons });
        }
      }),
      {
        numRuns: Number(process.env.RHYTHM_RUNS ?? 25),
        // Two states drawn every time, so the answers that matter are reached whatever the seed:
        // everything allowed, and everything that says no.
        examples: [
          [{ channels: { email: on, sms: on, push: on, messenger: on }, choices: {}, quiet: false, consents: { email_marketing: 'granted', sms_marketing: 'granted', customer_care: 'none' }, suppression: 'none', sent: [] }],
          [{ channels: { email: on }, choices: { order_updates: ['sms'] }, quiet: true, consents: { email_marketing: 'granted', sms_marketing: 'none', customer_care: 'objected' }, suppression: 'active', sent: ['email'] }],
        ],
      },
    );
    // The states drawn reach the answers that matter (the comparison is not of yes against yes).
    expect([...seen]).toEqual(expect.arrayContaining(['service-message:contract', 'consent-granted', 'no-consent', 'channel-not-chosen', 'quiet-hours', 'suppressed:open_cart', 'objected']));
  });
});

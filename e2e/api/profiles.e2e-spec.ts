import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactsService } from '../../api/src/modules/facts/facts.service';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';

let api: TestApi;
let smtp: MailCatcher;

beforeAll(async () => {
  // A real SMTP server catches the sign-in emails.
  smtp = await new MailCatcher().start();
  api = await startApi({ env: { SMTP_URL: smtp.url, PORTAL_URL: 'http://portal.test' } });
});
afterAll(async () => {
  await api?.close();
  await smtp?.stop();
});

async function sql(text: string, params: unknown[] = []) {
  const client = new Client({ connectionString: api.databaseUrl! });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

const me = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('customer sessions', () => {
  it('exchanges a portal link for a session exactly once, and signs out for real', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand, { email: 'ingrid.solberg@example.com' });
    const link = await api.http.post(`/v1/subjects/${subject.id}/portal-links`).set(bearer(brand.key));
    expect(link.body.url).toBe(`http://portal.test/${brand.slug}/link/${link.body.token}`);

    const [first, second] = await Promise.all([
      api.http.post('/v1/auth/sessions').send({ token: link.body.token }),
      api.http.post('/v1/auth/sessions').send({ token: link.body.token }),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 401]);
    const session = (first.status === 201 ? first : second).body;
    expect(session).toMatchObject({ brand: brand.slug, subjectId: subject.id });

    expect((await api.http.get('/v1/me').set(me(session.sessionToken))).status).toBe(200);
    // A customer session reaches only /v1/me.
    expect((await api.http.get(`/v1/subjects/${subject.id}`).set(me(session.sessionToken))).status).toBe(403);
    expect((await api.http.delete('/v1/auth/sessions/current').set(me(session.sessionToken))).status).toBe(204);
    expect((await api.http.get('/v1/me').set(me(session.sessionToken))).status).toBe(401);
    const [stored] = await sql(`SELECT token_hash FROM sessions WHERE subject_id = $1`, [subject.id]);
    expect(stored.token_hash).not.toContain(session.sessionToken);
  });

  it('answers 202 to every magic-link request and emails a link only to a known customer', async () => {
    const brand = await createBrand(api);
    await createSubject(api, brand, { email: 'mette.jensen@example.com' });
    const known = await api.http.post('/v1/auth/magic-links').send({ brand: brand.slug, email: 'Mette.Jensen@example.com' });
    const unknown = await api.http.post('/v1/auth/magic-links').send({ brand: brand.slug, email: 'nobody@example.com' });
    const noBrand = await api.http.post('/v1/auth/magic-links').send({ brand: 'no-such-brand', email: 'mette.jensen@example.com' });
    expect([known.status, unknown.status, noBrand.status]).toEqual([202, 202, 202]);
    expect(known.body).toEqual(unknown.body);

    const token = await smtp.find('mette.jensen@example.com', /link\/(cml_[A-Za-z0-9_-]+)/);
    expect(smtp.messages.some((m) => m.includes('nobody@example.com'))).toBe(false);
    const session = await api.http.post('/v1/auth/sessions').send({ token });
    expect(session.status).toBe(201);
  });
});

describe('consent receipts', () => {
  it('gives the customer their history and receipts anyone can verify by recomputing the hash', async () => {
    const brand = await createBrand(api);
    await adoptPurpose(api, brand, 'email_marketing');
    const subject = await createSubject(api, brand);
    await grant(api, brand, subject.id, 'email_marketing');
    const token = await signInCustomer(api, brand, subject.id);
    await api.http.put('/v1/me/consents/email_marketing').set(me(token)).send({ granted: false });

    const history = await api.http.get('/v1/me/consents').set(me(token));
    expect(history.body.data.map((e: { granted: boolean; source: string }) => [e.granted, e.source])).toEqual([[true, 'api'], [false, 'portal']]);
    const receipt = await api.http.get(`/v1/me/consents/receipts/${history.body.data[0].id}`).set(me(token));
    expect(receipt.status).toBe(200);
    expect(receipt.body.verified).toBe(true);
    expect(receipt.body.noticeText.en).toContain('email');
    const recomputed = createHash('sha256').update(canonicalize(receipt.body.content)!).digest('hex');
    expect(recomputed).toBe(receipt.body.hash);
    expect(receipt.body.hash).toBe(history.body.data[0].hash);

    const stranger = await signInCustomer(api, brand, (await createSubject(api, brand)).id);
    expect((await api.http.get(`/v1/me/consents/receipts/${history.body.data[0].id}`).set(me(stranger))).status).toBe(404);
    expect((await api.http.get(`/v1/brands/by-slug/${brand.slug}`)).body).toEqual({ slug: brand.slug, name: 'Calm Harbor', defaultLocale: 'en' });
  });
});

describe('what a customer sees and corrects', () => {
  let brand: TestBrand;
  let subject: { id: string };
  let token: string;
  const facts: Record<string, string> = {};

  beforeAll(async () => {
    brand = await createBrand(api, 'Calm Harbor');
    for (const p of ['personalization', 'email_marketing', 'order_updates']) await adoptPurpose(api, brand, p);
    subject = await createSubject(api, brand, { email: 'ingrid.solberg@example.com', timezone: 'Europe/Oslo' });
    await grant(api, brand, subject.id, 'personalization');
    facts.motivation = (await recordFact(api, brand, subject.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome question' })).id;
    facts.practice = (await recordFact(api, brand, subject.id, { key: 'practice_time', value: 'evening', category: 'behavior', provenance: 'observed', source: 'app sessions' })).id;
    facts.lifestyle = (await recordFact(api, brand, subject.id, { key: 'lifestyle', value: 'new_age', category: 'interests', provenance: 'inferred', source: 'content viewed' })).id;
    facts.city = (await recordFact(api, brand, subject.id, { key: 'city', value: 'Bergen', category: 'contact', provenance: 'declared', source: 'signup form' })).id;
    await recordFact(api, brand, subject.id, { key: 'promo', value: 'spring', category: 'interests', provenance: 'observed', source: 'campaign', expiresAt: new Date(Date.now() + 500).toISOString() });
    token = await signInCustomer(api, brand, subject.id);
  });

  it('shows every fact with its provenance, source and the purposes that may use it', async () => {
    await new Promise((r) => setTimeout(r, 600)); // the promo fact expires
    const res = await api.http.get('/v1/me').set(me(token));
    expect(res.status).toBe(200);
    const byKey = Object.fromEntries(res.body.facts.map((f: { key: string }) => [f.key, f]));
    expect(Object.keys(byKey).sort()).toEqual(['city', 'lifestyle', 'motivation', 'practice_time']);
    expect(byKey.motivation).toMatchObject({ value: 'sleep_better', provenance: 'declared', source: 'welcome question', usedFor: ['personalization'] });
    // A guess: personalization rests on consent, so it uses only what she told, until she lets it use guesses too.
    expect(byKey.lifestyle).toMatchObject({ provenance: 'inferred', usedFor: [] });
    expect((await api.http.put('/v1/me/fact-use/personalization').set(me(token)).send({ use: 'all' })).status).toBe(200);
    const all = (await api.http.get('/v1/me').set(me(token))).body.facts.find((f: { key: string }) => f.key === 'lifestyle');
    expect(all).toMatchObject({ provenance: 'inferred', usedFor: ['personalization'] });
    // Contact details serve the order updates (a contract), which need no consent.
    expect(byKey.city).toMatchObject({ provenance: 'declared', usedFor: ['order_updates'] });
    expect(res.body.consents.find((c: { purpose: string }) => c.purpose === 'personalization')).toMatchObject({
      granted: true,
      valid: true,
      noticeVersion: 1,
      noticeText: expect.objectContaining({ nb: expect.any(String), hu: expect.any(String) }),
    });
    expect(res.body.consents.find((c: { purpose: string }) => c.purpose === 'email_marketing')).toMatchObject({ granted: null, valid: false });
    expect(res.body.subject.email).toBe('ingrid.solberg@example.com');
  });

  it('lets the customer correct a fact (it becomes their own declaration) and delete another', async () => {
    const corrected = await api.http.patch(`/v1/me/facts/${facts.lifestyle}`).set(me(token)).send({ value: 'sceptic_but_curious' });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ value: 'sceptic_but_curious', provenance: 'declared', source: 'portal' });
    expect((await api.http.delete(`/v1/me/facts/${facts.practice}`).set(me(token))).status).toBe(204);
    const added = await api.http.post('/v1/me/facts').set(me(token)).send({ key: 'goal', value: 'five_minutes_a_day', category: 'motivations' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ provenance: 'declared', source: 'portal' });

    const after = await api.http.get('/v1/me').set(me(token));
    const keys = after.body.facts.map((f: { key: string }) => f.key).sort();
    expect(keys).toEqual(['city', 'goal', 'lifestyle', 'motivation']);
  });

  it('purges expired facts in the background job', async () => {
    const expiring = await recordFact(api, brand, subject.id, { key: 'flash_sale', value: 'yes', category: 'interests', provenance: 'observed', source: 'campaign', expiresAt: new Date(Date.now() + 300).toISOString() });
    await new Promise((r) => setTimeout(r, 400));
    expect(await api.app.get(FactsService).purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await sql(`SELECT 1 FROM facts WHERE fact_id = $1`, [expiring.id])).toEqual([]);
  });

  it("gives 404 for another customer's fact", async () => {
    const other = await createSubject(api, brand);
    const otherFact = await recordFact(api, brand, other.id, { key: 'motivation', value: 'reduce_stress', category: 'motivations' });
    expect((await api.http.patch(`/v1/me/facts/${otherFact.id}`).set(me(token)).send({ value: 'x' })).status).toBe(404);
    expect((await api.http.delete(`/v1/me/facts/${otherFact.id}`).set(me(token))).status).toBe(404);
    const exported = await api.http.get(`/v1/subjects/${other.id}/export`).set(bearer(brand.key));
    expect(exported.body.facts.map((f: { value: string }) => f.value)).toEqual(['reduce_stress']);
  });
});

describe('a correction in the words the customer read', () => {
  it('stores an answer option’s label, in any language, as the option’s value; other text as written', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    const subject = await createSubject(api, brand);
    const facts = {
      motivation: (await recordFact(api, brand, subject.id, { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'inferred', source: 'content viewed' })).id,
      city: (await recordFact(api, brand, subject.id, { key: 'city', value: 'Bergen', category: 'contact' })).id,
    };
    const token = await signInCustomer(api, brand, subject.id);
    const question = {
      key: 'why_meditate',
      text: { en: 'What brings you to meditation?' },
      factKey: 'motivation',
      category: 'motivations',
      options: [
        { value: 'sleep_better', label: { en: 'To sleep better', pl: 'Chcę lepiej spać' } },
        { value: 'reduce_stress', label: { en: 'To lower my stress', nb: 'Å senke stressnivået', hu: 'Hogy csökkentsem a stresszt' } },
      ],
    };
    expect((await api.http.post('/v1/questions').set(bearer(brand.key)).send(question)).status).toBe(201);
    const correct = async (value: string) => {
      const res = await api.http.patch(`/v1/me/facts/${facts.motivation}`).set(me(token)).send({ value });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.value;
    };

    // What the person read, as they typed it back: the value the brand's questions use.
    expect(await correct('Hogy csökkentsem a stresszt')).toBe('reduce_stress');
    expect(await correct('  chcę LEPIEJ spać ')).toBe('sleep_better');
    expect(await correct('reduce_stress')).toBe('reduce_stress');
    const shown = (await api.http.get('/v1/me').set(me(token))).body.facts.find((f: { id: string }) => f.id === facts.motivation);
    expect(shown).toMatchObject({ value: 'reduce_stress', valueLabel: { en: 'To lower my stress', nb: 'Å senke stressnivået', hu: 'Hogy csökkentsem a stresszt' }, provenance: 'declared' });
    // Anything else is the customer's own words; another fact's options are not this one's.
    expect(await correct('To find some quiet before work')).toBe('To find some quiet before work');
    const city = await api.http.patch(`/v1/me/facts/${facts.city}`).set(me(token)).send({ value: 'To sleep better' });
    expect(city.body.value).toBe('To sleep better');
  });
});

describe('preferences', () => {
  it('needs If-Match, refuses a stale version with 412 and the current values, and never loses an update', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand);
    const token = await signInCustomer(api, brand, subject.id);
    const read = await api.http.get('/v1/me/preferences').set(me(token));
    expect(read.status).toBe(200);
    expect(read.body.channels.email).toEqual({ optedIn: true, frequency: 'immediately' });
    const etag = read.headers.etag;

    const body = { channels: { email: { optedIn: true, frequency: 'monthly' }, sms: { optedIn: false, frequency: 'immediately' } }, quietHours: { start: '21:00', end: '07:00' }, topics: ['sleep'] };
    const missing = await api.http.put('/v1/me/preferences').set(me(token)).send(body);
    expect(missing.status).toBe(428);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);

    const [tabA, tabB] = await Promise.all([
      api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', etag).send(body),
      api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', etag).send({ ...body, topics: ['breathing'] }),
    ]);
    expect([tabA.status, tabB.status].sort()).toEqual([200, 412]);
    const loser = tabA.status === 412 ? tabA : tabB;
    expect(loser.body.code).toBe('precondition-failed');

    const winner = tabA.status === 200 ? tabA : tabB;
    expect(winner.headers.etag).not.toBe(etag);
    const stale = await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', etag).send(body);
    expect(stale.status).toBe(412);
    expect(stale.body.current.version).toBe(1);
    expect(stale.body.current.topics).toEqual(winner.body.topics);
    const invalid = await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', winner.headers.etag).send({ channels: { email: { optedIn: 'yes', frequency: 'hourly' } }, quietHours: { start: '25:00', end: '7' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['channels.email.frequency', 'channels.email.optedIn', 'quietHours.end', 'quietHours.start']);
  });
});

describe('purpose-scoped profile reads', () => {
  it('returns only the categories the purpose covers, stops at withdrawal, and shows the read to the customer', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    for (const p of ['personalization', 'email_marketing']) await adoptPurpose(api, brand, p);
    const subject = await createSubject(api, brand, { email: 'sam.carter@example.com' });
    await grant(api, brand, subject.id, 'personalization');
    await recordFact(api, brand, subject.id, { key: 'motivation', value: 'build_habit', category: 'motivations' });
    await recordFact(api, brand, subject.id, { key: 'city', value: 'London', category: 'contact' });
    await recordFact(api, brand, subject.id, { key: 'health_note', value: 'insomnia', category: 'health' });
    const reader = await createKey(api, brand, ['profiles:read'], ['personalization']);
    const newsletterKey = await createKey(api, brand, ['profiles:read'], ['email_marketing']);

    const profile = await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'personalization' }).set(bearer(reader));
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    expect(profile.body.facts.map((f: { key: string }) => f.key)).toEqual(['motivation']);
    expect(profile.body.preferences).not.toBeNull();

    const notAllowed = await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'personalization' }).set(bearer(newsletterKey));
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.code).toBe('purpose-not-allowed');
    const noConsent = await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'email_marketing' }).set(bearer(newsletterKey));
    expect(noConsent.status).toBe(403);
    expect(noConsent.body.code).toBe('consent-required');

    const token = await signInCustomer(api, brand, subject.id);
    const withdraw = await api.http.put('/v1/me/consents/personalization').set(me(token)).send({ granted: false });
    expect(withdraw.status).toBe(200);
    expect(withdraw.body).toMatchObject({ purpose: 'personalization', granted: false, source: 'portal', actor: `subject:${subject.id}` });
    const after = await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'personalization' }).set(bearer(reader));
    expect(after.status).toBe(403);
    expect(after.body.code).toBe('consent-required');

    const log = await api.http.get('/v1/me/access-log').set(me(token));
    expect(log.body.data).toEqual([
      expect.objectContaining({ kind: 'profile', purpose: 'personalization', fields: ['facts.motivation', 'preferences'], reader: 'test profiles:read' }),
    ]);
  });
});

describe('Global Privacy Control', () => {
  it('withdraws exactly the sale-or-share purposes on "Sec-GPC: 1", shows the conflict, and respects an explicit re-grant', async () => {
    const brand = await createBrand(api);
    for (const p of ['partner_sharing', 'email_marketing']) await adoptPurpose(api, brand, p);
    const subject = await createSubject(api, brand);
    await grant(api, brand, subject.id, 'partner_sharing');
    await grant(api, brand, subject.id, 'email_marketing');
    const token = await signInCustomer(api, brand, subject.id);
    const state = async () => (await api.http.get(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key))).body;

    await api.http.get('/v1/me').set(me(token)).set('Sec-GPC', '0');
    expect((await state()).history).toHaveLength(2);

    const seen = await api.http.get('/v1/me').set(me(token)).set('Sec-GPC', '1');
    const after = await state();
    expect(after.history).toHaveLength(3);
    expect(after.history[2]).toMatchObject({ purpose: 'partner_sharing', granted: false, source: 'gpc' });
    expect(after.data.find((s: { purpose: string }) => s.purpose === 'email_marketing').granted).toBe(true);
    expect(seen.body.conflicts).toEqual([expect.objectContaining({ purpose: 'partner_sharing', signal: 'gpc' })]);

    await api.http.get('/v1/me').set(me(token)).set('Sec-GPC', '1');
    expect((await state()).history).toHaveLength(3);

    const regrant = await api.http.put('/v1/me/consents/partner_sharing').set(me(token)).set('Sec-GPC', '1').send({ granted: true });
    expect(regrant.body).toMatchObject({ granted: true, source: 'portal' });
    const settled = await api.http.get('/v1/me').set(me(token)).set('Sec-GPC', '1');
    expect(settled.body.conflicts).toEqual([]);
    expect(settled.body.consents.find((c: { purpose: string }) => c.purpose === 'partner_sharing').granted).toBe(true);

    expect((await api.http.get('/.well-known/gpc.json')).body).toMatchObject({ gpc: true });
  });
});

describe('contact decisions', () => {
  let brand: TestBrand;
  beforeAll(async () => {
    brand = await createBrand(api, 'Kitchen Atelier');
    for (const p of ['email_marketing', 'order_updates', 'sms_marketing']) await adoptPurpose(api, brand, p);
  });
  const decide = (subjectId: string, purpose: string, channel: string) =>
    api.http.get('/v1/decisions/contact').query({ subjectId, purpose, channel }).set(bearer(brand.key));

  async function customerWith(prefs?: Record<string, unknown>, timezone = 'UTC') {
    const subject = await createSubject(api, brand, { timezone });
    await grant(api, brand, subject.id, 'email_marketing');
    if (prefs) {
      const token = await signInCustomer(api, brand, subject.id);
      const res = await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', '"prefs-v0"').send(prefs);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    return subject;
  }

  it('says yes with standing consent, and no with the reason for each obstacle', async () => {
    const ok = await customerWith();
    // An email for a consent-based purpose comes with its one-click unsubscribe link (unsubscribe.e2e-spec.ts).
    expect((await decide(ok.id, 'email_marketing', 'email')).body).toEqual({ allowed: true, reasons: ['consent-granted'], unsubscribe: expect.objectContaining({ url: expect.any(String) }) });

    const none = await createSubject(api, brand);
    expect((await decide(none.id, 'email_marketing', 'email')).body).toEqual({ allowed: false, reasons: ['no-consent'] });

    const optedOut = await customerWith({ channels: { email: { optedIn: false, frequency: 'weekly' } } });
    expect((await decide(optedOut.id, 'email_marketing', 'email')).body).toEqual({ allowed: false, reasons: ['channel-opted-out'] });

    const capped = await customerWith({ channels: { email: { optedIn: true, frequency: 'weekly' } } });
    expect((await decide(capped.id, 'email_marketing', 'email')).body.allowed).toBe(true);
    const sent = await api.http.post(`/v1/subjects/${capped.id}/contacts`).set(bearer(brand.key)).send({ purpose: 'email_marketing', channel: 'email' });
    expect(sent.status).toBe(201);
    expect((await decide(capped.id, 'email_marketing', 'email')).body).toEqual({ allowed: false, reasons: ['frequency-cap:weekly'] });

    const hour = new Date().getUTCHours();
    const pad = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
    const quiet = await customerWith({ channels: {}, quietHours: { start: pad(hour - 1), end: pad(hour + 1) } }, 'UTC');
    expect((await decide(quiet.id, 'email_marketing', 'email')).body).toEqual({ allowed: false, reasons: ['quiet-hours'] });
    // The same wall-clock window in a time zone twelve hours away is not quiet now.
    const elsewhere = await customerWith({ channels: {}, quietHours: { start: pad(hour - 1), end: pad(hour + 1) } }, 'Pacific/Kiritimati');
    expect((await decide(elsewhere.id, 'email_marketing', 'email')).body.allowed).toBe(true);

    const cart = await customerWith();
    const until = new Date(Date.now() + 3600_000).toISOString();
    expect((await api.http.post(`/v1/subjects/${cart.id}/suppressions`).set(bearer(brand.key)).send({ reason: 'open_cart', until })).status).toBe(201);
    expect((await decide(cart.id, 'email_marketing', 'email')).body).toEqual({ allowed: false, reasons: ['suppressed:open_cart'] });
    // An order update serves the contract: it needs no marketing consent and ignores the suppression.
    expect((await decide(cart.id, 'order_updates', 'email')).body).toEqual({ allowed: true, reasons: ['service-message:contract'] });
    expect((await decide(none.id, 'order_updates', 'email')).body.allowed).toBe(true);
    // ...but still respects a channel the customer turned off.
    expect((await decide(optedOut.id, 'order_updates', 'email')).body).toEqual({ allowed: false, reasons: ['channel-opted-out'] });
    expect((await decide(ok.id, 'email_marketing', 'sms')).body).toMatchObject({ allowed: false, reasons: ['channel-not-in-purpose'] });

    const erased = await customerWith();
    await sql(`UPDATE subjects SET erased_at = now() WHERE subject_id = $1`, [erased.id]);
    const batch = await api.http.post('/v1/decisions/contact').set(bearer(brand.key)).send({ checks: [{ subjectId: erased.id, purpose: 'email_marketing', channel: 'email' }] });
    expect(batch.body.results[0]).toMatchObject({ allowed: false, reasons: ['subject-erased'] });
  });

  it('answers a batch of 1000 checks in one call, in order', async () => {
    const yes = await customerWith();
    const no = await createSubject(api, brand);
    const checks = Array.from({ length: 1000 }, (_, i) => ({ subjectId: i % 2 ? no.id : yes.id, purpose: 'email_marketing', channel: 'email' }));
    const res = await api.http.post('/v1/decisions/contact').set(bearer(brand.key)).send({ checks });
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(1000);
    res.body.results.forEach((r: { allowed: boolean; subjectId: string }, i: number) => {
      expect(r.subjectId).toBe(checks[i].subjectId);
      expect(r.allowed).toBe(i % 2 === 0);
    });
    const tooMany = await api.http.post('/v1/decisions/contact').set(bearer(brand.key)).send({ checks: [...checks, checks[0]] });
    expect(tooMany.status).toBe(422);
  });

  it("gives 404 for another brand's subject", async () => {
    const other = await createBrand(api);
    const theirs = await createSubject(api, other);
    expect((await decide(theirs.id, 'email_marketing', 'email')).status).toBe(404);
  });
});

describe('audiences', () => {
  it('returns exactly the consented subjects matching the fact filters, across pages', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    await adoptPurpose(api, brand, 'email_marketing');
    const expected = new Set<string>();
    const people = [
      { consent: true, motivation: 'sleep_better', optedIn: true, match: true },
      { consent: true, motivation: 'reduce_stress', optedIn: true, match: true },
      { consent: true, motivation: 'sport', optedIn: true, match: false },
      { consent: false, motivation: 'sleep_better', optedIn: true, match: false },
      { consent: true, motivation: 'sleep_better', optedIn: false, match: false },
      { consent: true, motivation: 'sleep_better', optedIn: true, match: true },
      { consent: true, motivation: 'reduce_stress', optedIn: true, match: true },
    ];
    for (const p of people) {
      const s = await createSubject(api, brand);
      if (p.consent) await grant(api, brand, s.id, 'email_marketing');
      await recordFact(api, brand, s.id, { key: 'motivation', value: p.motivation, category: 'motivations' });
      await recordFact(api, brand, s.id, { key: 'level', value: 'beginner', category: 'interests' });
      if (!p.optedIn) {
        const token = await signInCustomer(api, brand, s.id);
        await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', '"prefs-v0"').send({ channels: { email: { optedIn: false, frequency: 'monthly' } } });
      }
      if (p.match) expected.add(s.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: Array<{ id: string }>; nextCursor: string | null } } = await api.http
        .post('/v1/audiences/query')
        .set(bearer(brand.key))
        .send({
          purpose: 'email_marketing',
          channel: 'email',
          where: [{ factKey: 'motivation', in: ['sleep_better', 'reduce_stress'] }, { factKey: 'level', in: ['beginner'] }],
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      seen.push(...res.body.data.map((m) => m.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(expected.size);
    expect(new Set(seen)).toEqual(expected);
    const [{ n }] = await sql(`SELECT count(*)::int AS n FROM access_log WHERE kind = 'audience' AND brand_id = $1`, [brand.id]);
    expect(n).toBe(expected.size);
  });

  /** A brand-side definition of an audience, as both routes take it. */
  interface Definition {
    purpose: string;
    channel?: string;
    where?: Array<{ factKey: string; in: string[] }>;
  }
  interface Person {
    consent: boolean;
    motivation?: string;
    level?: string;
    optedOut?: Array<'email' | 'sms'>;
  }

  /** Seeds `people` into `brand` through the API; returns their subject ids in the same order. */
  async function seedPeople(brand: TestBrand, people: Person[]): Promise<string[]> {
    const ids: string[] = [];
    for (const p of people) {
      const s = await createSubject(api, brand);
      if (p.consent) await grant(api, brand, s.id, 'email_marketing');
      if (p.motivation) await recordFact(api, brand, s.id, { key: 'motivation', value: p.motivation, category: 'motivations' });
      if (p.level) await recordFact(api, brand, s.id, { key: 'level', value: p.level, category: 'interests' });
      if (p.optedOut?.length) {
        const token = await signInCustomer(api, brand, s.id);
        const channels = Object.fromEntries(p.optedOut.map((c) => [c, { optedIn: false, frequency: 'monthly' }]));
        const res = await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', '"prefs-v0"').send({ channels });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
      ids.push(s.id);
    }
    return ids;
  }

  /** Every member the query pages through (2 at a time, so several pages). */
  async function pageAll(key: string, definition: Definition): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: Array<{ id: string }>; nextCursor: string | null } } = await api.http
        .post('/v1/audiences/query')
        .set(bearer(key))
        .send({ ...definition, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      seen.push(...res.body.data.map((m) => m.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen;
  }

  async function countOf(key: string, definition: Definition): Promise<number> {
    const res = await api.http.post('/v1/audiences/count').set(bearer(key)).send(definition);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Date.parse(res.body.countedAt)).not.toBeNaN();
    return res.body.count;
  }

  const PEOPLE: Person[] = [
    { consent: true, motivation: 'sleep_better', level: 'beginner' },
    { consent: true, motivation: 'reduce_stress', level: 'advanced', optedOut: ['sms'] },
    { consent: true, motivation: 'sport', level: 'beginner', optedOut: ['email'] },
    { consent: false, motivation: 'sleep_better', level: 'beginner' },
    { consent: true, motivation: 'sleep_better' },
    { consent: true, motivation: 'reduce_stress', level: 'beginner' },
    { consent: true, level: 'beginner', optedOut: ['email', 'sms'] },
    { consent: true, motivation: 'reduce_stress', level: 'beginner', optedOut: ['email'] },
  ];
  const CALM = { factKey: 'motivation', in: ['sleep_better', 'reduce_stress'] };
  /** Each definition with the members it must have, worked out here from PEOPLE (not by the API). */
  const DEFINITIONS: Array<{ definition: Definition; member: (p: Person) => boolean }> = [
    { definition: { purpose: 'email_marketing' }, member: (p) => p.consent },
    { definition: { purpose: 'email_marketing', channel: 'email' }, member: (p) => p.consent && !p.optedOut?.includes('email') },
    { definition: { purpose: 'email_marketing', channel: 'sms' }, member: (p) => p.consent && !p.optedOut?.includes('sms') },
    { definition: { purpose: 'email_marketing', where: [CALM] }, member: (p) => p.consent && CALM.in.includes(p.motivation ?? '') },
    {
      definition: { purpose: 'email_marketing', channel: 'email', where: [CALM, { factKey: 'level', in: ['beginner'] }] },
      member: (p) => p.consent && !p.optedOut?.includes('email') && CALM.in.includes(p.motivation ?? '') && p.level === 'beginner',
    },
    { definition: { purpose: 'email_marketing', where: [{ factKey: 'motivation', in: ['astrology'] }] }, member: () => false },
  ];

  it('counts exactly the members the query pages through, for every combination of filters', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    await adoptPurpose(api, brand, 'email_marketing');
    const ids = await seedPeople(brand, PEOPLE);
    for (const { definition, member } of DEFINITIONS) {
      const expected = ids.filter((_, i) => member(PEOPLE[i]));
      const paged = await pageAll(brand.key, definition);
      expect(new Set(paged), JSON.stringify(definition)).toEqual(new Set(expected));
      expect(await countOf(brand.key, definition), JSON.stringify(definition)).toBe(paged.length);
    }
    // Counting names nobody: it leaves no trace in any customer's access log.
    const [{ n }] = await sql(`SELECT count(*)::int AS n FROM access_log WHERE brand_id = $1`, [brand.id]);
    const before = n;
    await countOf(brand.key, DEFINITIONS[0].definition);
    const [{ n: after }] = await sql(`SELECT count(*)::int AS n FROM access_log WHERE brand_id = $1`, [brand.id]);
    expect(after).toBe(before);
  });

  it('lowers the count at once when a member withdraws, and raises it when they grant again', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    await adoptPurpose(api, brand, 'email_marketing');
    const ids = await seedPeople(brand, PEOPLE);
    const definition = DEFINITIONS[4].definition;
    const members = ids.filter((_, i) => DEFINITIONS[4].member(PEOPLE[i]));
    expect(members.length).toBeGreaterThan(1);
    expect(await countOf(brand.key, definition)).toBe(members.length);

    await grant(api, brand, members[0], 'email_marketing', false);
    expect(await countOf(brand.key, definition)).toBe(members.length - 1);
    expect(await pageAll(brand.key, definition)).not.toContain(members[0]);

    // A customer turning email off in the portal leaves the email audience just as fast.
    const token = await signInCustomer(api, brand, members[1]);
    const off = await api.http.put('/v1/me/preferences').set(me(token)).set('If-Match', '"prefs-v0"').send({ channels: { email: { optedIn: false, frequency: 'monthly' } } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(await countOf(brand.key, definition)).toBe(members.length - 2);

    await grant(api, brand, members[0], 'email_marketing', true);
    expect(await countOf(brand.key, definition)).toBe(members.length - 1);
  });

  it("never counts another brand's subjects, and keeps a key to its purposes", async () => {
    const a = await createBrand(api, 'Calm Harbor');
    const b = await createBrand(api, 'Fjord Yoga');
    const empty = await createBrand(api, 'Quiet Shop');
    for (const brand of [a, b, empty]) await adoptPurpose(api, brand, 'email_marketing');
    await seedPeople(a, PEOPLE);
    // Brand B has three people who would all match A's definitions.
    await seedPeople(b, [PEOPLE[0], PEOPLE[0], PEOPLE[5]]);
    const definition = DEFINITIONS[4].definition;
    const inA = PEOPLE.filter(DEFINITIONS[4].member).length;
    expect(await countOf(a.key, definition)).toBe(inA);
    expect(await countOf(b.key, definition)).toBe(3);
    expect(await countOf(empty.key, definition)).toBe(0);

    // The query's rules hold for the count too: scope, purposes of the key, and the body.
    const narrow = await createKey(api, a, ['audiences:read'], ['order_updates']);
    const refused = await api.http.post('/v1/audiences/count').set(bearer(narrow)).send(definition);
    expect(refused.status).toBe(403);
    const noScope = await createKey(api, a, ['subjects:read']);
    expect((await api.http.post('/v1/audiences/count').set(bearer(noScope)).send(definition)).status).toBe(403);
    const unknown = await api.http.post('/v1/audiences/count').set(bearer(a.key)).send({ purpose: 'no_such_purpose' });
    expect(unknown.status).toBe(422);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    const paging = await api.http.post('/v1/audiences/count').set(bearer(a.key)).send({ ...definition, limit: 10 });
    expect(paging.status).toBe(422);
    // Paging fields are not part of a count: refused as unknown fields (whose names problems never repeat).
    expect(paging.body.errors).toEqual([expect.objectContaining({ path: '(unknown field)' })]);
  });
});

describe('progressive profiling', () => {
  it('asks one question at a time, turns answers into declared facts and never asks a dismissed one again', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    const q = (key: string, factKey: string) => ({
      key,
      text: { en: `Question ${key}?`, nb: `Spørsmål ${key}?` },
      factKey,
      category: 'motivations',
      options: [
        { value: 'sleep_better', label: { en: 'To sleep better' } },
        { value: 'reduce_stress', label: { en: 'To lower stress' } },
        { value: 'sport', label: { en: 'To train my mind for sport' } },
      ],
    });
    for (const [key, factKey] of [['why_meditate', 'motivation'], ['for_whom', 'recipient'], ['what_time', 'practice_time']]) {
      expect((await api.http.post('/v1/questions').set(bearer(brand.key)).send(q(key, factKey))).status).toBe(201);
    }
    const subject = await createSubject(api, brand);
    // We guessed who the dress was for; the question is still asked so the customer can clarify.
    await recordFact(api, brand, subject.id, { key: 'recipient', value: 'gift', category: 'motivations', provenance: 'inferred', source: 'purchase history' });
    // Already declared elsewhere: never asked.
    await recordFact(api, brand, subject.id, { key: 'practice_time', value: 'evening', category: 'motivations', provenance: 'declared' });

    const brandNext = await api.http.get(`/v1/subjects/${subject.id}/questions/next`).set(bearer(brand.key));
    expect(brandNext.body.key).toBe('why_meditate');
    const token = await signInCustomer(api, brand, subject.id);
    expect((await api.http.get('/v1/me/questions/next').set(me(token))).body.key).toBe('why_meditate');

    const bad = await api.http.post('/v1/me/questions/why_meditate/answer').set(me(token)).send({ values: ['astrology'] });
    expect(bad.status).toBe(422);
    const answered = await api.http.post('/v1/me/questions/why_meditate/answer').set(me(token)).send({ values: ['sleep_better'] });
    expect(answered.status).toBe(200);
    expect(answered.body.facts).toEqual([expect.objectContaining({ key: 'motivation', value: 'sleep_better', provenance: 'declared', source: 'question:why_meditate' })]);

    expect((await api.http.get('/v1/me/questions/next').set(me(token))).body.key).toBe('for_whom');
    expect((await api.http.post('/v1/me/questions/for_whom/answer').set(me(token)).send({ dismissed: true })).status).toBe(200);
    const none = await api.http.get('/v1/me/questions/next').set(me(token));
    expect(none.status).toBe(204);
    expect((await api.http.get(`/v1/subjects/${subject.id}/questions/next`).set(bearer(brand.key))).status).toBe(204);
  });
});

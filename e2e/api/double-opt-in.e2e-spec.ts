import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../api/src/common/clock';
import { TenantDb } from '../../api/src/common/database/tenant-db.service';
import { SubjectsService } from '../../api/src/modules/subjects/subjects.service';
import { startApi, TestApi } from '../support/api';
import { bearer, createBrand, createSubject, signInCustomer, TestBrand } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';

/**
 * Double opt-in: a purpose that needs the person's confirmation. A grant through the brand API is
 * only asked for (202), the person gets an email (a real SMTP exchange) in their language, and the
 * grant is in force — and in the ledger — once they press "Confirm" on the linked page.
 */
let api: TestApi;
let smtp: MailCatcher;
let brand: TestBrand;
const PURPOSE = 'weekly_letter';
const DAYS = 3;

beforeAll(async () => {
  smtp = await new MailCatcher().start();
  api = await startApi({ env: { SMTP_URL: smtp.url, PORTAL_URL: 'http://portal.test', CANDOR_DOUBLE_OPT_IN_DAYS: String(DAYS), CANDOR_DOUBLE_OPT_IN_RESEND_HOURS: '24' } });
  brand = await createBrand(api, 'Calm Harbor');
  const purpose = await api.http
    .post('/v1/purposes')
    .set(bearer(brand.key))
    .send({ key: PURPOSE, name: { en: 'The weekly letter', nb: 'Ukebrevet' }, legalBasis: 'consent', dataCategories: ['contact'], channels: ['email'], doubleOptIn: true });
  expect(purpose.status, JSON.stringify(purpose.body)).toBe(201);
  expect(purpose.body.doubleOptIn).toBe(true);
  const notice = await api.http.post(`/v1/purposes/${PURPOSE}/notices`).set(bearer(brand.key)).send({ text: { en: 'One letter a week.', nb: 'Ett brev i uka.' } });
  expect(notice.status).toBe(201);
});
afterEach(() => api.app.get(Clock).reset());
afterAll(async () => {
  await api?.close();
  await smtp?.stop();
});

const address = () => `reader.${randomBytes(4).toString('hex')}@example.com`;
const grantLetter = (subjectId: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  api.http.post(`/v1/subjects/${subjectId}/consents`).set(bearer(brand.key)).set(headers).send({ purpose: PURPOSE, granted: true, source: 'signup-form', ...extra });
const decide = async (subjectId: string) => {
  const res = await api.http.get('/v1/decisions/contact').query({ subjectId, purpose: PURPOSE, channel: 'email' }).set(bearer(brand.key));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const history = async (subjectId: string) => (await api.http.get(`/v1/subjects/${subjectId}/consents`).set(bearer(brand.key))).body;
/** The confirmation link's token, from the email. */
const tokenIn = (text: string) => /\/confirm\/(cco_[A-Za-z0-9_-]{43})\?lang=/.exec(text)?.[1];

describe('double opt-in', () => {
  it('a brand-API grant waits for the person: 202, decisions say pending-confirmation, the emailed link confirms it into the ledger', async () => {
    const email = address();
    const subject = await createSubject(api, brand, { email, locale: 'nb-NO' });
    const res = await grantLetter(subject.id, { evidence: { form: 'footer-signup' } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending-confirmation', purpose: PURPOSE, email: 'sending' });
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.requestedAt)).toBe(DAYS * 86_400_000);

    // Nothing is in force, and nothing is in the ledger.
    expect(await decide(subject.id)).toEqual({ allowed: false, reasons: ['pending-confirmation'] });
    const batch = await api.http.post('/v1/decisions/contact').set(bearer(brand.key)).send({ checks: [{ subjectId: subject.id, purpose: PURPOSE, channel: 'email' }] });
    expect(batch.body.results[0]).toMatchObject({ allowed: false, reasons: ['pending-confirmation'] });
    expect((await history(subject.id)).history).toEqual([]);

    // The email, in Norwegian, with a text and an HTML part that both carry the link.
    const [mail] = await smtp.waitFor(email);
    expect(mail.subject).toBe('Bekreft: Ukebrevet fra Calm Harbor');
    expect(mail.text).toContain('Ingenting starter før du bekrefter');
    expect(mail.text).toContain(`innen ${DAYS} dager`);
    expect(mail.html).toContain('<html lang="nb">');
    const token = tokenIn(mail.text)!;
    expect(token).toBeDefined();
    expect(mail.text).toContain(`http://portal.test/${brand.slug}/confirm/${token}?lang=nb`);
    expect(mail.html).toContain(`href="http://portal.test/${brand.slug}/confirm/${token}?lang=nb"`);

    // Opening the link (a mail scanner, the person reading) changes nothing.
    for (let i = 0; i < 2; i++) {
      const read = await api.http.get(`/v1/consent-confirmations/${token}`);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body).toMatchObject({
        status: 'pending',
        locale: 'nb',
        brand: { slug: brand.slug, name: 'Calm Harbor' },
        purpose: { key: PURPOSE, name: { nb: 'Ukebrevet' } },
        notice: { version: 1, text: { nb: 'Ett brev i uka.' } },
        confirmedAt: null,
      });
    }
    expect((await decide(subject.id)).reasons).toEqual(['pending-confirmation']);

    // "Confirm": no credential, the link is the proof.
    const confirmed = await api.http.post(`/v1/consent-confirmations/${token}`).set('User-Agent', 'Portal test').send({ confirm: true });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', confirmedAt: expect.any(String) });
    const decision = await decide(subject.id);
    expect(decision).toMatchObject({ allowed: true, reasons: ['consent-granted'] });
    expect(decision.unsubscribe.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');

    const { history: events } = await history(subject.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ purpose: PURPOSE, granted: true, source: 'double-opt-in', actor: `subject:${subject.id}`, noticeVersion: 1 });
    // The evidence (sealed under the person's key) holds the brand's own and the confirmation.
    const evidence = await api.app.get(TenantDb).run(brand.id, async (em) => {
      const [row] = await em.query(`SELECT evidence_ct FROM consent_events WHERE brand_id = $1 AND consent_event_id = $2`, [brand.id, events[0].id]);
      return JSON.parse((await api.app.get(SubjectsService).unseal(em, brand.id, subject.id, 'consent-evidence', row.evidence_ct))!);
    });
    expect(evidence).toMatchObject({
      form: 'footer-signup',
      userAgent: 'Portal test',
      doubleOptIn: { requestedSource: 'signup-form', requestedBy: expect.stringMatching(/^api-key:/), requestedAt: res.body.requestedAt, emailedAt: expect.any(String), confirmedAt: confirmed.body.confirmedAt },
    });

    // Confirming again (a double click, a second tab) answers the same and records nothing more.
    const again = await api.http.post(`/v1/consent-confirmations/${token}`).send({ confirm: true });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('confirmed');
    expect((await history(subject.id)).history).toHaveLength(1);
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body.ok).toBe(true);
  });

  it('repeated grants do not flood the mailbox: one email per subject and purpose per window, then one more after it', async () => {
    const email = address();
    const subject = await createSubject(api, brand, { email });
    const clock = api.app.get(Clock);
    // The first grant was asked for a day and an hour ago…
    clock.travel(-25 * 3_600_000);
    expect((await grantLetter(subject.id)).body.email).toBe('sending');
    await smtp.waitFor(email, 1);
    clock.travel(2 * 3_600_000);
    // …a repeat within the window sends nothing…
    const repeat = await grantLetter(subject.id);
    expect(repeat.status).toBe(202);
    expect(repeat.body.email).toBe('recently-sent');
    clock.reset();
    // …and one after the window sends a second email (the first link still works until it expires).
    const [later, immediately] = [await grantLetter(subject.id), await grantLetter(subject.id)];
    expect(later.body.email).toBe('sending');
    expect(immediately.body.email).toBe('recently-sent');
    const mails = await smtp.waitFor(email, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(await smtp.allTo(email)).toHaveLength(2);
    expect(new Set(mails.map((m) => tokenIn(m.text))).size).toBe(2);
  });

  it('an unconfirmed grant expires after CANDOR_DOUBLE_OPT_IN_DAYS: decisions no longer wait for it and the link refuses', async () => {
    const email = address();
    const subject = await createSubject(api, brand, { email, locale: 'en' });
    api.app.get(Clock).travel(-(DAYS * 86_400_000 + 60_000));
    const asked = await grantLetter(subject.id);
    expect(asked.status).toBe(202);
    api.app.get(Clock).reset();
    const token = tokenIn((await smtp.waitFor(email))[0].text)!;

    expect(await decide(subject.id)).toEqual({ allowed: false, reasons: ['no-consent'] });
    expect((await api.http.get(`/v1/consent-confirmations/${token}`)).body.status).toBe('expired');
    const late = await api.http.post(`/v1/consent-confirmations/${token}`).send({ confirm: true });
    expect(late.status).toBe(410);
    expect(late.body).toMatchObject({ code: 'confirmation-expired', status: 410 });
    expect((await history(subject.id)).history).toEqual([]);
    // Asking again sends a fresh link (the expired one does not count against the window).
    expect((await grantLetter(subject.id)).body.email).toBe('sending');
  });

  it('a withdrawal before the person confirms closes the link', async () => {
    const email = address();
    const subject = await createSubject(api, brand, { email });
    await grantLetter(subject.id);
    const token = tokenIn((await smtp.waitFor(email))[0].text)!;
    const withdrawn = await api.http.post(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key)).send({ purpose: PURPOSE, granted: false });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(201);
    expect((await decide(subject.id)).reasons).toEqual(['consent-withdrawn']);
    const late = await api.http.post(`/v1/consent-confirmations/${token}`).send({ confirm: true });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('confirmation-withdrawn');
    expect((await api.http.get(`/v1/consent-confirmations/${token}`)).body.status).toBe('withdrawn');
    expect((await history(subject.id)).history.map((e: { granted: boolean }) => e.granted)).toEqual([false]);
  });

  it('the portal\'s own grants need no email: the signed-in person is in force at once, and an open request is settled', async () => {
    const email = address();
    const subject = await createSubject(api, brand, { email });
    await grantLetter(subject.id);
    const token = tokenIn((await smtp.waitFor(email))[0].text)!;
    const session = await signInCustomer(api, brand, subject.id);
    const own = await api.http.put(`/v1/me/consents/${PURPOSE}`).set(bearer(session)).send({ granted: true });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body).toMatchObject({ granted: true, source: 'portal' });
    expect((await decide(subject.id)).allowed).toBe(true);
    expect((await api.http.get(`/v1/consent-confirmations/${token}`)).body.status).toBe('confirmed');
    // Pressing the old link's "Confirm" now records nothing more.
    expect((await api.http.post(`/v1/consent-confirmations/${token}`).send({ confirm: true })).status).toBe(200);
    expect((await history(subject.id)).history).toHaveLength(1);

    // A person who only ever uses the portal gets no email at all.
    const other = address();
    const portalOnly = await createSubject(api, brand, { email: other });
    const theirs = await signInCustomer(api, brand, portalOnly.id);
    expect((await api.http.put(`/v1/me/consents/${PURPOSE}`).set(bearer(theirs)).send({ granted: true })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await smtp.allTo(other)).toEqual([]);
  });

  it('an Idempotency-Key repeat returns the first answer; withdrawals and other purposes are recorded at once', async () => {
    const email = address();
    const subject = await createSubject(api, brand, { email });
    const key = { 'Idempotency-Key': `doi-${randomBytes(4).toString('hex')}` };
    const first = await grantLetter(subject.id, {}, key);
    const second = await grantLetter(subject.id, {}, key);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body).toEqual(first.body);
    const withdrawal = await api.http.post(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key)).send({ purpose: PURPOSE, granted: false });
    expect(withdrawal.status).toBe(201);
  });

  it('a subject without an email address cannot be asked: 409, nothing recorded', async () => {
    const subject = await createSubject(api, brand);
    const res = await grantLetter(subject.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('confirmation-email-missing');
    expect(await decide(subject.id)).toEqual({ allowed: false, reasons: ['no-consent'] });
  });

  it('an unknown or malformed link is 404 and confirms nothing', async () => {
    for (const token of [`cco_${randomBytes(32).toString('base64url')}`, 'cco_short', 'x'.repeat(300)]) {
      expect((await api.http.get(`/v1/consent-confirmations/${token}`)).status).toBe(404);
      const post = await api.http.post(`/v1/consent-confirmations/${token}`).send({ confirm: true });
      expect(post.status).toBe(404);
      expect(post.body.code).toBe('not-found');
    }
    const email = address();
    const subject = await createSubject(api, brand, { email });
    await grantLetter(subject.id);
    const token = tokenIn((await smtp.waitFor(email))[0].text)!;
    const unpressed = await api.http.post(`/v1/consent-confirmations/${token}`).send({ confirm: false });
    expect(unpressed.status).toBe(422);
    expect((await decide(subject.id)).reasons).toEqual(['pending-confirmation']);
  });
});

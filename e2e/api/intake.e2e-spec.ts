import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { startApi, TestApi } from '../support/api';
import { dataDump } from '../support/database';
import { bearer, createBrand, createKey, createSubject, signInCustomer, TestBrand } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';
import { WebhookReceiver } from '../support/webhook-receiver';

let api: TestApi;
let mail: MailCatcher;
let receiver: WebhookReceiver;

beforeAll(async () => {
  mail = await new MailCatcher().start();
  receiver = await new WebhookReceiver().start();
  // Deliveries are driven by the test (poll 0), with tiny retry delays.
  api = await startApi({
    env: { SMTP_URL: mail.url, PORTAL_URL: 'http://portal.test', CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_WEBHOOK_RETRY_BASE_MS: '5' },
  });
});
afterAll(async () => {
  await api?.close();
  await mail?.stop();
  await receiver?.stop();
});

async function signInStaff(brand: TestBrand, email: string, name: string, role: 'admin' | 'compliance' | 'viewer'): Promise<string> {
  const configKey = await createKey(api, brand, ['config:write', 'compliance', 'subjects:read']); // staff roles need what they grant (see escalation-property)
  expect((await api.http.post('/v1/staff').set(bearer(configKey)).send({ email, name, role })).status).toBe(201);
  expect((await api.http.post('/v1/auth/staff-links').send({ brand: brand.slug, email })).status).toBe(202);
  const token = await mail.find(email, new RegExp(`http://portal\\.test/${brand.slug}/admin/link/(ssl_[A-Za-z0-9_-]+)`));
  const session = await api.http.post('/v1/auth/staff-sessions').send({ token });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return session.body.sessionToken;
}

const DAY = 86_400_000;

describe('compliance intake: requests that arrive outside Candor', () => {
  it('runs the deadline from when a letter was received, shows the channel back, and flags one received too long ago as overdue at filing', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand);
    const receivedAt = new Date(Date.now() - 10 * DAY).toISOString();
    const filed = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification', receivedAt, channel: 'letter' });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    expect(filed.body).toMatchObject({ channel: 'letter', receivedAt, dueAt: new Date(Date.parse(receivedAt) + 30 * DAY).toISOString(), overdue: false });
    // The history says when it was filed, after it was received.
    expect(filed.body.history[0].note).toContain('letter');

    const read = await api.http.get(`/v1/privacy-requests/${filed.body.id}`).set(bearer(brand.key));
    expect(read.body).toMatchObject({ channel: 'letter', receivedAt, dueAt: filed.body.dueAt });
    const listed = await api.http.get('/v1/privacy-requests').set(bearer(brand.key));
    expect(listed.body.data.find((r: { id: string }) => r.id === filed.body.id)).toMatchObject({ channel: 'letter', receivedAt });

    // CCPA: 45 days from receipt.
    const ccpa = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'restriction', jurisdiction: 'ccpa', receivedAt, channel: 'phone' });
    expect(ccpa.body).toMatchObject({ channel: 'phone', dueAt: new Date(Date.parse(receivedAt) + 45 * DAY).toISOString() });

    // A letter that lay in a drawer for 40 days is overdue the moment it is filed.
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    const late = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification', receivedAt: old, channel: 'email' });
    expect(late.status).toBe(201);
    expect(late.body.overdue).toBe(true);
    const overdue = await api.http.get('/v1/privacy-requests').query({ overdue: 'true' }).set(bearer(brand.key));
    expect(overdue.body.data.map((r: { id: string }) => r.id)).toEqual([late.body.id]);

    // The export carries the channel too.
    const exported = await api.http.get(`/v1/subjects/${subject.id}/export`).set(bearer(brand.key));
    expect(exported.body.privacyRequests.find((r: { id: string }) => r.id === filed.body.id)).toMatchObject({ channel: 'letter', receivedAt });
  });

  it('records `api` for a brand key that names no channel, and receipt time defaults to the filing', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand);
    const before = Date.now();
    const filed = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification' });
    expect(filed.status).toBe(201);
    expect(filed.body.channel).toBe('api');
    expect(Date.parse(filed.body.receivedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(filed.body.history[0].note).toBeNull();
  });

  it('refuses a receipt time in the future, one over a year old, a malformed one and an unknown or customer-only channel (422, nothing filed)', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ receivedAt: new Date(Date.now() + DAY).toISOString() }, 'receivedAt'],
      [{ receivedAt: new Date(Date.now() + 10 * 60_000).toISOString() }, 'receivedAt'],
      [{ receivedAt: new Date(Date.now() - 400 * DAY).toISOString() }, 'receivedAt'],
      [{ receivedAt: 'last tuesday' }, 'receivedAt'],
      [{ channel: 'pigeon' }, 'channel'],
      [{ channel: 'portal' }, 'channel'],
    ];
    for (const [extra, path] of cases) {
      const res = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification', ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    // A clock a minute ahead of ours is skew, not the future.
    const skewed = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification', receivedAt: new Date(Date.now() + 60_000).toISOString(), channel: 'in_person' });
    expect(skewed.status).toBe(201);
    expect(Date.parse(skewed.body.receivedAt)).toBeLessThanOrEqual(Date.now());
    const all = await api.http.get('/v1/privacy-requests').set(bearer(brand.key));
    expect(all.body.data).toHaveLength(1);
  });
});

describe('the staff console names the customer', () => {
  it('shows the email to roles that may read customers, a masked form to viewers, nothing to brand keys, and logs every display for the customer', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand, { email: 'ingrid.solberg.c0ffee@example.com', externalId: 'ch-member-c0ffee' });
    const noEmail = await createSubject(api, brand, { externalId: 'ch-member-beef42' });
    const officer = await signInStaff(brand, 'privacy@calmharbor.example', 'Jonas Lie', 'compliance');
    const viewer = await signInStaff(brand, 'auditor@calmharbor.example', 'Mia Holm', 'viewer');
    const filed = await api.http.post('/v1/privacy-requests').set(bearer(officer)).send({ subjectId: subject.id, type: 'rectification', channel: 'letter' });
    expect(filed.status).toBe(201);
    await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: noEmail.id, type: 'restriction' });

    const full = await api.http.get(`/v1/privacy-requests/${filed.body.id}`).set(bearer(officer));
    expect(full.body.customer).toEqual({ label: 'ingrid.solberg.c0ffee@example.com', field: 'email', masked: false, erased: false });
    const masked = await api.http.get('/v1/privacy-requests').set(bearer(viewer));
    const byId = new Map(masked.body.data.map((r: { subjectId: string; customer: unknown }) => [r.subjectId, r.customer]));
    expect(byId.get(subject.id)).toEqual({ label: 'i•••@example.com', field: 'email', masked: true, erased: false });
    expect(byId.get(noEmail.id)).toEqual({ label: 'c•••2', field: 'externalId', masked: true, erased: false });
    expect(JSON.stringify(masked.body)).not.toContain('solberg');
    expect(JSON.stringify(masked.body)).not.toContain('member-beef42');
    // A brand key has its own, scoped, route for subjects: no label here.
    const byKey = await api.http.get(`/v1/privacy-requests/${filed.body.id}`).set(bearer(brand.key));
    expect(byKey.body.customer).toBeUndefined();

    // The customer sees who looked at what.
    const token = await signInCustomer(api, brand, subject.id);
    const log = await api.http.get('/v1/me/access-log').set(bearer(token));
    const consoleReads = log.body.data.filter((a: { kind: string }) => a.kind === 'console');
    expect(consoleReads.map((a: { reader: string; fields: string[] }) => [a.reader, a.fields]).sort()).toEqual([
      ['Jonas Lie (staff)', ['email']],
      ['Mia Holm (staff)', ['email.masked']],
    ]);

    // Once erased, the console says so and shows nothing of the person.
    const erasure = await api.http.post('/v1/privacy-requests').set(bearer(officer)).send({ subjectId: subject.id, type: 'erasure' });
    expect(erasure.body.status).toBe('completed');
    const after = await api.http.get(`/v1/privacy-requests/${filed.body.id}`).set(bearer(officer));
    expect(after.body.customer).toEqual({ label: null, field: null, masked: false, erased: true });
  });

  it('property: no GET route of the OpenAPI document shows a viewer a customer\'s email address or external id in the clear', async () => {
    const brand = await createBrand(api);
    const email = 'hidden.viewer.d4e5f6@example.com';
    const externalId = 'ch-hidden-d4e5f6';
    const subject = await createSubject(api, brand, { email, externalId });
    await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification', channel: 'email' });
    const viewer = await signInStaff(brand, 'watcher@calmharbor.example', 'Tove Dahl', 'viewer');
    const document = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
    // Every GET route; path parameters get this brand's subject id (other ids would only be 404).
    const routes = Object.entries(document.paths).filter(([, ops]) => 'get' in ops).map(([path]) => path.replace(/\{[^}]+\}/g, subject.id));
    expect(routes.length).toBeGreaterThan(30);
    let readable = 0;
    for (const route of routes) {
      const res = await api.http.get(route).set(bearer(viewer));
      if (res.status < 300) readable++;
      const text = JSON.stringify(res.body ?? '') + (res.text ?? '');
      expect(text.includes(email) || text.includes(externalId), `${route} (${res.status}) shows the viewer ${email} or ${externalId}`).toBe(false);
    }
    // The viewer really read things (the queue among them), so the property is not vacuous.
    expect(readable).toBeGreaterThan(3);
  });
});

describe('erasure receipts', () => {
  const RECEIPT_LINK = (slug: string) => new RegExp(`http://portal\\.test/${slug}/erasure-receipt/(cer_[A-Za-z0-9_-]{43})\\?lang=(?:3D)?([a-z]{2})`); // (=3D: quoted-printable's "=")

  async function subscribe(brand: TestBrand, path: string, name: string): Promise<void> {
    const res = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url: receiver.url(path), events: ['subject.erased'], name });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  async function drain(rounds = 30): Promise<void> {
    const worker = api.app.get(DeliveryWorker);
    for (let i = 0; i < rounds; i++) {
      await worker.deliverDue();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('reads the address before the key is gone and emails a link in the customer\'s language; the receipt shows the certificate and each downstream confirmation, and holds nothing personal', async () => {
    const brand = await createBrand(api, 'Calm Harbor');
    await subscribe(brand, '/crm', 'CRM');
    await subscribe(brand, '/warehouse', 'Warehouse');
    // The CRM confirms; the warehouse answers 410 Gone, which switches it off: never confirmed.
    receiver.respond = (hook) => (hook.path === '/warehouse' ? 410 : 200);
    const identity = { externalId: 'ch-receipt-5e1f0a', email: 'solveig.receipt.5e1f0a@example.com', phone: '+4790011223' };
    const subject = await createSubject(api, brand, { ...identity, locale: 'nb' });

    const request = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'erasure' });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    expect(request.body.status).toBe('completed');

    const message = await waitForMail(identity.email, RECEIPT_LINK(brand.slug));
    const [, token, lang] = RECEIPT_LINK(brand.slug).exec(message)!;
    expect(lang).toBe('nb');
    // Norwegian, and it says what was erased.
    expect(message).toContain('har slettet dataene dine');
    expect(message).toContain('kundenummeret');

    const before = await api.http.get(`/v1/erasure-receipts/${token}`);
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body).toMatchObject({
      requestId: request.body.id,
      brand: { slug: brand.slug, name: 'Calm Harbor' },
      locale: 'nb',
      status: 'completed',
      receivedAt: request.body.receivedAt,
      completedAt: request.body.completedAt,
      certificate: { tombstone: request.body.certificate.tombstone, ledgerVerified: true, dataKeyDestroyed: true, erasedAt: request.body.certificate.erasedAt },
    });
    expect(before.body.downstream.map((d: { system: string; status: string }) => [d.system, d.status])).toEqual([['CRM', 'pending'], ['Warehouse', 'pending']]);

    await drain();
    const after = await api.http.get(`/v1/erasure-receipts/${token}`);
    expect(after.body.downstream).toEqual([
      { system: 'CRM', status: 'confirmed', confirmedAt: expect.any(String), attempts: 1 },
      { system: 'Warehouse', status: 'failed', confirmedAt: null, attempts: 1 },
    ]);

    // Nothing of the person in the receipt, its row, or anywhere else the token could lead.
    const needles = [identity.email, identity.externalId, identity.phone, 'solveig', '5e1f0a', token];
    const rows = await dataDump(api.databaseUrl!, 'erasure_receipts');
    expect(rows).toContain(request.body.id);
    for (const needle of needles) {
      expect(JSON.stringify(after.body).includes(needle) && needle !== token, `${needle} in the receipt`).toBe(false);
      expect(rows.includes(needle), `${needle} in erasure_receipts`).toBe(false);
    }
  });

  it('sends one for "forget me" from the portal too, and answers 404 to a wrong, malformed or other brand\'s token', async () => {
    const brand = await createBrand(api, 'Kitchen Atelier');
    const subject = await createSubject(api, brand, { email: 'piotr.forget.77ab10@example.com', locale: 'pl' });
    const session = await signInCustomer(api, brand, subject.id);
    const erased = await api.http.post('/v1/me/erasure').set(bearer(session)).send({ confirm: true });
    expect(erased.status, JSON.stringify(erased.body)).toBe(202);
    const message = await waitForMail('piotr.forget.77ab10@example.com', RECEIPT_LINK(brand.slug));
    const [, token, lang] = RECEIPT_LINK(brand.slug).exec(message)!;
    expect(lang).toBe('pl');
    const receipt = await api.http.get(`/v1/erasure-receipts/${token}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({ requestId: erased.body.id, downstream: [], certificate: { ledgerVerified: true } });

    const wrong = `cer_${'A'.repeat(43)}`;
    for (const bad of [wrong, token.slice(0, -1), `${token}x`, 'cer_', "cer_' OR 1=1 --"]) {
      const res = await api.http.get(`/v1/erasure-receipts/${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('writes no receipt when the customer left no email address (nothing to send it to)', async () => {
    const brand = await createBrand(api);
    const subject = await createSubject(api, brand);
    const sent = mail.messages.length;
    const request = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'erasure' });
    expect(request.body.status).toBe('completed');
    const rows = await dataDump(api.databaseUrl!, 'erasure_receipts');
    expect(rows).not.toContain(request.body.id);
    expect(mail.messages.length).toBe(sent);
  });
});

/** The whole message to `to` whose text matches `pattern`. */
async function waitForMail(to: string, pattern: RegExp): Promise<string> {
  await mail.find(to, pattern);
  return mail.messages.find((m) => m.toLowerCase().includes(to.toLowerCase()) && pattern.test(m))!;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, grant, TestBrand } from '../support/factories';

/**
 * One-click unsubscribe (RFC 8058, RFC 2369): every allowed email decision for a consent-based
 * purpose carries a link and the two headers; a credential-less POST of the link withdraws the
 * consent, a GET never does, and a changed or revoked link is refused.
 */
let api: TestApi;
let brand: TestBrand;

beforeAll(async () => {
  api = await startApi({ env: { PORTAL_URL: 'http://portal.test' } });
  brand = await createBrand(api, 'Calm Harbor');
  for (const purpose of ['email_marketing', 'order_updates', 'sms_marketing']) await adoptPurpose(api, brand, purpose);
});
afterAll(async () => {
  await api?.close();
});

const ONE_CLICK = 'List-Unsubscribe=One-Click';

/** A member who gave consent for email marketing. */
async function subscriber(): Promise<string> {
  const subject = await createSubject(api, brand, { email: `member.${Date.now()}.${Math.random().toString(16).slice(2)}@example.com` });
  await grant(api, brand, subject.id, 'email_marketing');
  return subject.id;
}

async function decide(subjectId: string, purpose = 'email_marketing', channel = 'email') {
  const res = await api.http.get('/v1/decisions/contact').query({ subjectId, purpose, channel }).set(bearer(brand.key));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { allowed: boolean; reasons: string[]; unsubscribe?: { url: string; headers: Record<string, string> } };
}

/** The path of an unsubscribe URL on the API: the portal relays its POST to `/v1/unsubscribe/{token}`. */
const apiPath = (url: string) => `/v1/unsubscribe/${url.split('/unsubscribe/')[1]}`;

async function history(subjectId: string) {
  const res = await api.http.get(`/v1/subjects/${subjectId}/consents`).set(bearer(brand.key));
  expect(res.status).toBe(200);
  return res.body.history as Array<{ id: string; purpose: string; granted: boolean; source: string; actor: string }>;
}

describe('decisions carry the unsubscribe link', () => {
  it('an allowed email decision for a consent-based purpose has the link and both headers, ready to put on the message', async () => {
    const id = await subscriber();
    const decision = await decide(id);
    expect(decision.allowed).toBe(true);
    const { url, headers } = decision.unsubscribe!;
    expect(url).toMatch(new RegExp(`^http://portal\\.test/${brand.slug}/unsubscribe/[A-Za-z0-9_-]{72,160}$`));
    expect(headers).toEqual({ 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': ONE_CLICK });
    // Neither the subject's id nor the purpose can be read off the link.
    expect(url).not.toContain(id);
    expect(url).not.toContain('email_marketing');
  });

  it('batch decisions carry the same links, and only where an email for a consent-based purpose is allowed', async () => {
    const id = await subscriber();
    const withoutConsent = (await createSubject(api, brand)).id;
    const res = await api.http
      .post('/v1/decisions/contact')
      .set(bearer(brand.key))
      .send({
        checks: [
          { subjectId: id, purpose: 'email_marketing', channel: 'email' },
          { subjectId: id, purpose: 'order_updates', channel: 'email' },
          { subjectId: id, purpose: 'email_marketing', channel: 'sms' },
          { subjectId: withoutConsent, purpose: 'email_marketing', channel: 'email' },
          { subjectId: id, purpose: 'email_marketing', channel: 'email' },
        ],
      });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [marketing, orderUpdate, sms, noConsent, again] = res.body.results;
    expect(marketing.allowed).toBe(true);
    expect(marketing.unsubscribe.headers['List-Unsubscribe-Post']).toBe(ONE_CLICK);
    expect(marketing.unsubscribe).toEqual((await decide(id)).unsubscribe);
    expect(again.unsubscribe).toEqual(marketing.unsubscribe);
    // An order update serves the contract: allowed, but not something to unsubscribe from.
    expect(orderUpdate.allowed).toBe(true);
    expect(orderUpdate).not.toHaveProperty('unsubscribe');
    expect(sms.allowed).toBe(false);
    expect(sms).not.toHaveProperty('unsubscribe');
    expect(noConsent).toMatchObject({ allowed: false, reasons: ['no-consent'] });
    expect(noConsent).not.toHaveProperty('unsubscribe');
  });
});

describe('one-click unsubscribe', () => {
  it('a POST without any credential withdraws the consent, the next decision says no, and the ledger says how', async () => {
    const id = await subscriber();
    const { url } = (await decide(id)).unsubscribe!;
    const res = await api.http.post(apiPath(url)).type('form').send(ONE_CLICK);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ subscribed: false, changed: true, purpose: { key: 'email_marketing' }, brand: { slug: brand.slug } });

    expect(await decide(id)).toEqual({ allowed: false, reasons: ['consent-withdrawn'] });
    const last = (await history(id)).at(-1)!;
    expect(last).toMatchObject({ id: res.body.consentEventId, purpose: 'email_marketing', granted: false, source: 'one-click-unsubscribe', actor: `subject:${id}` });
    const verify = await api.http.get('/v1/ledger/verify').set(bearer(brand.key));
    expect(verify.body.ok).toBe(true);
  });

  it('is idempotent: a second POST (a provider retrying) answers the same and records nothing more', async () => {
    const id = await subscriber();
    const { url } = (await decide(id)).unsubscribe!;
    const [first, second] = await Promise.all([
      api.http.post(apiPath(url)).type('form').send(ONE_CLICK),
      api.http.post(apiPath(url)).type('form').send(ONE_CLICK),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.consentEventId).toBe(second.body.consentEventId);
    expect([first.body.changed, second.body.changed].sort()).toEqual([false, true]);
    const third = await api.http.post(apiPath(url)).type('form').send(ONE_CLICK);
    expect(third.body).toMatchObject({ changed: false, subscribed: false, consentEventId: first.body.consentEventId });
    expect((await history(id)).filter((e) => e.source === 'one-click-unsubscribe')).toHaveLength(1);
  });

  it('never unsubscribes on GET, however often the link is fetched (mail scanners follow links)', async () => {
    const id = await subscriber();
    const { url } = (await decide(id)).unsubscribe!;
    for (let i = 0; i < 3; i++) {
      const res = await api.http.get(apiPath(url));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ subscribed: true, unsubscribedAt: null, purpose: { key: 'email_marketing', name: { en: expect.any(String) } } });
    }
    expect((await decide(id)).allowed).toBe(true);
    expect((await history(id)).map((e) => e.source)).not.toContain('one-click-unsubscribe');
  });

  it('refuses a changed link with a problem and changes nothing', async () => {
    const id = await subscriber();
    const { url } = (await decide(id)).unsubscribe!;
    const token = url.split('/unsubscribe/')[1];
    const middle = Math.floor(token.length / 2);
    const tampered = `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
    for (const bad of [tampered, token.slice(0, -2), `${token}AA`, 'not-a-token']) {
      const post = await api.http.post(`/v1/unsubscribe/${bad}`).type('form').send(ONE_CLICK);
      expect(post.status).toBe(404);
      expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(post.body).toMatchObject({ code: 'unsubscribe-link-invalid', status: 404 });
      expect(post.body.detail).not.toContain(bad);
      expect((await api.http.get(`/v1/unsubscribe/${bad}`)).status).toBe(404);
    }
    expect((await decide(id)).allowed).toBe(true);
  });

  it('takes only the RFC 8058 body: anything else is a 422 and changes nothing', async () => {
    const id = await subscriber();
    const { url } = (await decide(id)).unsubscribe!;
    for (const body of ['List-Unsubscribe=Yes', 'unsubscribe=1', '']) {
      const res = await api.http.post(apiPath(url)).type('form').send(body);
      expect(res.status, body).toBe(422);
      expect(res.body.code).toBe('validation-failed');
    }
    expect((await decide(id)).allowed).toBe(true);
    // The same body as JSON is the same request.
    const json = await api.http.post(apiPath(url)).send({ 'List-Unsubscribe': 'One-Click' });
    expect(json.status, JSON.stringify(json.body)).toBe(200);
    expect((await decide(id)).allowed).toBe(false);
  });

  it('keeps working for an old email after the person grants again: the link withdraws anew', async () => {
    const id = await subscriber();
    const { url } = (await decide(id)).unsubscribe!;
    expect((await api.http.post(apiPath(url)).type('form').send(ONE_CLICK)).body.changed).toBe(true);
    await grant(api, brand, id, 'email_marketing');
    expect((await decide(id)).unsubscribe!.url).toBe(url);
    const again = await api.http.post(apiPath(url)).type('form').send(ONE_CLICK);
    expect(again.body).toMatchObject({ changed: true, subscribed: false });
    expect((await history(id)).filter((e) => e.source === 'one-click-unsubscribe')).toHaveLength(2);
  });
});

describe('revoking unsubscribe links', () => {
  it('ends every link issued so far (410, nothing changed); the next decision carries a new one that works', async () => {
    const id = await subscriber();
    const { url: old } = (await decide(id)).unsubscribe!;
    const revoke = await api.http.delete(`/v1/subjects/${id}/unsubscribe-links`).query({ purpose: 'email_marketing' }).set(bearer(brand.key));
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(204);

    for (const res of [await api.http.post(apiPath(old)).type('form').send(ONE_CLICK), await api.http.get(apiPath(old))]) {
      expect(res.status).toBe(410);
      expect(res.body).toMatchObject({ code: 'unsubscribe-link-revoked', status: 410 });
    }
    const fresh = await decide(id);
    expect(fresh.allowed).toBe(true);
    expect(fresh.unsubscribe!.url).not.toBe(old);
    expect((await api.http.post(apiPath(fresh.unsubscribe!.url)).type('form').send(ONE_CLICK)).status).toBe(200);
    expect((await decide(id)).allowed).toBe(false);

    const audit = await api.http.get('/v1/audit-log').set(bearer(brand.key));
    expect(audit.body.data.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toContain(`unsubscribe_links.revoked ${id}`);
  });

  it('without a purpose revokes the subject\'s every link; a key limited to other purposes may not revoke these', async () => {
    const id = await subscriber();
    const { url } = (await decide(id)).unsubscribe!;
    const smsOnly = await createKey(api, brand, ['consents:write'], ['sms_marketing']);
    const refused = await api.http.delete(`/v1/subjects/${id}/unsubscribe-links`).query({ purpose: 'email_marketing' }).set(bearer(smsOnly));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('purpose-not-allowed');
    // Limited to its own purposes, a revocation without a purpose leaves email marketing's link alone.
    expect((await api.http.delete(`/v1/subjects/${id}/unsubscribe-links`).set(bearer(smsOnly))).status).toBe(204);
    expect((await api.http.get(apiPath(url))).status).toBe(200);

    expect((await api.http.delete(`/v1/subjects/${id}/unsubscribe-links`).set(bearer(brand.key))).status).toBe(204);
    expect((await api.http.get(apiPath(url))).status).toBe(410);
  });

  it('an erased person\'s link no longer works', async () => {
    const id = await subscriber();
    const { url } = (await decide(id)).unsubscribe!;
    const erasure = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: id, type: 'erasure' });
    expect(erasure.status, JSON.stringify(erasure.body)).toBe(201);
    const res = await api.http.post(apiPath(url)).type('form').send(ONE_CLICK);
    expect(res.status).toBe(410);
    expect(res.body.code).toBe('unsubscribe-link-revoked');
  });
});

describe('the credential-less route is limited like every public route', () => {
  it('answers 429 with RateLimit headers past the limit, per client address', async () => {
    const limited = await startApi({ env: { PORTAL_URL: 'http://portal.test', CANDOR_RATE_LIMIT: '3', CANDOR_RATE_LIMIT_WINDOW_S: '60' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.http.post('/v1/unsubscribe/not-a-token').type('form').send(ONE_CLICK)).status);
      expect(statuses).toEqual([404, 404, 404, 429, 429]);
      const last = await limited.http.get('/v1/unsubscribe/not-a-token');
      expect(last.status).toBe(429);
      expect(last.headers['ratelimit-policy']).toBeDefined();
      expect(last.body.code).toBe('too-many-requests');
    } finally {
      await limited.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, signInCustomer, TestBrand } from '../support/factories';

/** Limits and hardening: rate limits, deadlines, page and body sizes, headers, caching. */

let api: TestApi;
let brand: TestBrand;

beforeAll(async () => {
  api = await startApi({ env: { CANDOR_RATE_LIMIT: '30', CANDOR_RATE_LIMIT_WINDOW_S: '60' } });
  brand = await createBrand(api, 'Hardened Goods');
});
afterAll(async () => {
  await api?.close();
});

const isProblem = (res: { status: number; headers: Record<string, string>; body: { status?: number } }, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
};

describe('rate limits per credential', () => {
  it('counts each credential on its own, announces the policy and answers 429 problem+json past it', async () => {
    const key = await createKey(api, brand, ['subjects:read']);
    const first = await api.http.get('/v1/subjects').set(bearer(key));
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"per-credential";q=30;w=60');
    expect(first.headers['ratelimit']).toMatch(/^"per-credential";r=29;t=\d+$/);
    let statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await api.http.get('/v1/subjects').set(bearer(key))).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(29);
    const limited = await api.http.get('/v1/subjects').set(bearer(key));
    isProblem(limited, 429);
    expect(limited.body.code).toBe('too-many-requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit']).toMatch(/^"per-credential";r=0;t=\d+$/);

    // Another credential of the same brand is not affected.
    const other = await createKey(api, brand, ['subjects:read']);
    expect((await api.http.get('/v1/subjects').set(bearer(other))).status).toBe(200);
    // Health checks are never limited. (Made-up keys count against the client address: see
    // rate-limits.e2e-spec.ts, which floods them on an API of its own.)
    for (let i = 0; i < 40; i++) expect((await api.http.get('/healthz')).status).toBe(200);
    console.log('hardening: rate limit 30/60 s per credential: request 31 → 429, a second key unaffected');
  });
});

describe('request deadline', () => {
  it('answers 503 problem+json when a response is not started in time, and keeps serving', async () => {
    const slow = await startApi({ env: { CANDOR_REQUEST_TIMEOUT_MS: '1' } });
    try {
      const res = await slow.http.post('/v1/brands').set(bearer(slow.adminKey)).send({ slug: 'too-slow', name: 'Too Slow', defaultLocale: 'en' });
      isProblem(res, 503);
      expect(res.body.code).toBe('unavailable');
      expect(res.headers['retry-after']).toBe('1');
      // The abandoned work finishing later breaks nothing: the process still answers.
      await new Promise((r) => setTimeout(r, 300));
      const again = await slow.http.get('/v1/brands/by-slug/too-slow');
      expect([200, 404, 503]).toContain(again.status);
    } finally {
      await slow.close();
    }
  });
});

describe('sizes', () => {
  it('caps page size and body size with problems', async () => {
    const key = await createKey(api, brand, ['subjects:read', 'subjects:write']);
    expect((await api.http.get('/v1/subjects').query({ limit: 200 }).set(bearer(key))).status).toBe(200);
    const tooMany = await api.http.get('/v1/subjects').query({ limit: 201 }).set(bearer(key));
    isProblem(tooMany, 422);
    expect(tooMany.body.errors[0].path).toBe('limit');
    const huge = await api.http.post('/v1/subjects').set(bearer(key)).send({ externalId: 'big', padding: 'x'.repeat(1_100_000) });
    isProblem(huge, 413);
    const deep = await api.http
      .post('/v1/subjects')
      .set(bearer(key))
      .set('Content-Type', 'application/json')
      .send(`{"externalId":"deep","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    isProblem(deep, 400);
  });
});

describe('headers', () => {
  it('sends security headers and a no-store policy on the API, and no cookies', async () => {
    const subject = await createSubject(api, brand, { email: 'headers.check@example.com' });
    const session = await signInCustomer(api, brand, subject.id);
    for (const res of [
      await api.http.get(`/v1/subjects/${subject.id}`).set(bearer(brand.key)),
      await api.http.get('/v1/me').set(bearer(session)),
      await api.http.get('/v1/subjects/not-a-uuid').set(bearer(brand.key)),
      await api.http.get('/v1/me'),
    ]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('gives the contact decision answered in front of Express the same edge as every other route', async () => {
    await adoptPurpose(api, brand, 'email_marketing');
    const subject = await createSubject(api, brand, { email: 'edge.check@example.com' });
    const key = await createKey(api, brand, ['consents:read']);
    const query = `subjectId=${subject.id}&purpose=email_marketing&channel=email`;
    // The ordinary query is answered by the fast path; with a trailing slash the same question is
    // routed by Express to the controller (the fast path takes only the exact path).
    const fast = await api.http.get(`/v1/decisions/contact?${query}`).set(bearer(key)).set('X-Request-Id', 'edge-fast-1');
    const routed = await api.http.get(`/v1/decisions/contact/?${query}`).set(bearer(key));
    expect(fast.status).toBe(200);
    expect(routed.status).toBe(200);
    expect(fast.body).toEqual(routed.body);
    expect(fast.headers['x-request-id']).toBe('edge-fast-1');
    expect(routed.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const edgeHeaders = [
      'cache-control', 'content-security-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy',
      'origin-agent-cluster', 'referrer-policy', 'strict-transport-security', 'x-content-type-options',
      'x-dns-prefetch-control', 'x-download-options', 'x-frame-options', 'x-permitted-cross-domain-policies',
      'x-xss-protection', 'ratelimit-policy',
    ];
    for (const name of edgeHeaders) {
      expect(fast.headers[name], name).toBeDefined();
      expect(fast.headers[name], name).toBe(routed.headers[name]);
    }
    expect(fast.headers['content-type']).toMatch(/^application\/json/);
    // Both were counted by the same limiter: the second saw one request fewer left.
    const left = (res: { headers: Record<string, string> }) => Number(/r=(\d+)/.exec(res.headers['ratelimit'])![1]);
    expect(left(routed)).toBe(left(fast) - 1);
  });

  it('keeps Swagger UI working under its own content security policy', async () => {
    const page = await api.http.get('/docs/');
    expect(page.status).toBe(200);
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
    // Every script is a file from /docs (an inline one would be blocked by the policy).
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) {
      const src = /src="\.?\/?([^"]+)"/.exec(attrs)?.[1];
      expect(src, `inline script in /docs: <script${attrs}>`).toBeDefined();
      const asset = await api.http.get(`/docs/${src}`);
      expect(asset.status, src).toBe(200);
    }
    expect((await api.http.get('/openapi.json')).status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, signInCustomer, TestBrand } from '../support/factories';

/**
 * HTTP as RFC 9110 means it, on the routes a brand's developer meets first: a body of the wrong
 * media type is 415 (not a list of "missing" fields), `If-Match` compares strongly, problems carry
 * no entity tag, unknown query parameters are refused like unknown body fields, optional fields
 * that are not nullable refuse null, and the GPC support resource is served.
 */

let api: TestApi;
let brand: TestBrand;
let session: string;

beforeAll(async () => {
  api = await startApi();
  brand = await createBrand(api, 'Semantic Goods');
  await adoptPurpose(api, brand, 'email_marketing');
  const subject = await createSubject(api, brand);
  session = await signInCustomer(api, brand, subject.id);
});
afterAll(async () => {
  await api?.close();
});

const problem = (res: { status: number; headers: Record<string, string>; body: Record<string, any> }, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code });
};

describe('request media types', () => {
  it('answers a text/plain, form or XML body on a JSON route with 415, once, before reading it', async () => {
    for (const [type, body] of [
      ['text/plain', '{"externalId":"m-1"}'],
      ['application/x-www-form-urlencoded', 'externalId=m-1'],
      ['application/xml', '<subject><externalId>m-1</externalId></subject>'],
    ]) {
      const res = await api.http.post('/v1/subjects').set(bearer(brand.key)).set('Content-Type', type).send(body);
      problem(res, 415, 'unsupported-media-type');
      expect(res.body.detail).toContain('application/json');
      expect(res.body.errors).toBeUndefined();
    }
    // No Content-Type at all with a body is no JSON either.
    const bare = await api.http.post('/v1/subjects').set(bearer(brand.key)).set('Content-Type', '').send(Buffer.from('{"externalId":"m-1"}'));
    problem(bare, 415, 'unsupported-media-type');
    // JSON, and the +json suffix types, are read as before.
    expect((await api.http.post('/v1/subjects').set(bearer(brand.key)).set('Content-Type', 'application/json; charset=utf-8').send('{"externalId":"m-415"}')).status).toBe(201);
    expect((await api.http.post('/v1/subjects').set(bearer(brand.key)).set('Content-Type', 'application/merge-patch+json').send('{"externalId":"m-416"}')).status).toBe(201);
  });

  it('still answers malformed JSON with 400 and an empty JSON body with 422 listing the fields', async () => {
    problem(await api.http.post('/v1/subjects').set(bearer(brand.key)).set('Content-Type', 'application/json').send('{"externalId":'), 400, 'malformed-json');
    const empty = await api.http.post('/v1/subjects').set(bearer(brand.key)).send({});
    problem(empty, 422, 'validation-failed');
    expect(empty.body.errors.map((e: { path: string }) => e.path)).toContain('externalId');
  });
});

describe('conditional requests', () => {
  it('compares If-Match strongly: a weak tag is stale (412), the strong one matches', async () => {
    const read = await api.http.get('/v1/me/preferences').set(bearer(session));
    expect(read.status).toBe(200);
    const etag: string = read.headers.etag;
    expect(etag).toMatch(/^"prefs-v\d+"$/);
    const body = { channels: { email: { optedIn: true, frequency: 'weekly' } }, topics: [] };
    problem(await api.http.put('/v1/me/preferences').set(bearer(session)).set('If-Match', `W/${etag}`).send(body), 412, 'precondition-failed');
    problem(await api.http.put('/v1/me/preferences').set(bearer(session)).set('If-Match', etag.slice(1, -1)).send(body), 412, 'precondition-failed');
    const saved = await api.http.put('/v1/me/preferences').set(bearer(session)).set('If-Match', `"nope", ${etag}`).send(body);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.headers.etag).not.toBe(etag);
  });

  it('puts no entity tag on problems or on JSON that is not versioned', async () => {
    const missing = await api.http.get('/v1/subjects/00000000-0000-4000-8000-000000000000').set(bearer(brand.key));
    problem(missing, 404, 'not-found');
    expect(missing.headers.etag).toBeUndefined();
    const unauthenticated = await api.http.get('/v1/subjects');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.etag).toBeUndefined();
    const list = await api.http.get('/v1/subjects').set(bearer(brand.key));
    expect(list.status).toBe(200);
    expect(list.headers.etag).toBeUndefined();
  });
});

describe('query parameters', () => {
  it('refuses one a route does not take with 422 naming (unknown field), like an unknown body field, without repeating it', async () => {
    for (const url of ['/v1/api-keys?include=secrets', '/v1/subjects?externalid=x', '/v1/consent-stats?days=7&window=30', '/v1/purposes?zq_probe=1']) {
      const res = await api.http.get(url).set(bearer(brand.key));
      problem(res, 422, 'validation-failed');
      expect(res.body.errors).toEqual([{ path: '(unknown field)', message: expect.stringContaining('unknown fields are refused') }]);
      expect(JSON.stringify(res.body)).not.toMatch(/include|externalid|window|zq_probe/);
    }
    const body = await api.http.post('/v1/subjects').set(bearer(brand.key)).send({ externalId: 'm-9', nickname: 'x' });
    problem(body, 422, 'validation-failed');
    expect(body.body.errors).toEqual([{ path: '(unknown field)', message: expect.any(String) }]);
    // The documented ones still work, and so does an audit log asked for a page only.
    expect((await api.http.get('/v1/consent-stats?days=7').set(bearer(brand.key))).status).toBe(200);
    expect((await api.http.get('/v1/audit-log?limit=2').set(bearer(brand.key))).status).toBe(200);
    problem(await api.http.get('/v1/audit-log?status=completed').set(bearer(brand.key)), 422, 'validation-failed');
  });
});

describe('null in optional fields', () => {
  it('refuses null where the document says a value or nothing (at, expiresAt, url, capturedAt)', async () => {
    const subject = await createSubject(api, brand);
    const contact = await api.http.post(`/v1/subjects/${subject.id}/contacts`).set(bearer(brand.key)).send({ purpose: 'email_marketing', channel: 'email', at: null });
    problem(contact, 422, 'validation-failed');
    expect(contact.body.errors.map((e: { path: string }) => e.path)).toEqual(['at']);
    const fact = await api.http
      .post(`/v1/subjects/${subject.id}/facts`)
      .set(bearer(brand.key))
      .send({ key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'form', expiresAt: null });
    problem(fact, 422, 'validation-failed');
    expect(fact.body.errors.map((e: { path: string }) => e.path)).toEqual(['expiresAt']);
    const item = await api.http.put('/v1/catalog/items/null-url').set(bearer(brand.key)).send({ title: 'Null URL', url: null, tags: [] });
    problem(item, 422, 'validation-failed');
    expect(item.body.errors.map((e: { path: string }) => e.path)).toContain('url');
    const consent = await api.http.post(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key)).send({ purpose: 'email_marketing', granted: true, capturedAt: null });
    problem(consent, 422, 'validation-failed');
    // Left out, they take their defaults.
    expect((await api.http.post(`/v1/subjects/${subject.id}/contacts`).set(bearer(brand.key)).send({ purpose: 'email_marketing', channel: 'email' })).status).toBe(201);
    // Where the document says nullable, null means "none".
    const read = await api.http.get('/v1/me/preferences').set(bearer(session));
    const cleared = await api.http.put('/v1/me/preferences').set(bearer(session)).set('If-Match', read.headers.etag).send({ channels: {}, quietHours: null });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(cleared.body.quietHours).toBeNull();
  });
});

describe('discovery', () => {
  it('serves the GPC support resource and echoes a sane X-Request-Id', async () => {
    const gpc = await api.http.get('/.well-known/gpc.json');
    expect(gpc.status).toBe(200);
    expect(gpc.body).toEqual({ gpc: true, lastUpdate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const traced = await api.http.get('/healthz').set('X-Request-Id', 'order-4711.retry_2');
    expect(traced.headers['x-request-id']).toBe('order-4711.retry_2');
    const replaced = await api.http.get('/healthz').set('X-Request-Id', 'has spaces and <html>');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personalDataRoutes, PurposeSource } from '../../api/src/common/authz/personal-data';
import { PURPOSE_CATALOGUE } from '../../api/src/modules/purposes/purpose-catalogue';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createKey, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';

/**
 * Purpose limits hold on every route that returns a subject's personal data, and every such read
 * is in the customer's access log. The routes come from docs/openapi.json; each must carry a
 * decision in code (`@ReadsPersonalData`) or be listed below as holding none, so a new route
 * without a decision fails here.
 */

/** Routes that return no subject's personal data, and why. /v1/me routes are the customer's own. */
const NO_PERSONAL_DATA: Record<string, string> = {
  'POST /v1/webhooks': 'configuration',
  'GET /v1/webhooks': 'configuration',
  'DELETE /v1/webhooks/{id}': 'configuration',
  'GET /v1/webhooks/{id}/deliveries': 'event payloads carry ids and fact keys, never fact values or contact data',
  'POST /v1/brands': 'operator: creates a brand',
  'GET /v1/brand': 'the brand itself',
  'POST /v1/api-keys': 'credentials (bounded by the grant rule)',
  'GET /v1/api-keys': 'credentials',
  'DELETE /v1/api-keys/{id}': 'credentials',
  'POST /v1/purposes': 'configuration',
  'GET /v1/purposes': 'configuration',
  'GET /v1/purposes/{key}': 'configuration',
  'POST /v1/purposes/{key}/notices': 'configuration',
  'GET /v1/purposes/{key}/notices': 'configuration',
  'GET /v1/purpose-catalogue': 'configuration',
  'POST /v1/purpose-catalogue/{key}/adopt': 'configuration',
  'PUT /v1/purposes/{key}/retention': 'configuration',
  'POST /v1/subjects/{id}/consents': 'echoes the consent event the caller wrote',
  'POST /v1/subjects/{id}/facts': 'echoes the fact the caller wrote',
  'POST /v1/subjects/{id}/contacts': 'echoes the contact the caller recorded',
  'POST /v1/subjects/{id}/suppressions': 'echoes the suppression the caller set',
  'POST /v1/subjects/import': 'echoes the subject the caller imported (an existing one is a 409)',
  'POST /v1/subjects/{id}/portal-links': 'a sign-in link, bounded by the grant rule (a customer session)',
  'POST /v1/questions': 'configuration',
  'GET /v1/questions': 'configuration',
  'GET /v1/subjects/{id}/questions/next': 'a question of the catalogue; no fact value or identifier',
  'DELETE /v1/auth/sessions/current': 'signs out',
  'GET /v1/ledger/verify': 'hashes and counts',
  'GET /v1/records-of-processing': 'the brand’s record of processing activities',
  'GET /v1/audit-log/verify': 'hashes and counts',
  'GET /v1/audit-log': 'who did what to which record id',
  'PUT /v1/catalog/items/{sku}': 'the catalogue',
  'POST /v1/catalog/items/bulk': 'the catalogue',
  'GET /v1/catalog/items': 'the catalogue',
  'POST /v1/staff': 'staff accounts (bounded by the grant rule)',
  'GET /v1/staff': 'staff accounts',
  'DELETE /v1/staff/{id}': 'staff accounts',
  'DELETE /v1/auth/staff-sessions/current': 'signs out',
  'GET /v1/staff/me': 'the caller itself',
  'GET /v1/consent-stats': 'daily counts',
  'POST /v1/retention/run': 'a job',
  'POST /v1/imports': 'a job; rejections name line numbers',
  'GET /v1/imports/{id}': 'a job; rejections name line numbers',
  'POST /v1/erasure-jobs': 'a job',
  'GET /v1/erasure-jobs/{id}': 'a job',
};

const openapi = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, { security?: unknown[] }>> };

const METHODS: Record<number, string> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.DELETE]: 'DELETE',
  [RequestMethod.PATCH]: 'PATCH',
};
const join = (...parts: string[]) => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`.replace(/:([A-Za-z]+)/g, '{$1}');

/** The personal-data routes as "METHOD /path", from the decorators in code. */
function inventory(): Map<string, { source: PurposeSource; logged: boolean }> {
  const routes = new Map<string, { source: PurposeSource; logged: boolean }>();
  for (const r of personalDataRoutes()) {
    const handler = (r.controller.prototype as Record<string, object>)[r.handler];
    const route = `${METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as number]} ${join(Reflect.getMetadata(PATH_METADATA, r.controller) as string, Reflect.getMetadata(PATH_METADATA, handler) as string)}`;
    routes.set(route, { source: r.source, logged: r.logged === true });
  }
  return routes;
}

/** Every authenticated route of the OpenAPI document that is not the customer's own /v1/me. */
function documentedBrandRoutes(): string[] {
  const out: string[] = [];
  for (const [path, ops] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!op.security?.length || path === '/v1/me' || path.startsWith('/v1/me/')) continue;
      out.push(`${method.toUpperCase()} ${path}`);
    }
  }
  return out;
}

const PURPOSES = ['email_marketing', 'personalization', 'analytics', 'order_updates'] as const;
const CATEGORIES = ['motivations', 'interests', 'behavior', 'contact', 'health'] as const;
const catalogue = (key: string) => PURPOSE_CATALOGUE.find((p) => p.key === key)!;
const covered = (purposes: readonly string[]) => new Set(purposes.flatMap((p) => catalogue(p).dataCategories));
const contacting = (p: string) => catalogue(p).channels.length > 0 || catalogue(p).dataCategories.includes('contact');

let api: TestApi;
let brand: TestBrand;
let subject: { id: string; externalId: string };
let customer: string;
let privacyRequestId: string;
const marker: Record<string, string> = {};
const factIds: string[] = [];
const EMAIL = `person.${randomBytes(3).toString('hex')}@example.com`;
const PHONE = '+4791234567';

beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_POLL_MS: '0' } });
  brand = await createBrand(api, 'Purpose Fjord');
  for (const p of PURPOSES) await adoptPurpose(api, brand, p);
  subject = await createSubject(api, brand, { email: EMAIL, phone: PHONE, locale: 'en' });
  for (const p of PURPOSES) await grant(api, brand, subject.id, p);
  const items = [];
  for (const category of CATEGORIES) {
    marker[category] = `mk${category}${randomBytes(4).toString('hex')}`;
    factIds.push((await recordFact(api, brand, subject.id, { key: `f_${category}`, value: marker[category], category })).id);
    items.push({ sku: `sku-${category}`, title: `For ${category}`, tags: [{ factKey: `f_${category}`, value: marker[category], weight: 1 }] });
  }
  expect((await api.http.post('/v1/catalog/items/bulk').set(bearer(brand.key)).send({ items })).status).toBe(200);
  customer = await signInCustomer(api, brand, subject.id);
  const request = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'access' });
  expect(request.status, JSON.stringify(request.body)).toBe(201);
  privacyRequestId = request.body.id;
});
afterAll(() => api?.close());

interface Call {
  method: 'get' | 'post';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The purpose the request states or the route serves (`*`: every purpose). */
  purpose: string | null;
}

/** A well-formed request for each personal-data route; `stated` is a purpose the caller names. */
function call(route: string, stated: string, statesPurpose: boolean): Call {
  const S = subject.id;
  const optional = statesPurpose ? { purpose: stated } : undefined;
  switch (route) {
    case 'GET /v1/subjects':
      return { method: 'get', path: '/v1/subjects', query: { externalId: subject.externalId, ...optional }, purpose: statesPurpose ? stated : null };
    case 'GET /v1/subjects/{id}':
      return { method: 'get', path: `/v1/subjects/${S}`, query: optional, purpose: statesPurpose ? stated : null };
    case 'POST /v1/subjects':
      return { method: 'post', path: '/v1/subjects', body: { externalId: subject.externalId }, purpose: null };
    case 'GET /v1/subjects/{id}/consents':
      return { method: 'get', path: `/v1/subjects/${S}/consents`, purpose: null };
    case 'GET /v1/subjects/{id}/profile':
      return { method: 'get', path: `/v1/subjects/${S}/profile`, query: { purpose: stated }, purpose: stated };
    case 'GET /v1/decisions/contact':
      return { method: 'get', path: '/v1/decisions/contact', query: { subjectId: S, purpose: stated, channel: 'email' }, purpose: stated };
    case 'POST /v1/decisions/contact':
      return { method: 'post', path: '/v1/decisions/contact', body: { checks: [{ subjectId: S, purpose: stated, channel: 'email' }] }, purpose: stated };
    case 'POST /v1/audiences/query':
    case 'POST /v1/audiences/count':
      return { method: 'post', path: route.slice(5), body: { purpose: stated }, purpose: stated };
    case 'POST /v1/recommendations':
      return { method: 'post', path: '/v1/recommendations', body: { subjectId: S }, purpose: 'personalization' };
    case 'POST /v1/explanations/validate':
      return { method: 'post', path: '/v1/explanations/validate', body: { subjectId: S, sku: 'sku-motivations', because: [factIds[0]] }, purpose: 'personalization' };
    case 'POST /v1/privacy-requests':
      return { method: 'post', path: '/v1/privacy-requests', body: { subjectId: S, type: 'access' }, purpose: '*' };
    case 'GET /v1/privacy-requests':
      return { method: 'get', path: '/v1/privacy-requests', purpose: '*' };
    case 'GET /v1/privacy-requests/{id}':
      return { method: 'get', path: `/v1/privacy-requests/${privacyRequestId}`, purpose: '*' };
    case 'POST /v1/privacy-requests/{id}/execute':
      return { method: 'post', path: `/v1/privacy-requests/${privacyRequestId}/execute`, body: { note: 'done' }, purpose: '*' };
    case 'POST /v1/privacy-requests/{id}/extend':
      return { method: 'post', path: `/v1/privacy-requests/${privacyRequestId}/extend`, body: { reason: 'records in three systems' }, purpose: '*' };
    case 'GET /v1/subjects/{id}/export':
      return { method: 'get', path: `/v1/subjects/${S}/export`, purpose: '*' };
    case 'GET /v1/subjects/{id}/consent-records':
      return { method: 'get', path: `/v1/subjects/${S}/consent-records`, purpose: '*' };
  }
  throw new Error(`No request for the personal-data route ${route}: add one to this test.`);
}

const keys = new Map<string, string>();
/** A key with every scope that reads personal data, limited to `purposes` (one per subset). */
async function limitedKey(purposes: readonly string[]): Promise<string> {
  const id = purposes.join(',');
  if (!keys.has(id)) {
    const scopes = ['subjects:read', 'subjects:write', 'consents:read', 'profiles:read', 'audiences:read', 'recommendations:read', 'compliance'];
    const res = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: `limited ${id}`.slice(0, 100), scopes, purposes });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    keys.set(id, res.body.key);
  }
  return keys.get(id)!;
}

async function newestAccess(): Promise<string | null> {
  const res = await api.http.get('/v1/me/access-log').query({ limit: 1 }).set(bearer(customer));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data[0]?.id ?? null;
}

describe('the personal-data inventory', () => {
  it('has a decision for every authenticated route of docs/openapi.json (a purpose in code, or listed as holding none)', () => {
    const decided = inventory();
    const undecided = documentedBrandRoutes().filter((r) => !decided.has(r) && !(r in NO_PERSONAL_DATA));
    expect(undecided, 'mark these handlers @ReadsPersonalData(...) or list them in NO_PERSONAL_DATA with a reason').toEqual([]);
    const documented = new Set(documentedBrandRoutes());
    expect([...decided.keys(), ...Object.keys(NO_PERSONAL_DATA)].filter((r) => !documented.has(r))).toEqual([]);
    expect([...decided.keys()].filter((r) => r in NO_PERSONAL_DATA)).toEqual([]);
  });
});

describe('purpose limits on every personal-data route', () => {
  it('never answers a limited key with data its purposes do not cover, and logs every read it answers', async () => {
    const routes = [...inventory().entries()];
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...PURPOSES]),
        fc.constantFrom(...routes),
        fc.constantFrom(...PURPOSES),
        fc.boolean(),
        async (purposes, [route, decision], stated, statesPurpose) => {
          const key = await limitedKey(purposes);
          const c = call(route, stated, statesPurpose);
          const before = await newestAccess();
          const res = await api.http[c.method](c.path).query(c.query ?? {}).set(bearer(key)).send(c.body as object);
          const text = JSON.stringify(res.body ?? '') + (res.text ?? '');
          const refused = c.purpose === '*' || (c.purpose !== null && !purposes.includes(c.purpose));
          if (refused) {
            expect(res.status, `${route} ${text}`).toBe(403);
            expect(res.body.code).toBe('purpose-not-allowed');
            return;
          }
          expect(res.body?.code, `${route} with ${purposes} stating ${c.purpose}: ${text}`).not.toBe('purpose-not-allowed');
          if (res.status >= 300) return;
          // Facts only from categories the key's purposes cover.
          const mine = covered(purposes);
          for (const category of CATEGORIES) if (!mine.has(category)) expect(text, `${route}: ${category}`).not.toContain(marker[category]);
          // Contact data only for a stated purpose of the key's own that contacts people.
          if (!(c.purpose && contacting(c.purpose))) {
            expect(text, route).not.toContain(EMAIL);
            expect(text, route).not.toContain(PHONE.slice(1));
          }
          // Every answered read is in the customer's access log (aggregates and yes/no decisions are the documented exceptions).
          if (decision.logged && (route !== 'POST /v1/audiences/query' || text.includes(subject.id))) expect(await newestAccess(), `${route} was not logged`).not.toBe(before);
        },
      ),
      { numRuns: Number(process.env.PURPOSE_RUNS ?? 100) },
    );
  });

  it('regression: a key limited to email_marketing gets no personalization facts through recommendations or explanations', async () => {
    const key = await createKey(api, brand, ['profiles:read', 'recommendations:read'], ['email_marketing']);
    const profile = await api.http.get(`/v1/subjects/${subject.id}/profile`).query({ purpose: 'personalization' }).set(bearer(key));
    expect(profile.status).toBe(403);
    for (const [path, body] of [
      ['/v1/recommendations', { subjectId: subject.id }],
      ['/v1/explanations/validate', { subjectId: subject.id, sku: 'sku-motivations', because: [factIds[0]] }],
    ] as const) {
      const res = await api.http.post(path).set(bearer(key)).send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body).toMatchObject({ type: '/problems/purpose-not-allowed', code: 'purpose-not-allowed' });
      expect(JSON.stringify(res.body)).not.toContain(marker.behavior);
    }
  });

  it('regression: subject reads and lookups by email or external id are in the access log; a limited key sees contact data only for its own contacting purpose', async () => {
    const reader = await createKey(api, brand, ['subjects:read'], ['personalization', 'order_updates']);
    const log = async () => (await api.http.get('/v1/me/access-log').query({ limit: 1 }).set(bearer(customer))).body.data[0];

    const byId = await api.http.get(`/v1/subjects/${subject.id}`).set(bearer(reader));
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ id: subject.id, externalId: subject.externalId, email: null, phone: null });
    expect(await log()).toMatchObject({ kind: 'subject', purpose: null, fields: ['externalId', 'locale', 'timezone'] });

    const forOrders = await api.http.get(`/v1/subjects/${subject.id}`).query({ purpose: 'order_updates' }).set(bearer(reader));
    expect(forOrders.body).toMatchObject({ email: EMAIL, phone: PHONE });
    expect(await log()).toMatchObject({ kind: 'subject', purpose: 'order_updates', fields: ['externalId', 'locale', 'timezone', 'email', 'phone'] });
    expect((await api.http.get(`/v1/subjects/${subject.id}`).query({ purpose: 'email_marketing' }).set(bearer(reader))).body.code).toBe('purpose-not-allowed');

    for (const query of [{ email: EMAIL.toUpperCase() }, { externalId: subject.externalId }]) {
      const before = (await log()).id;
      const found = await api.http.get('/v1/subjects').query(query).set(bearer(brand.key));
      expect(found.body.data).toEqual([expect.objectContaining({ id: subject.id, email: EMAIL })]);
      const after = await log();
      expect(after.id).not.toBe(before);
      expect(after).toMatchObject({ kind: 'subject', fields: ['externalId', 'locale', 'timezone', 'email', 'phone'] });
    }
  });
});

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
  'PUT /v1/fact-keys/{key}': 'configuration: the brand\'s dictionary',
  'GET /v1/fact-keys': 'configuration: the brand\'s dictionary',
  'GET /v1/fact-keys/{key}': 'configuration: the brand\'s dictionary',
  'PUT /v1/sources/{key}': 'configuration: the brand\'s dictionary',
  'GET /v1/sources': 'configuration: the brand\'s dictionary',
  'PUT /v1/topics/{key}': 'configuration: the brand\'s dictionary',
  'GET /v1/topics': 'configuration: the brand\'s dictionary',
  'GET /v1/dictionary/missing': 'configuration: which of the brand\'s words lack a translation (counts facts by key, never values)',
  'POST /v1/subjects/{id}/consents': 'echoes the consent event the caller wrote',
  'POST /v1/subjects/{id}/identifiers': 'echoes the identifier the caller added',
  'DELETE /v1/subjects/{id}/identifiers/{identifierId}': 'removes an identifier; answers nothing',
  'POST /v1/subjects/{id}/merge': 'ids, counts and decisions, no fact or identifier; a key limited to purposes may not merge (every category moves)',
  'POST /v1/subjects/{id}/facts': 'echoes the fact the caller wrote',
  'POST /v1/subjects/{id}/contacts': 'echoes the contact the caller recorded',
  'POST /v1/subjects/{id}/suppressions': 'echoes the suppression the caller set',
  'DELETE /v1/subjects/{id}/suppressions/{suppressionId}': 'ends a suppression; answers nothing',
  'DELETE /v1/subjects/{id}/unsubscribe-links': 'revokes links; answers nothing',
  'POST /v1/subjects/import': 'echoes the subject the caller imported (an existing one is a 409)',
  'POST /v1/subjects/{id}/portal-links': 'a sign-in link, bounded by the grant rule (a customer session)',
  'POST /v1/questions': 'configuration',
  'PATCH /v1/questions/{key}': 'configuration',
  'GET /v1/questions': 'configuration',
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
/** The contact fields a purpose's channels use (the contract: email → email, sms → phone; no channels but the contact category → both). */
const channelsOf = (p: string) => {
  const { channels, dataCategories } = catalogue(p);
  if (!channels.length) return { email: dataCategories.includes('contact'), phone: dataCategories.includes('contact') };
  return { email: (channels as string[]).includes('email'), phone: (channels as string[]).includes('sms') };
};

let api: TestApi;
let brand: TestBrand;
let subject: { id: string; externalId: string };
let customer: string;
/** A second customer who withdrew every consent and objected to every other purpose. */
let withdrawn: { id: string; externalId: string };
let withdrawnCustomer: string;
const W_EMAIL = `withdrawn.${randomBytes(3).toString('hex')}@example.com`;
const W_PHONE = '+4798765432';
let privacyRequestId: string;
const marker: Record<string, string> = {};
const factIds: string[] = [];
const EMAIL = `person.${randomBytes(3).toString('hex')}@example.com`;
const PHONE = '+4791234567';
/** The same person's email and phone in another system: identifiers, shown by the same rules. */
const ALT_EMAIL = `person.elsewhere.${randomBytes(3).toString('hex')}@example.com`;
const ALT_PHONE = '+4793332221';

beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_POLL_MS: '0' } });
  brand = await createBrand(api, 'Purpose Fjord');
  for (const p of PURPOSES) await adoptPurpose(api, brand, p);
  subject = await createSubject(api, brand, { email: EMAIL, phone: PHONE, locale: 'en' });
  for (const identifier of [{ type: 'email', value: ALT_EMAIL }, { type: 'phone', value: ALT_PHONE }]) {
    const added = await api.http.post(`/v1/subjects/${subject.id}/identifiers`).set(bearer(brand.key)).send(identifier);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }
  for (const p of PURPOSES) await grant(api, brand, subject.id, p);
  const items = [];
  for (const category of CATEGORIES) {
    marker[category] = `mk${category}${randomBytes(4).toString('hex')}`;
    factIds.push((await recordFact(api, brand, subject.id, { key: `f_${category}`, value: marker[category], category })).id);
    items.push({ sku: `sku-${category}`, title: `For ${category}`, tags: [{ factKey: `f_${category}`, value: marker[category], weight: 1 }] });
  }
  expect((await api.http.post('/v1/catalog/items/bulk').set(bearer(brand.key)).send({ items })).status).toBe(200);
  customer = await signInCustomer(api, brand, subject.id);
  withdrawn = await createSubject(api, brand, { email: W_EMAIL, phone: W_PHONE, locale: 'en' });
  for (const p of PURPOSES) await grant(api, brand, withdrawn.id, p);
  for (const category of CATEGORIES) await recordFact(api, brand, withdrawn.id, { key: `f_${category}`, value: marker[category], category });
  for (const p of PURPOSES) await grant(api, brand, withdrawn.id, p, false);
  withdrawnCustomer = await signInCustomer(api, brand, withdrawn.id);
  // A follow-up due at once after each category's fact: the list of due follow-ups shows each fact's value.
  for (const category of CATEGORIES) {
    const res = await api.http
      .post('/v1/questions')
      .set(bearer(brand.key))
      .send({ key: `after_${category}`, text: { en: `Still into ${category}?` }, factKey: `again_${category}`, category, options: [{ value: 'yes', label: { en: 'Yes' } }, { value: 'no', label: { en: 'No' } }], after: { factKey: `f_${category}`, days: 0 } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const request = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'access' });
  expect(request.status, JSON.stringify(request.body)).toBe(201);
  privacyRequestId = request.body.id;
});
afterAll(() => api?.close());

interface Call {
  method: 'get' | 'post' | 'put';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The purpose the request states or the route serves (`*`: every purpose). */
  purpose: string | null;
}

/** A well-formed request for each personal-data route; `stated` is a purpose the caller names. */
function call(route: string, stated: string, statesPurpose: boolean, target = subject): Call {
  const S = target.id;
  const optional = statesPurpose ? { purpose: stated } : undefined;
  switch (route) {
    case 'GET /v1/subjects':
      return { method: 'get', path: '/v1/subjects', query: { externalId: target.externalId, ...optional }, purpose: statesPurpose ? stated : null };
    case 'GET /v1/subjects/{id}':
      return { method: 'get', path: `/v1/subjects/${S}`, query: optional, purpose: statesPurpose ? stated : null };
    case 'GET /v1/subjects/lookup':
      return { method: 'get', path: '/v1/subjects/lookup', query: { type: 'external', value: target.externalId, ...optional }, purpose: statesPurpose ? stated : null };
    case 'GET /v1/subjects/{id}/identifiers':
      return { method: 'get', path: `/v1/subjects/${S}/identifiers`, query: optional, purpose: statesPurpose ? stated : null };
    case 'POST /v1/subjects':
      return { method: 'post', path: '/v1/subjects', body: { externalId: target.externalId }, purpose: null };
    case 'GET /v1/subjects/{id}/questions/next':
      return { method: 'get', path: `/v1/subjects/${S}/questions/next`, purpose: null };
    case 'GET /v1/subjects/{id}/questions/due':
      return { method: 'get', path: `/v1/subjects/${S}/questions/due`, purpose: null };
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
    case 'GET /v1/subjects/{id}/suppressions':
      return { method: 'get', path: `/v1/subjects/${S}/suppressions`, purpose: null };
    case 'GET /v1/subjects/{id}/preferences':
      return { method: 'get', path: `/v1/subjects/${S}/preferences`, purpose: '*' };
    case 'PUT /v1/subjects/{id}/preferences':
      // Refused to every limited key before the If-Match check (the topics are every category's).
      return { method: 'put', path: `/v1/subjects/${S}/preferences`, body: { channels: {} }, purpose: '*' };
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

async function newestAccess(session = customer): Promise<string | null> {
  const res = await api.http.get('/v1/me/access-log').query({ limit: 1 }).set(bearer(session));
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
        fc.boolean(),
        async (purposes, [route, decision], stated, statesPurpose, toWithdrawn) => {
          const key = await limitedKey(purposes);
          const target = toWithdrawn ? withdrawn : subject;
          const session = toWithdrawn ? withdrawnCustomer : customer;
          const c = call(route, stated, statesPurpose, target);
          const before = await newestAccess(session);
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
          // Contact data only for a stated purpose of the key's own, while the customer has standing
          // for it (the withdrawn customer has none), and only the channels that purpose uses.
          const shown = c.purpose && !toWithdrawn ? channelsOf(c.purpose) : { email: false, phone: false };
          for (const [email, phone] of [[EMAIL, PHONE], [ALT_EMAIL, ALT_PHONE], [W_EMAIL, W_PHONE]]) {
            if (!shown.email || email === W_EMAIL) expect(text, `${route} ${JSON.stringify(c)}: email`).not.toContain(email);
            if (!shown.phone || phone === W_PHONE) expect(text, `${route} ${JSON.stringify(c)}: phone`).not.toContain(phone.slice(1));
          }
          // ...and then it is there (the rule does not just hide everything).
          if (['GET /v1/subjects', 'GET /v1/subjects/{id}', 'GET /v1/subjects/lookup'].includes(route) && c.purpose && !toWithdrawn && shown.email) expect(text, route).toContain(EMAIL);
          if (route === 'GET /v1/subjects/{id}/identifiers' && c.purpose && !toWithdrawn && shown.email) expect(text, route).toContain(ALT_EMAIL);
          // Due follow-ups show the facts behind them: those the key's purposes cover, only while the customer consents.
          if (route === 'GET /v1/subjects/{id}/questions/due') {
            for (const category of CATEGORIES) {
              if (toWithdrawn) expect(text, `${route}: ${category} of a customer who withdrew`).not.toContain(marker[category]);
              else if (mine.has(category)) expect(text, `${route}: ${category}`).toContain(marker[category]);
            }
          }
          // Every answered read is in the customer's access log (aggregates and yes/no decisions are the documented exceptions).
          if (decision.logged && (route !== 'POST /v1/audiences/query' || text.includes(target.id))) expect(await newestAccess(session), `${route} was not logged`).not.toBe(before);
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

  it('regression (red team): a key limited to email_marketing sees no contact data of a customer who withdrew, and only the email of one who consented', async () => {
    const reader = await createKey(api, brand, ['subjects:read'], ['email_marketing']);
    const gone = await api.http.get(`/v1/subjects/${withdrawn.id}`).query({ purpose: 'email_marketing' }).set(bearer(reader));
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ id: withdrawn.id, externalId: withdrawn.externalId, email: null, phone: null });
    const consenting = await api.http.get(`/v1/subjects/${subject.id}`).query({ purpose: 'email_marketing' }).set(bearer(reader));
    expect(consenting.body).toMatchObject({ email: EMAIL, phone: null });
    const log = (await api.http.get('/v1/me/access-log').query({ limit: 1 }).set(bearer(customer))).body.data[0];
    expect(log).toMatchObject({ kind: 'subject', purpose: 'email_marketing', fields: ['externalId', 'locale', 'timezone', 'email'] });
    // Lists: the customer who withdrew still appears, without contact data.
    for (const query of [{ externalId: withdrawn.externalId }, { email: W_EMAIL }]) {
      const listed = await api.http.get('/v1/subjects').query({ ...query, purpose: 'email_marketing' }).set(bearer(reader));
      expect(listed.status).toBe(200);
      expect(listed.body.data).toEqual([expect.objectContaining({ id: withdrawn.id, email: null, phone: null })]);
    }
    // The profile route answers the same state with consent-required: one check behind both.
    expect((await api.http.get(`/v1/subjects/${withdrawn.id}/profile`).query({ purpose: 'email_marketing' }).set(bearer(brand.key))).body.code).toBe('consent-required');
  });
});

/** The routes whose answer carries a subject's contact data: every one answering a SubjectResponse in docs/openapi.json. */
function contactRoutes(): string[] {
  const doc = openapi as unknown as { paths: Record<string, Record<string, { responses?: object }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => JSON.stringify(op.responses ?? {}).includes('#/components/schemas/SubjectResponse"'))
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
}
/** Contact-data routes a key without subjects:read cannot reach to read an existing subject, and why. */
const CONTACT_EXEMPT: Record<string, string> = {
  'POST /v1/subjects/import': 'echoes the identifiers the caller sent; an existing subject is a 409',
};
const SCOPES = ['subjects:write', 'subjects:read', 'consents:write', 'consents:read', 'profiles:read', 'audiences:read', 'recommendations:read', 'catalog:write', 'webhooks:manage', 'config:write', 'compliance'];

describe('contact data only for subject readers', () => {
  it('discovers the routes answering subjects from the OpenAPI document', () => {
    expect(contactRoutes().sort()).toEqual(['GET /v1/subjects', 'GET /v1/subjects/lookup', 'GET /v1/subjects/{id}', 'POST /v1/subjects', 'POST /v1/subjects/import']);
  });

  it('property: on every route answering a subject, a key without subjects:read never sees an email or phone', async () => {
    const routes = contactRoutes().filter((r) => !(r in CONTACT_EXEMPT));
    const minted = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(fc.subarray(SCOPES.filter((s) => s !== 'subjects:read'), { minLength: 1 }), fc.constantFrom(...routes), fc.constantFrom(...PURPOSES), fc.boolean(), async (scopes, route, stated, statesPurpose) => {
        if (!minted.has(scopes.join())) {
          const res = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: `no subject reader ${minted.size}`, scopes });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          minted.set(scopes.join(), res.body.key);
        }
        const c = call(route, stated, statesPurpose);
        const res = await api.http[c.method](c.path).query(c.query ?? {}).set(bearer(minted.get(scopes.join())!)).send(c.body as object);
        const text = JSON.stringify(res.body ?? '') + (res.text ?? '');
        expect(text, `${route} with ${scopes}`).not.toContain(EMAIL);
        expect(text, `${route} with ${scopes}`).not.toContain(PHONE.slice(1));
        if (route === 'POST /v1/subjects' && scopes.includes('subjects:write')) {
          // The same shape: the subject comes back, its contact fields null.
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ id: subject.id, externalId: subject.externalId, email: null, phone: null });
        }
      }),
      { numRuns: Number(process.env.PURPOSE_RUNS ?? 40) },
    );
  });

  it('regression (red team): a key with only subjects:write gets an existing subject without email or phone; a reader with the same purpose rules as GET sees them', async () => {
    const writer = await createKey(api, brand, ['subjects:write']);
    const again = await api.http.post('/v1/subjects').set(bearer(writer)).send({ externalId: subject.externalId });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...again.body, id: subject.id, email: null, phone: null });
    expect(Object.keys(again.body).sort()).toEqual(['createdAt', 'email', 'externalId', 'id', 'locale', 'phone', 'timezone', 'updatedAt']);
    const both = await createKey(api, brand, ['subjects:write', 'subjects:read']);
    expect((await api.http.post('/v1/subjects').set(bearer(both)).send({ externalId: subject.externalId })).body).toMatchObject({ email: EMAIL, phone: PHONE });
    // A purpose-limited reader states no purpose on POST: no contact data, as on GET without ?purpose.
    const limited = await createKey(api, brand, ['subjects:write', 'subjects:read'], ['email_marketing']);
    expect((await api.http.post('/v1/subjects').set(bearer(limited)).send({ externalId: subject.externalId })).body).toMatchObject({ email: null, phone: null });
  });
});

describe('every read of personal data is in the customer\'s access log', () => {
  it('property: each route marked as logged writes an access record when an unlimited key reads through it', async () => {
    const logged = [...inventory().entries()].filter(([, d]) => d.logged).map(([r]) => r);
    expect(logged).toEqual(expect.arrayContaining(['GET /v1/subjects/{id}/consent-records', 'GET /v1/subjects/{id}/questions/next', 'GET /v1/subjects/{id}/questions/due']));
    for (const route of logged) {
      const c = call(route, 'email_marketing', true);
      const before = await newestAccess();
      const res = await api.http[c.method](c.path).query(c.query ?? {}).set(bearer(brand.key)).send(c.body as object);
      expect(res.status, `${route}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
      if (route === 'POST /v1/audiences/query' && !JSON.stringify(res.body).includes(subject.id)) continue;
      expect(await newestAccess(), `${route} was not logged`).not.toBe(before);
    }
  });

  it('regression (red team): the full consent history and the next question are in the access log', async () => {
    const records = await api.http.get(`/v1/subjects/${subject.id}/consent-records`).set(bearer(brand.key));
    expect(records.status).toBe(200);
    const log = async () => (await api.http.get('/v1/me/access-log').query({ limit: 1 }).set(bearer(customer))).body.data[0];
    expect(await log()).toMatchObject({ kind: 'consents', purpose: null, fields: PURPOSES.map((p) => `consents.${p}`).sort() });
    const next = await api.http.get(`/v1/subjects/${subject.id}/questions/next`).set(bearer(brand.key));
    expect(next.status).toBeLessThan(300);
    expect(await log()).toMatchObject({ kind: 'questions', purpose: null, fields: ['questions'] });
  });
});

describe('a limited key acts only for its purposes', () => {
  /** POST routes whose JSON body names the purpose it acts for (docs/openapi.json). */
  function purposeBodyRoutes(): string[] {
    const doc = openapi as unknown as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>; components: { schemas: Record<string, { properties?: object }> } };
    const out: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      const ref = ops.post?.requestBody?.content?.['application/json']?.schema?.$ref;
      if (ref && 'purpose' in (doc.components.schemas[ref.split('/').pop()!].properties ?? {})) out.push(path);
    }
    return out;
  }
  let scratch: { id: string };
  beforeAll(async () => {
    scratch = await createSubject(api, brand, { locale: 'en' });
  });
  const bodies: Record<string, (purpose: string, granted: boolean) => object> = {
    '/v1/subjects/{id}/consents': (purpose, granted) => ({ purpose, granted }),
    '/v1/subjects/{id}/contacts': (purpose) => ({ purpose, channel: 'email' }),
    '/v1/audiences/query': (purpose) => ({ purpose }),
    '/v1/audiences/count': (purpose) => ({ purpose }),
  };

  it('property: on every route whose body names a purpose, a limited key acts exactly for its own (403 purpose-not-allowed otherwise, nothing written)', async () => {
    const routes = purposeBodyRoutes();
    expect(routes.filter((r) => !bodies[r]), 'add a body for these routes').toEqual([]);
    const minted = new Map<string, string>();
    const consents = async () => (await api.http.get(`/v1/subjects/${scratch.id}/consents`).set(bearer(brand.key))).body;
    await fc.assert(
      fc.asyncProperty(fc.subarray([...PURPOSES]), fc.constantFrom(...routes), fc.constantFrom(...PURPOSES), fc.boolean(), async (purposes, route, purpose, granted) => {
        if (!minted.has(purposes.join())) minted.set(purposes.join(), await createKey(api, brand, ['consents:write', 'audiences:read'], purposes));
        const before = await consents();
        const res = await api.http.post(route.replace('{id}', scratch.id)).set(bearer(minted.get(purposes.join())!)).send(bodies[route](purpose, granted));
        if (purposes.includes(purpose)) {
          expect(res.body?.code, `${route} ${purpose} with ${purposes}: ${JSON.stringify(res.body)}`).not.toBe('purpose-not-allowed');
          if (route.endsWith('/consents')) expect(res.status, JSON.stringify(res.body)).toBe(201);
        } else {
          expect(res.status, `${route} ${purpose} with ${purposes}: ${JSON.stringify(res.body)}`).toBe(403);
          expect(res.body).toMatchObject({ type: '/problems/purpose-not-allowed', code: 'purpose-not-allowed', purpose });
          expect(await consents()).toEqual(before);
        }
      }),
      { numRuns: Number(process.env.PURPOSE_RUNS ?? 60) },
    );
  });

  it('regression (red team): a consents:write key limited to email_marketing cannot record a partner_sharing decision, nor import or erase in bulk', async () => {
    await adoptPurpose(api, brand, 'partner_sharing');
    const key = await createKey(api, brand, ['subjects:write', 'consents:write'], ['email_marketing']);
    const other = await api.http.post(`/v1/subjects/${scratch.id}/consents`).set(bearer(key)).send({ purpose: 'partner_sharing', granted: false });
    expect(other.status).toBe(403);
    expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(other.body).toMatchObject({ code: 'purpose-not-allowed', purpose: 'partner_sharing' });
    expect(other.body.detail).toMatch(/may act only for: email_marketing/);
    const history = (await api.http.get(`/v1/subjects/${scratch.id}/consents`).set(bearer(brand.key))).body;
    expect(JSON.stringify(history)).not.toContain('partner_sharing');
    expect((await api.http.post(`/v1/subjects/${scratch.id}/consents`).set(bearer(key)).send({ purpose: 'email_marketing', granted: true })).status).toBe(201);
    const imported = await api.http.post('/v1/subjects/import').set(bearer(key)).send({ format: 'candor.subject-export/v1' });
    expect(imported.status).toBe(403);
    expect(imported.body.code).toBe('purpose-not-allowed');
    const bulk = await api.http
      .post('/v1/imports')
      .set(bearer(key))
      .set('content-type', 'application/x-ndjson')
      .send(`${JSON.stringify({ type: 'consent', externalId: 'x-1', purpose: 'partner_sharing', granted: false, capturedAt: new Date().toISOString() })}\n`);
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(403);
    expect(bulk.body.code).toBe('purpose-not-allowed');
    // Bulk erasure, like a single erasure request (POST /v1/privacy-requests), takes a key not limited to purposes.
    const compliance = await createKey(api, brand, ['compliance'], ['email_marketing']);
    expect((await api.http.post('/v1/privacy-requests').set(bearer(compliance)).send({ subjectId: scratch.id, type: 'erasure' })).body.code).toBe('purpose-not-allowed');
    const erasure = await api.http.post('/v1/erasure-jobs').set(bearer(compliance)).set('content-type', 'application/x-ndjson').send(`${JSON.stringify({ subjectId: scratch.id })}\n`);
    expect(erasure.status, JSON.stringify(erasure.body)).toBe(403);
    expect(erasure.body.code).toBe('purpose-not-allowed');
    expect((await api.http.get(`/v1/subjects/${scratch.id}`).set(bearer(brand.key))).status).toBe(200);
  });
});

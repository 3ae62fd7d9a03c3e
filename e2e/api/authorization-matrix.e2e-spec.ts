import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS, AUTHORIZATION_MATRIX, expectedStatus, MatrixActor, MatrixRow, routeId } from '../../api/test/authorization-matrix';
import { startApi, TestApi } from '../support/api';
import { bearer, createSubject, grant, signInCustomer } from '../support/factories';
import { buildWorld, freshCustomer, question, World } from '../support/reliability-world';

const openapi = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
const documentedRoutes = Object.entries(openapi.paths).flatMap(([path, ops]) =>
  Object.keys(ops)
    .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
    .map((method) => `${method.toUpperCase()} ${path}`),
);

describe('the authorization matrix covers the API', () => {
  it('has a row for every route in docs/openapi.json (add one when you add a route)', () => {
    const rows = new Set(AUTHORIZATION_MATRIX.map(routeId));
    expect(documentedRoutes.filter((r) => !rows.has(r)), 'routes without a row in api/test/authorization-matrix.ts').toEqual([]);
  });
  it('has no row for a route the API does not document', () => {
    const documented = new Set(documentedRoutes);
    expect(AUTHORIZATION_MATRIX.map(routeId).filter((r) => !documented.has(r))).toEqual([]);
  });
});

interface Call {
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

let api: TestApi;
let world: World;
/** A (pre-fetched) export document of a brand A subject without consents: the import body. */
let exportTemplate: Record<string, any>;
let importJobId: string;
const CATALOG_SKU = 'sleep-lighthouse';
/** A fact key in brand A's dictionary (only A's credentials may read it). */
const FACT_KEY = 'practice_time';

beforeAll(async () => {
  // The matrix runs its cells at once, several uploads of one brand among them: the per-brand upload
  // slots (upload-limits.e2e-spec.ts) are not what this file checks.
  api = await startApi({ env: { CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_UPLOAD_CONCURRENCY: '100', CANDOR_SIGNIN_LIMIT: '0' } }); // every actor asks for the same email's link: the per-email limit has its own spec (rate-limits)
  world = await buildWorld(api);
  // Customer A2 consents to personalization too, so their own recommendations are readable.
  await grant(api, world.a.brand, world.a.subjects[1].id, world.a.ownPurpose);
  const bare = await createSubject(api, world.a.brand);
  const exported = await api.http.get(`/v1/subjects/${bare.id}/export`).set(bearer(world.a.brand.key));
  expect(exported.status).toBe(200);
  exportTemplate = exported.body;
  const job = await api.http
    .post('/v1/imports')
    .set(bearer(world.a.brand.key))
    .set('Content-Type', 'application/x-ndjson')
    .send(`${JSON.stringify({ type: 'subject', externalId: 'bulk-first' })}\n`);
  expect(job.status, JSON.stringify(job.body)).toBe(202);
  importJobId = job.body.id;
  // A catalogue item whose tag matches a fact of A1 (interests, covered by personalization).
  const item = await api.http
    .put(`/v1/catalog/items/${CATALOG_SKU}`)
    .set(bearer(world.a.brand.key))
    .send({ title: 'Lighthouse stories', tags: [{ factKey: 'hobby', value: 'anything', weight: 1 }] });
  expect(item.status, JSON.stringify(item.body)).toBe(200);
  const factKey = await api.http.put(`/v1/fact-keys/${FACT_KEY}`).set(bearer(world.a.brand.key)).send({ category: 'behavior', label: { en: 'Practice time' } });
  expect(factKey.status, JSON.stringify(factKey.body)).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

const tag = () => randomBytes(4).toString('hex');

/** The credential an actor sends; rows that end a session or erase a customer get fresh ones. */
async function credentialOf(actor: MatrixActor, row: MatrixRow): Promise<string | null> {
  const { a, b } = world;
  switch (actor) {
    case 'anonymous':
      return null;
    case 'unknown':
      return `cnd_${randomBytes(24).toString('base64url')}`;
    case 'operator':
      return api.adminKey;
    case 'brandKey':
      return a.brand.key;
    case 'otherBrandKey':
      return b.brand.key;
    case 'customer':
    case 'otherCustomer':
      if (row.path === '/v1/auth/sessions/current' || row.path === '/v1/me/erasure') return (await freshCustomer(api, a.brand)).session;
      return actor === 'customer' ? a.sessions[0] : a.sessions[1];
    default:
      return a.keys[actor.slice('key:'.length) as keyof typeof a.keys];
  }
}

/** A well-formed request for the row, naming brand A's (and customer A1's) records. */
async function callFor(row: MatrixRow, actor: MatrixActor): Promise<Call> {
  const { a } = world;
  const A1 = a.subjects[0].id;
  const brandKey = bearer(a.brand.key);
  switch (routeId(row)) {
    case 'GET /healthz':
    case 'GET /readyz':
    case 'GET /v1/brand':
    case 'GET /v1/api-keys':
    case 'GET /v1/purposes':
    case 'GET /v1/purpose-catalogue':
    case 'GET /v1/questions':
    case 'GET /v1/subjects':
    case 'GET /v1/ledger/verify':
    case 'GET /v1/privacy-requests':
    case 'GET /v1/records-of-processing':
    case 'GET /v1/audit-log':
    case 'GET /v1/webhooks':
    case 'DELETE /v1/auth/sessions/current':
    case 'GET /v1/me':
    case 'GET /v1/me/consents':
    case 'GET /v1/me/preferences':
    case 'GET /v1/me/questions/next':
    case 'GET /v1/me/export':
    case 'GET /v1/me/propagation':
    case 'GET /v1/me/access-log':
    case 'GET /v1/me/preference-changes':
    case 'GET /v1/me/decisions':
      return { path: row.path };
    case 'GET /v1/subjects/{id}/suppressions':
    case 'GET /v1/subjects/{id}/preferences':
      return { path: row.path.replace('{id}', A1) };
    case 'DELETE /v1/subjects/{id}/suppressions/{suppressionId}': {
      const set = await api.http.post(`/v1/subjects/${A1}/suppressions`).set(brandKey).send({ reason: 'open_cart', until: new Date(Date.now() + 60_000).toISOString() });
      expect(set.status, JSON.stringify(set.body)).toBe(201);
      return { path: row.path.replace('{id}', A1).replace('{suppressionId}', set.body.id) };
    }
    case 'PUT /v1/subjects/{id}/preferences': {
      // A subject of brand A made for this call, at version 0: cells do not race on one version.
      const fresh = await createSubject(api, a.brand);
      return { path: row.path.replace('{id}', fresh.id), body: { channels: { sms: { optedIn: false, frequency: 'immediately' } }, source: 'call_centre' }, headers: { 'If-Match': '"prefs-v0"' } };
    }
    case 'POST /v1/me/privacy-requests':
      return { path: row.path, body: { type: 'restriction', details: 'Please pause the use of my order history.' } };
    case 'POST /v1/brands':
      return { path: row.path, body: { slug: `matrix-${tag()}`, name: 'Matrix Brand', defaultLocale: 'en' } };
    case 'GET /v1/brands/by-slug/{slug}':
      return { path: `/v1/brands/by-slug/${a.brand.slug}` };
    case 'POST /v1/api-keys':
      // A key the caller may mint: one with no more than `config:write` (POST /v1/api-keys needs it anyway).
      return { path: row.path, body: { name: `matrix ${tag()}`, scopes: ['config:write'] } };
    case 'DELETE /v1/api-keys/{id}': {
      // A key the caller may revoke: one it could have created (no more than `config:write`, which revoking needs anyway).
      const created = await api.http.post('/v1/api-keys').set(brandKey).send({ name: `doomed ${tag()}`, scopes: ['config:write'] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return { path: `/v1/api-keys/${created.body.id}` };
    }
    case 'POST /v1/purposes':
      return {
        path: row.path,
        body: { key: `matrix_${tag()}`, name: { en: 'Matrix purpose' }, legalBasis: 'consent', dataCategories: ['interests'], channels: ['email'] },
      };
    case 'GET /v1/purposes/{key}':
    case 'GET /v1/purposes/{key}/notices':
      return { path: row.path.replace('{key}', a.ownPurpose) };
    case 'POST /v1/purposes/{key}/notices':
      return { path: row.path.replace('{key}', a.ownPurpose), body: { text: { en: `Notice ${tag()}` } } };
    case 'POST /v1/purpose-catalogue/{key}/adopt': {
      // Each allowed caller adopts a catalogue purpose its brand has not adopted yet.
      const key = ({ 'key:config:write': 'sms_marketing', brandKey: 'customer_care', otherBrandKey: 'partner_sharing' } as Record<string, string>)[actor] ?? 'sms_marketing';
      return { path: `/v1/purpose-catalogue/${key}/adopt` };
    }
    case 'POST /v1/questions':
      return { path: row.path, body: question(`matrix_${tag()}`) };
    case 'PATCH /v1/questions/{key}':
      // As it was: the other cells' questions keep asking the same way.
      return { path: row.path.replace('{key}', a.questionKeys[0]), body: { askBeforeUse: false } };
    case 'PUT /v1/fact-keys/{key}':
      // A new key each time: the first PUT of a key answers 201.
      return { path: `/v1/fact-keys/matrix_${tag()}`, body: { category: 'interests', label: { en: 'Matrix key' }, type: 'number' } };
    case 'GET /v1/fact-keys/{key}':
      return { path: `/v1/fact-keys/${FACT_KEY}` };
    case 'PUT /v1/sources/{key}':
    case 'PUT /v1/topics/{key}':
      return { path: row.path.replace('{key}', `matrix_${tag()}`), body: { label: { en: 'Matrix words' } } };
    case 'GET /v1/fact-keys':
    case 'GET /v1/sources':
    case 'GET /v1/topics':
      return { path: row.path };
    case 'GET /v1/dictionary/missing':
      return { path: row.path, query: { locale: 'pl' } };
    case 'POST /v1/subjects':
      return { path: row.path, body: { externalId: `matrix-${tag()}` } };
    case 'GET /v1/subjects/{id}':
    case 'GET /v1/subjects/{id}/consents':
    case 'GET /v1/subjects/{id}/questions/next':
    case 'GET /v1/subjects/{id}/questions/due':
    case 'POST /v1/subjects/{id}/portal-links':
    case 'GET /v1/subjects/{id}/export':
    case 'GET /v1/subjects/{id}/consent-records':
      return { path: row.path.replace('{id}', A1) };
    case 'POST /v1/subjects/{id}/consents':
      return { path: row.path.replace('{id}', A1), body: { purpose: 'email_marketing', granted: true } };
    case 'GET /v1/subjects/lookup':
      return { path: row.path, query: { type: 'external', value: a.subjects[0].externalId } };
    case 'GET /v1/subjects/{id}/identifiers':
      return { path: row.path.replace('{id}', A1) };
    case 'POST /v1/subjects/{id}/identifiers':
      return { path: row.path.replace('{id}', A1), body: { type: 'external', system: 'matrix', value: `m-${tag()}` } };
    case 'DELETE /v1/subjects/{id}/identifiers/{identifierId}': {
      const added = await api.http.post(`/v1/subjects/${A1}/identifiers`).set(brandKey).send({ type: 'external', system: 'matrix', value: `doomed-${tag()}` });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      return { path: `/v1/subjects/${A1}/identifiers/${added.body.id}` };
    }
    case 'POST /v1/subjects/{id}/merge': {
      // Two records of brand A made for this call: whoever may merge them does.
      const [into, from] = [await createSubject(api, a.brand), await createSubject(api, a.brand)];
      return { path: `/v1/subjects/${into.id}/merge`, body: { fromSubjectId: from.id } };
    }
    case 'POST /v1/subjects/{id}/facts':
      return { path: row.path.replace('{id}', A1), body: { key: 'shoe_size', value: '42', category: 'interests', provenance: 'declared', source: 'matrix' } };
    case 'GET /v1/subjects/{id}/profile':
      return { path: row.path.replace('{id}', A1), query: { purpose: a.ownPurpose } };
    case 'GET /v1/decisions/contact':
      return { path: row.path, query: { subjectId: A1, purpose: 'email_marketing', channel: 'email' } };
    case 'POST /v1/decisions/contact':
      return { path: row.path, body: { checks: [{ subjectId: A1, purpose: 'email_marketing', channel: 'email' }] } };
    case 'POST /v1/subjects/{id}/contacts':
      return { path: row.path.replace('{id}', A1), body: { purpose: 'order_updates', channel: 'email' } };
    case 'POST /v1/subjects/{id}/suppressions':
      return { path: row.path.replace('{id}', A1), body: { reason: 'matrix', until: new Date(Date.now() + 60_000).toISOString() } };
    case 'POST /v1/audiences/query':
    case 'POST /v1/audiences/count':
      return { path: row.path, body: { purpose: 'email_marketing' } };
    case 'POST /v1/privacy-requests':
      return { path: row.path, body: { subjectId: a.subjects[1].id, type: 'access' } };
    case 'GET /v1/privacy-requests/{id}':
      return { path: row.path.replace('{id}', a.privacyRequestId) };
    case 'POST /v1/privacy-requests/{id}/execute':
    case 'POST /v1/privacy-requests/{id}/extend': {
      const pending = await api.http.post('/v1/privacy-requests').set(brandKey).send({ subjectId: a.subjects[1].id, type: 'rectification' });
      expect(pending.status, JSON.stringify(pending.body)).toBe(201);
      return {
        path: row.path.replace('{id}', pending.body.id),
        body: row.path.endsWith('extend') ? { reason: 'records spread over three systems' } : { note: 'done' },
      };
    }
    case 'POST /v1/subjects/import': {
      const doc = structuredClone(exportTemplate);
      doc.subject = { ...doc.subject, externalId: `imported-${tag()}`, email: null, phone: null };
      return { path: row.path, body: doc };
    }
    case 'POST /v1/webhooks':
      return { path: row.path, body: { url: 'http://127.0.0.1:9/matrix', events: ['consent.changed'] } };
    case 'POST /v1/imports':
      return { path: row.path, body: `{"type":"subject","externalId":"matrix-${tag()}"}\n`, headers: { 'Content-Type': 'application/x-ndjson' } };
    case 'GET /v1/imports/{id}': {
      const job = await api.http.post('/v1/imports').set(brandKey).set('Content-Type', 'application/x-ndjson').send(`{"type":"subject","externalId":"matrix-${tag()}"}\n`);
      return { path: row.path.replace('{id}', job.body.id) };
    }
    case 'DELETE /v1/webhooks/{id}': {
      const hook = await api.http.post('/v1/webhooks').set(brandKey).send({ url: 'http://127.0.0.1:9/gone', events: ['fact.changed'] });
      return { path: `/v1/webhooks/${hook.body.id}` };
    }
    case 'GET /v1/webhooks/{id}/deliveries':
      return { path: row.path.replace('{id}', a.webhookId) };
    case 'POST /v1/auth/magic-links':
      return { path: row.path, body: { brand: a.brand.slug, email: a.subjects[0].email } };
    case 'POST /v1/auth/sessions': {
      const link = await api.http.post(`/v1/subjects/${A1}/portal-links`).set(brandKey);
      return { path: row.path, body: { token: link.body.token } };
    }
    case 'POST /v1/me/facts':
      return { path: row.path, body: { key: 'goal', value: 'calm', category: 'motivations' } };
    case 'PATCH /v1/me/facts/{id}':
      return { path: row.path.replace('{id}', a.factIds[0]), body: { value: `corrected-${tag()}` } };
    case 'DELETE /v1/me/facts/{id}': {
      const fact = await api.http.post(`/v1/subjects/${A1}/facts`).set(brandKey).send({ key: `tmp_${tag()}`, value: 'x', category: 'interests', provenance: 'observed', source: 'matrix' });
      return { path: row.path.replace('{id}', fact.body.id) };
    }
    case 'PUT /v1/me/consents/{purpose}':
      return { path: row.path.replace('{purpose}', 'email_marketing'), body: { granted: true } };
    case 'PUT /v1/me/fact-use/{purpose}':
      return { path: row.path.replace('{purpose}', 'email_marketing'), body: { use: 'declared-only' } };
    case 'GET /v1/me/consents/receipts/{id}':
      return { path: row.path.replace('{id}', a.consentEventIds[0]) };
    case 'PUT /v1/me/preferences':
      // The caller's own current version (for callers that can read it).
      return { path: row.path, body: { channels: {}, topics: [`t_${tag()}`] }, headers: { 'If-Match': 'ETAG' } };
    case 'POST /v1/me/questions/{key}/answer':
      return { path: row.path.replace('{key}', a.questionKeys[0]), body: { values: ['yes'] } };
    case 'POST /v1/me/erasure':
      return { path: row.path, body: { confirm: true } };
    case 'GET /v1/audit-log/verify':
    case 'GET /v1/consent-stats':
    case 'POST /v1/retention/run':
    case 'GET /v1/catalog/items':
    case 'GET /v1/staff':
    case 'DELETE /v1/auth/staff-sessions/current':
    case 'GET /v1/staff/me':
    case 'GET /v1/me/recommendations':
      return { path: row.path };
    case 'PUT /v1/purposes/{key}/retention':
      return { path: row.path.replace('{key}', a.ownPurpose), body: { days: 730 } };
    case 'POST /v1/imports':
      return {
        path: row.path,
        headers: { 'Content-Type': 'application/x-ndjson' },
        body: `${JSON.stringify({ type: 'subject', externalId: `bulk-${tag()}` })}\n`,
      };
    case 'GET /v1/imports/{id}':
      return { path: row.path.replace('{id}', importJobId) };
    case 'POST /v1/erasure-jobs': {
      // A subject of brand A made for this call: whoever may erase it does.
      const doomed = await api.http.post('/v1/subjects').set(brandKey).send({ externalId: `matrix-erase-${tag()}` });
      expect(doomed.status, JSON.stringify(doomed.body)).toBe(201);
      return { path: row.path, headers: { 'Content-Type': 'application/x-ndjson' }, body: `${JSON.stringify({ subjectId: doomed.body.id })}\n` };
    }
    case 'GET /v1/erasure-jobs/{id}': {
      const job = await api.http.post('/v1/erasure-jobs').set(brandKey).set('Content-Type', 'application/x-ndjson').send(`{"externalId":"matrix-nobody-${tag()}"}\n`);
      expect(job.status, JSON.stringify(job.body)).toBe(202);
      return { path: row.path.replace('{id}', job.body.id) };
    }
    case 'PUT /v1/catalog/items/{sku}':
      return { path: row.path.replace('{sku}', `sku-${tag()}`), body: { title: 'Sleep stories', tags: [{ factKey: 'motivation', value: 'calm', weight: 1 }] } };
    case 'POST /v1/catalog/items/bulk':
      return { path: row.path, body: { items: [{ sku: `sku-${tag()}`, title: 'Breathing', tags: [] }] } };
    case 'POST /v1/recommendations':
      return { path: row.path, body: { subjectId: A1 } };
    case 'POST /v1/explanations/validate':
      return { path: row.path, body: { subjectId: A1, sku: CATALOG_SKU, because: [a.factIds[1]] } };
    case 'POST /v1/me/recommendations/{sku}/feedback':
      return { path: row.path.replace('{sku}', CATALOG_SKU), body: { kind: 'not_relevant' } };
    case 'POST /v1/staff':
      return { path: row.path, body: { email: `staff.${tag()}@example.com`, name: 'Astrid Berg', role: 'viewer' } };
    case 'DELETE /v1/staff/{id}': {
      const staff = await api.http.post('/v1/staff').set(brandKey).send({ email: `gone.${tag()}@example.com`, name: 'Leaving', role: 'viewer' });
      expect(staff.status, JSON.stringify(staff.body)).toBe(201);
      return { path: row.path.replace('{id}', staff.body.id) };
    }
    case 'POST /v1/auth/staff-links':
      return { path: row.path, body: { brand: a.brand.slug, email: 'nobody@example.com' } };
    case 'POST /v1/auth/staff-sessions':
      return { path: row.path, body: { token: `ssl_${'x'.repeat(32)}` } };
    case 'GET /v1/erasure-receipts/{token}':
      return { path: row.path.replace('{token}', `cer_${'x'.repeat(43)}`) };
    case 'DELETE /v1/subjects/{id}/unsubscribe-links':
      return { path: row.path.replace('{id}', A1), query: { purpose: 'email_marketing' } };
    case 'GET /v1/unsubscribe/{token}':
    case 'POST /v1/unsubscribe/{token}': {
      // A real link of a fresh subscriber, as an allowed email decision hands it out.
      const subject = await createSubject(api, a.brand, { email: `subscriber.${tag()}@example.com` });
      await grant(api, a.brand, subject.id, 'email_marketing');
      const decision = await api.http.get('/v1/decisions/contact').query({ subjectId: subject.id, purpose: 'email_marketing', channel: 'email' }).set(brandKey);
      expect(decision.body.unsubscribe, JSON.stringify(decision.body)).toBeDefined();
      const path = `/v1/unsubscribe/${String(decision.body.unsubscribe.url).split('/unsubscribe/')[1]}`;
      return row.method === 'post' ? { path, body: { 'List-Unsubscribe': 'One-Click' } } : { path };
    }
    case 'GET /v1/consent-confirmations/{token}':
      return { path: row.path.replace('{token}', `cco_${'x'.repeat(43)}`) };
    case 'POST /v1/consent-confirmations/{token}':
      return { path: row.path.replace('{token}', `cco_${'x'.repeat(43)}`), body: { confirm: true } };
  }
  throw new Error(`no request for ${routeId(row)}: add one to this file`);
}

interface CellResult {
  route: string;
  actor: MatrixActor;
  expected: number;
  actual: number;
  problem: string;
}

async function runCell(row: MatrixRow, actor: MatrixActor): Promise<CellResult> {
  const call = await callFor(row, actor);
  const credential = await credentialOf(actor, row);
  let req = api.http[row.method](call.path);
  if (credential) req = req.set(bearer(credential));
  for (const [name, value] of Object.entries(call.headers ?? {})) {
    let header = value;
    if (value === 'ETAG') {
      const current = credential ? await api.http.get('/v1/me/preferences').set(bearer(credential)) : null;
      header = current?.headers.etag ?? '"prefs-v0"';
    }
    req = req.set(name, header);
  }
  if (call.query) req = req.query(call.query);
  const res = call.body === undefined ? await req : await req.send(call.body as object);
  const expected = expectedStatus(row, actor);
  let problem = '';
  if (res.status >= 400) {
    if (!/^application\/problem\+json/.test(res.headers['content-type'] ?? '')) problem = `not problem+json: ${res.headers['content-type']}`;
    else if (res.body.status !== res.status) problem = `problem status ${res.body.status}`;
    if (res.status === 401 && !res.headers['www-authenticate']) problem = 'no WWW-Authenticate';
  }
  // Brand B's key and customer A2 reach only their own data: A's ids never appear in what they get.
  // (Public routes answer whoever holds the token or slug; ids the caller sent may be echoed.)
  if (res.status < 300 && !row.public && (actor === 'otherBrandKey' || actor === 'otherCustomer')) {
    const text = JSON.stringify(res.body ?? '') + (res.text ?? '');
    const sent = JSON.stringify(call);
    const secrets = actor === 'otherBrandKey' ? [world.a.brand.id, ...world.a.subjects.map((s) => s.id), ...world.a.factIds] : [world.a.subjects[0].id, ...world.a.factIds];
    const leaked = secrets.filter((s) => text.includes(s) && !sent.includes(s));
    if (leaked.length) problem = `leaked ${leaked.join(', ')}`;
  }
  if (res.status !== expected && !problem) problem = JSON.stringify(res.body).slice(0, 300);
  return { route: routeId(row), actor, expected, actual: res.status, problem };
}

describe('the authorization matrix against the running API', () => {
  it('gives every actor exactly the status the matrix says, on every route', async () => {
    const started = Date.now();
    const cells = AUTHORIZATION_MATRIX.flatMap((row) => ACTORS.map((actor) => ({ row, actor })));
    const results: CellResult[] = [];
    // A few cells at a time: fast enough, and every cell prepares its own records.
    const queue = [...cells];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let cell = queue.shift(); cell; cell = queue.shift()) results.push(await runCell(cell.row, cell.actor));
      }),
    );
    const wrong = results.filter((r) => r.actual !== r.expected || r.problem);
    console.log(
      `authorization matrix: ${AUTHORIZATION_MATRIX.length} routes × ${ACTORS.length} actors = ${results.length} cells, ` +
        `${wrong.length} wrong, ${Date.now() - started} ms`,
    );
    expect(wrong.map((r) => `${r.route} as ${r.actor}: expected ${r.expected}, got ${r.actual} ${r.problem}`)).toEqual([]);
  });
});

describe('credentials that stop working', () => {
  it('answers 401 to a revoked key and to the session of a customer who signed out', async () => {
    const created = await api.http.post('/v1/api-keys').set(bearer(world.a.brand.key)).send({ name: 'to revoke', scopes: ['subjects:read'] });
    expect((await api.http.get('/v1/subjects').set(bearer(created.body.key))).status).toBe(200);
    expect((await api.http.delete(`/v1/api-keys/${created.body.id}`).set(bearer(world.a.brand.key))).status).toBe(204);
    expect((await api.http.get('/v1/subjects').set(bearer(created.body.key))).status).toBe(401);
    const customer = await signInCustomer(api, world.a.brand, world.a.subjects[2].id);
    expect((await api.http.delete('/v1/auth/sessions/current').set(bearer(customer))).status).toBe(204);
    expect((await api.http.get('/v1/me').set(bearer(customer))).status).toBe(401);
  });
});

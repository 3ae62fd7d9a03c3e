import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZATION_MATRIX, routeId } from '../../api/test/authorization-matrix';
import { startApi, TestApi } from '../support/api';
import { bearer, grant, TestBrand } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';
import { buildWorld, TenantWorld, World } from '../support/reliability-world';

/**
 * Cursors are opaque: every list route of docs/openapi.json (every operation with a `cursor`
 * query parameter or body field) is sent forged, truncated, mistyped, bit-flipped, oversized,
 * other-list, other-brand and other-owner cursors, and must answer a 4xx problem document (422
 * `validation-failed` on `cursor`), never a 5xx; a genuine cursor walks the whole list, every
 * item once. Brand lists are walked with the brand's key and with a staff session, customer
 * lists with a customer's session. Every list is seeded past two pages of two (the due follow-ups of
 * a subject too).
 */

const openapi = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8'));
type Schema = { $ref?: string; properties?: Record<string, unknown>; required?: string[] };
const deref = (s: Schema | undefined): Schema => {
  let schema = s ?? {};
  while (schema.$ref) schema = openapi.components.schemas[schema.$ref.split('/').pop()!];
  return schema;
};
interface ListOp {
  method: string;
  path: string;
  /** Where the cursor goes. */
  cursorIn: 'query' | 'body';
  requiredBody: string[];
}
const LIST_OPS: ListOp[] = Object.entries(openapi.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
  Object.entries(ops).flatMap(([method, op]): ListOp[] => {
    const inQuery = (op.parameters ?? []).some((p: { in: string; name: string }) => p.in === 'query' && p.name === 'cursor');
    const body = op.requestBody ? deref(op.requestBody.content?.['application/json']?.schema) : null;
    const inBody = !!body?.properties && 'cursor' in body.properties;
    if (!inQuery && !inBody) return [];
    return [{ method: method.toUpperCase(), path, cursorIn: inQuery ? 'query' : 'body', requiredBody: body?.required ?? [] }];
  }),
);

let api: TestApi;
let mail: MailCatcher;
let world: World;
/** A staff admin session per brand. */
const staff: Record<'a' | 'b', string> = { a: '', b: '' };
/** A second webhook of brand A, for cursors of one webhook replayed on another. */
let secondWebhook = '';

type Who = 'key' | 'staff' | 'customer';
const rowOf = (op: ListOp) => AUTHORIZATION_MATRIX.find((r) => routeId(r) === `${op.method} ${op.path}`);
/** What identifies an item of a list: its id, else its key, SKU, event id or JSON-LD identifier. */
const idOf = (item: Record<string, unknown>): string => String(item.id ?? item.key ?? item.sku ?? item.eventId ?? item['dct:identifier']);
const isCustomerList = (op: ListOp) => op.path.startsWith('/v1/me/');

/** The credentials that may walk `op`: the brand key and staff for brand lists, the customer for `/v1/me`. */
function walkers(op: ListOp): Who[] {
  return isCustomerList(op) ? ['customer'] : ['key', 'staff'];
}

function credential(t: 'a' | 'b', who: Who, customerIndex = 0): string {
  const tenant: TenantWorld = world[t];
  if (who === 'customer') return tenant.sessions[customerIndex as 0 | 1];
  if (who === 'staff') return staff[t];
  return tenant.brand.key;
}

interface Call {
  op: ListOp;
  t: 'a' | 'b';
  who: Who;
  cursor?: string;
  limit?: number;
  /** The list of the other parent (another webhook, subject or purpose) than the one walked. */
  otherParent?: boolean;
  customerIndex?: number;
}

/** The parent a list of one parent is read under: a webhook's deliveries, a subject's consent records, a purpose's notices. */
function parentOf(c: Call): string {
  const tenant = world[c.t];
  if (c.op.path.startsWith('/v1/webhooks/')) return c.otherParent ? secondWebhook : tenant.webhookId;
  if (c.op.path.startsWith('/v1/subjects/')) return tenant.subjects[c.otherParent ? 1 : 0].id;
  if (c.op.path.startsWith('/v1/purposes/')) return c.otherParent ? 'order_updates' : 'email_marketing';
  throw new Error(`no parent known for ${c.op.path}`);
}

async function call(c: Call) {
  const path = c.op.path.replace(/\{(id|key)\}/, () => parentOf(c));
  const token = credential(c.t, c.who, c.customerIndex);
  if (c.op.cursorIn === 'body') {
    const body: Record<string, unknown> = { limit: c.limit ?? 2 };
    for (const name of c.op.requiredBody) if (name === 'purpose') body.purpose = 'email_marketing';
    if (c.cursor !== undefined) body.cursor = c.cursor;
    return api.http[c.op.method.toLowerCase() as 'post'](path).set(bearer(token)).send(body);
  }
  const query: Record<string, string | number> = { limit: c.limit ?? 2 };
  if (c.cursor !== undefined) query.cursor = c.cursor;
  return api.http[c.op.method.toLowerCase() as 'get'](path).set(bearer(token)).query(query);
}

/** Every id of a list, page by page with the cursors it hands out. */
async function walk(c: Call): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const res = await call({ ...c, cursor });
    expect(res.status, `${c.op.path} page ${pages + 1}: ${JSON.stringify(res.body)}`).toBe(200);
    pages++;
    ids.push(...res.body.data.map(idOf));
    if (res.body.nextCursor === null) return { ids, pages };
    expect(typeof res.body.nextCursor).toBe('string');
    cursor = res.body.nextCursor;
    expect(pages).toBeLessThan(200);
  }
}

/** A genuine cursor of a list (its first page's `nextCursor`). */
async function genuine(c: Call): Promise<string> {
  const res = await call({ ...c, limit: 1 });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(typeof res.body.nextCursor, `${c.op.path} must have a second page`).toBe('string');
  return res.body.nextCursor;
}

beforeAll(async () => {
  mail = await new MailCatcher().start();
  api = await startApi({ env: { SMTP_URL: mail.url, PORTAL_URL: 'http://portal.test', CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0' } });
  world = await buildWorld(api, { subjectsPerBrand: 5 });
  for (const t of ['a', 'b'] as const) {
    const brand: TestBrand = world[t].brand;
    const email = `dpo-${t}@example.com`;
    expect((await api.http.post('/v1/staff').set(bearer(brand.key)).send({ email, name: `DPO ${t}`, role: 'admin' })).status).toBe(201);
    expect((await api.http.post('/v1/auth/staff-links').send({ brand: brand.slug, email })).status).toBe(202);
    const token = await mail.find(email, new RegExp(`http://portal\\.test/${brand.slug}/admin/link/(ssl_[A-Za-z0-9_-]+)`));
    const session = await api.http.post('/v1/auth/staff-sessions').send({ token });
    expect(session.status).toBe(201);
    staff[t] = session.body.sessionToken;
    // Seed every list past two pages: audience members and webhook deliveries (consents),
    // access records of both customers (profile reads), privacy requests.
    const tenant = world[t];
    for (const s of tenant.subjects) await grant(api, brand, s.id, 'email_marketing');
    for (const s of tenant.subjects.slice(0, 2)) {
      for (let i = 0; i < 3; i++) {
        const read = await api.http.get(`/v1/subjects/${s.id}/profile`).set(bearer(brand.key)).query({ purpose: 'email_marketing' });
        expect(read.status, JSON.stringify(read.body)).toBe(200);
      }
    }
    for (const s of tenant.subjects.slice(0, 3)) {
      expect((await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: s.id, type: 'access' })).status).toBe(201);
    }
    // Suppressions of the first two subjects, and preference changes of both customers.
    for (const s of tenant.subjects.slice(0, 2)) {
      for (let i = 0; i < 3; i++) {
        const until = new Date(Date.now() + (i + 1) * 3600_000).toISOString();
        expect((await api.http.post(`/v1/subjects/${s.id}/suppressions`).set(bearer(brand.key)).send({ reason: `reason_${i}`, until })).status).toBe(201);
      }
    }
    for (const session of tenant.sessions) {
      for (const frequency of ['daily', 'weekly', 'monthly']) {
        const read = await api.http.get('/v1/me/preferences').set(bearer(session));
        const saved = await api.http.put('/v1/me/preferences').set(bearer(session)).set('If-Match', read.headers.etag).send({ channels: { sms: { optedIn: true, frequency } } });
        expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      }
    }
    // Identifiers of the two subjects whose lists are walked (another system's ids).
    for (const [n, s] of tenant.subjects.slice(0, 2).entries()) {
      for (const system of ['loyalty', 'call-centre', 'webshop']) {
        const added = await api.http.post(`/v1/subjects/${s.id}/identifiers`).set(bearer(brand.key)).send({ type: 'external', system, value: `${t}-${n}-${system}` });
        expect(added.status, JSON.stringify(added.body)).toBe(201);
      }
    }
    // The data dictionary: fact keys, sources and topics.
    for (const key of ['motivation_a', 'motivation_b', 'motivation_c']) {
      const label = { en: key.replace('_', ' ') };
      expect((await api.http.put(`/v1/fact-keys/${key}`).set(bearer(brand.key)).send({ category: 'motivations', label })).status).toBe(201);
      expect((await api.http.put(`/v1/sources/${key}`).set(bearer(brand.key)).send({ label })).status).toBe(201);
      expect((await api.http.put(`/v1/topics/${key}`).set(bearer(brand.key)).send({ label })).status).toBe(201);
    }
  }
  const hook = await api.http.post('/v1/webhooks').set(bearer(world.a.brand.key)).send({ url: 'http://127.0.0.1:9/other', events: ['consent.changed'] });
  expect(hook.status).toBe(201);
  secondWebhook = hook.body.id;
  // Configuration lists past two pages too: webhooks, staff, notices (of two purposes), catalogue items.
  for (const t of ['a', 'b'] as const) {
    const key = bearer(world[t].brand.key);
    for (let i = 0; i < 2; i++) {
      expect((await api.http.post('/v1/webhooks').set(key).send({ url: `http://127.0.0.1:9/more-${i}`, events: ['subject.erased'] })).status).toBe(201);
      expect((await api.http.post('/v1/staff').set(key).send({ email: `viewer-${i}-${t}@example.com`, name: `Viewer ${i}`, role: 'viewer' })).status).toBe(201);
      for (const purpose of ['email_marketing', 'order_updates']) {
        expect((await api.http.post(`/v1/purposes/${purpose}/notices`).set(key).send({ text: { en: `Version ${i + 2} of ${purpose}` } })).status).toBe(201);
      }
    }
    for (const sku of ['item-a', 'item-b', 'item-c']) {
      expect((await api.http.put(`/v1/catalog/items/${sku}`).set(key).send({ title: sku, tags: [] })).status).toBe(200);
    }
  }
  // Due follow-ups of the first two customers of each brand: three questions due at once after a fact each has.
  for (const t of ['a', 'b'] as const) {
    const tenant = world[t];
    for (const thing of ['kettle', 'grinder', 'scale']) {
      const question = {
        key: `${thing}_checkin`,
        text: { en: `How is the ${thing}?` },
        factKey: `${thing}_state`,
        category: 'behavior',
        options: [{ value: 'fine', label: { en: 'Fine' } }, { value: 'broken', label: { en: 'Broken' } }],
        after: { factKey: `owns_${thing}`, days: 0 },
      };
      expect((await api.http.post('/v1/questions').set(bearer(tenant.brand.key)).send(question)).status).toBe(201);
      for (const s of tenant.subjects.slice(0, 2)) {
        const fact = { key: `owns_${thing}`, value: 'yes', category: 'behavior', provenance: 'observed', source: 'order' };
        expect((await api.http.post(`/v1/subjects/${s.id}/facts`).set(bearer(tenant.brand.key)).send(fact)).status).toBe(201);
      }
    }
  }
  // Consent changes after the second webhook exists give both webhooks deliveries.
  for (const s of world.a.subjects.slice(1)) await grant(api, world.a.brand, s.id, world.a.ownPurpose);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await mail?.stop();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const FORGED: string[] = [
  b64({ id: 1 }),
  b64({ id: 'zz' }),
  b64({ id: null }),
  b64({ id: ['00000000-0000-0000-0000-000000000000'] }),
  b64({ at: 'yesterday', id: '00000000-0000-0000-0000-000000000000' }),
  b64({ at: 1, id: 2 }),
  b64({ due: '2026-01-01T00:00:00.000Z', id: "' OR 1=1 --" }),
  b64({ at: '2026-13-45T99:99:99.000Z', id: '00000000-0000-0000-0000-000000000000' }),
  b64({ id: '00000000-0000-0000-0000-000000000000' }),
  b64({ at: '2026-01-01T00:00:00.000Z', id: '00000000-0000-0000-0000-000000000000' }),
  b64({ due: '2026-01-01T00:00:00.000Z', id: '00000000-0000-0000-0000-000000000000' }),
  b64([]),
  b64(null),
  b64('text'),
  b64({}),
  'not a cursor',
  '%%%',
  '====',
  'x'.repeat(513),
  'A'.repeat(10_000),
  '\u0000',
  'ä',
];

type Attack =
  | { kind: 'forged'; index: number }
  | { kind: 'garbage'; text: string }
  | { kind: 'truncated'; keep: number }
  | { kind: 'bit-flipped'; bit: number }
  | { kind: 'extended'; tail: string }
  | { kind: 'other-list'; index: number }
  | { kind: 'other-brand' }
  | { kind: 'other-owner' };

const attackArb: fc.Arbitrary<Attack> = fc.oneof(
  fc.record({ kind: fc.constant('forged' as const), index: fc.nat(FORGED.length - 1) }),
  fc.record({ kind: fc.constant('garbage' as const), text: fc.string({ minLength: 1, maxLength: 600 }) }),
  fc.record({ kind: fc.constant('truncated' as const), keep: fc.nat(1000) }),
  fc.record({ kind: fc.constant('bit-flipped' as const), bit: fc.nat(10_000) }),
  fc.record({ kind: fc.constant('extended' as const), tail: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) }),
  fc.record({ kind: fc.constant('other-list' as const), index: fc.nat(50) }),
  fc.constant({ kind: 'other-brand' as const }),
  fc.constant({ kind: 'other-owner' as const }),
) as fc.Arbitrary<Attack>;

describe('cursors of every list route in docs/openapi.json', () => {
  it('discovers the list routes, customer and staff lists among them', () => {
    const paths = LIST_OPS.map((op) => `${op.method} ${op.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'GET /v1/subjects', 'POST /v1/audiences/query', 'GET /v1/webhooks/{id}/deliveries', 'GET /v1/me/access-log', 'GET /v1/catalog/items',
        'GET /v1/api-keys', 'GET /v1/purposes', 'GET /v1/purposes/{key}/notices', 'GET /v1/purpose-catalogue', 'GET /v1/questions', 'GET /v1/staff',
        'GET /v1/webhooks', 'GET /v1/me/consents', 'GET /v1/me/propagation', 'GET /v1/subjects/{id}/consent-records', 'GET /v1/audit-log',
        'GET /v1/subjects/{id}/suppressions', 'GET /v1/me/preference-changes', 'GET /v1/subjects/{id}/questions/due',
      ]),
    );
    for (const op of LIST_OPS) expect(rowOf(op), `${op.method} ${op.path} has an authorization row`).toBeDefined();
  });

  it('walks every list with its own cursors: every item once, by key, staff and customer alike', async () => {
    for (const op of LIST_OPS) {
      for (const who of walkers(op)) {
        const c: Call = { op, t: 'a', who };
        const all = await call({ ...c, limit: 200 });
        if (who === 'staff' && all.status === 403) continue; // a list staff may not read
        expect(all.status, `${op.path} by ${who}: ${JSON.stringify(all.body)}`).toBe(200);
        expect(all.body.nextCursor).toBeNull();
        const expected = all.body.data.map(idOf);
        expect(expected.length, `${op.path} is seeded past two pages`).toBeGreaterThanOrEqual(3);
        const walked = await walk(c);
        expect(walked.pages, op.path).toBeGreaterThanOrEqual(2);
        expect(new Set(walked.ids).size, `${op.path} by ${who}: no item twice`).toBe(walked.ids.length);
        expect(walked.ids, `${op.path} by ${who}`).toEqual(expected);
      }
    }
  }, 60_000);

  it('answers forged, truncated, mistyped, bit-flipped, oversized and replayed cursors with 422 problems', async () => {
    // Genuine cursors of every list, of both brands, and of the other owner where a list has one.
    const own = new Map<ListOp, string>();
    const ofB = new Map<ListOp, string>();
    const ofOtherOwner = new Map<ListOp, string>();
    for (const op of LIST_OPS) {
      const who = walkers(op)[0];
      own.set(op, await genuine({ op, t: 'a', who }));
      ofB.set(op, await genuine({ op, t: 'b', who }));
      if (isCustomerList(op)) ofOtherOwner.set(op, await genuine({ op, t: 'a', who, customerIndex: 1 }));
      else if (/\{(id|key)\}/.test(op.path)) ofOtherOwner.set(op, await genuine({ op, t: 'a', who, otherParent: true }));
    }
    const cases = fc.sample(fc.tuple(fc.nat(LIST_OPS.length - 1), fc.nat(2), attackArb), { numRuns: 50 * LIST_OPS.length, seed: 20_261_203 });
    const failures: string[] = [];
    const byKind: Record<string, number> = {};
    for (const [opIndex, whoIndex, attack] of cases) {
      const op = LIST_OPS[opIndex];
      const whoList = walkers(op);
      const who = whoList[whoIndex % whoList.length];
      const cursor = own.get(op)!;
      const bytes = Buffer.from(cursor, 'base64url');
      let sent: string;
      switch (attack.kind) {
        case 'forged':
          sent = FORGED[attack.index];
          break;
        case 'garbage':
          sent = attack.text;
          break;
        case 'truncated':
          sent = cursor.slice(0, 1 + (attack.keep % (cursor.length - 1)));
          break;
        case 'bit-flipped': {
          const flipped = Buffer.from(bytes);
          const bit = attack.bit % (flipped.length * 8);
          flipped[bit >> 3] ^= 1 << (bit & 7);
          sent = flipped.toString('base64url');
          break;
        }
        case 'extended':
          sent = cursor + attack.tail;
          break;
        case 'other-list': {
          const others = LIST_OPS.filter((o) => o !== op);
          sent = own.get(others[attack.index % others.length])!;
          break;
        }
        case 'other-brand':
          sent = ofB.get(op)!;
          break;
        case 'other-owner':
          sent = ofOtherOwner.get(op) ?? ofB.get(op)!;
          break;
      }
      byKind[attack.kind] = (byKind[attack.kind] ?? 0) + 1;
      const res = await call({ op, t: 'a', who, cursor: sent });
      const what = `${op.method} ${op.path} by ${who} [${attack.kind}] → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      if (res.status === 403 && who === 'staff') continue;
      if (res.status !== 422) failures.push(`not 422: ${what}`);
      else if (!/^application\/problem\+json/.test(res.headers['content-type'] ?? '')) failures.push(`not problem+json: ${what}`);
      else if (!String(res.body.type).endsWith('validation-failed')) failures.push(`wrong type: ${what}`);
      else if (!res.body.errors?.some((e: { path: string }) => e.path === 'cursor')) failures.push(`does not name cursor: ${what}`);
    }
    expect(failures.slice(0, 20)).toEqual([]);
    // Every kind of attack was tried.
    expect(Object.keys(byKind).sort()).toEqual(['bit-flipped', 'extended', 'forged', 'garbage', 'other-brand', 'other-list', 'other-owner', 'truncated']);
  }, 120_000);

  it('hides the position: a cursor reveals no id or timestamp of the list', async () => {
    for (const op of LIST_OPS) {
      const c: Call = { op, t: 'a', who: walkers(op)[0] };
      const page = await call({ ...c, limit: 1 });
      const cursor: string = page.body.nextCursor;
      const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
      for (const item of page.body.data as Array<Record<string, unknown>>) {
        expect(decoded).not.toContain(idOf(item));
        expect(decoded).not.toContain(idOf(item).replace(/-/g, ''));
      }
      expect(decoded).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    }
  }, 30_000);
});

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, grant, recordFact, signInCustomer, TestBrand } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';

/**
 * Property: no credential creates a credential or a grant of power holding more than itself.
 * For every kind of creator (brand keys with random scopes and purposes, each staff role, the
 * operator, a customer) and every route that creates a credential — discovered from
 * docs/openapi.json as the authenticated POST routes whose 201 answer carries a secret, a key or a
 * role — random requests succeed exactly when the contract's rule says so, and what the created
 * credential can then do (probed against the API) is never more than what its creator can do.
 */

const SCOPES = [
  'subjects:write', 'subjects:read', 'consents:write', 'consents:read', 'profiles:read', 'audiences:read',
  'recommendations:read', 'catalog:write', 'webhooks:manage', 'config:write', 'compliance',
] as const;
type Scope = (typeof SCOPES)[number];
const ROLES = ['viewer', 'compliance', 'admin'] as const;
type Role = (typeof ROLES)[number];
const PURPOSES = ['email_marketing', 'personalization'] as const;
/** What a customer session can do to its subject, in brand-key terms (see docs/api-guide.md). */
const CUSTOMER_SESSION_SCOPES: readonly Scope[] = ['subjects:read', 'subjects:write', 'consents:read', 'consents:write', 'profiles:read', 'recommendations:read', 'compliance'];

const openapi = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { security?: unknown[]; responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string; properties?: object; allOf?: Array<{ $ref?: string; properties?: object }> } }> }> }>>;
  components: { schemas: Record<string, { properties?: object; allOf?: Array<{ $ref?: string; properties?: object }> }> };
};
// (`key` alone names purposes, facts and questions too; an issued API key also carries `scopes`.)
const GRANTING_FIELDS = ['token', 'sessionToken', 'apiKey', 'secret', 'role', 'scopes'];

/** The authenticated POST routes whose 201 answer hands out a credential, a secret or a role. */
function creatingRoutes(): string[] {
  const propsOf = (schema: { $ref?: string; properties?: object; allOf?: Array<{ $ref?: string; properties?: object }> } | undefined): string[] => {
    if (!schema) return [];
    if (schema.$ref) return propsOf(openapi.components.schemas[schema.$ref.split('/').pop()!]);
    return [...Object.keys(schema.properties ?? {}), ...(schema.allOf ?? []).flatMap(propsOf)];
  };
  const out: string[] = [];
  for (const [path, ops] of Object.entries(openapi.paths)) {
    const post = ops.post;
    if (!post?.security?.length) continue;
    const props = propsOf(post.responses?.['201']?.content?.['application/json']?.schema);
    if (props.some((p) => GRANTING_FIELDS.includes(p))) out.push(path);
  }
  return out;
}

type Creator =
  | { kind: 'key'; scopes: Scope[]; purposes: string[] | null }
  | { kind: 'staff'; role: Role }
  | { kind: 'operator' }
  | { kind: 'customer' };


/** Every item of a list, page by page (lists page: 50 items by default). */
async function everyItem(path: string, key: string): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  do {
    const res = await api.http.get(path).query({ limit: 200, ...(cursor ? { cursor } : {}) }).set(bearer(key));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    items.push(...res.body.data);
    cursor = res.body.nextCursor ?? undefined;
  } while (cursor);
  return items;
}
let api: TestApi;
let mail: MailCatcher;
let brand: TestBrand;
let subject: { id: string; externalId: string };
const EMAIL = `probe.${randomBytes(3).toString('hex')}@example.com`;
const staffSessions = {} as Record<Role, string>;
let customerSession: string;
const tokens = new Map<string, string>();
const creatorProbes = new Map<string, Set<string>>();

async function signInStaff(email: string): Promise<string> {
  expect((await api.http.post('/v1/auth/staff-links').send({ brand: brand.slug, email })).status).toBe(202);
  const token = await mail.find(email, new RegExp(`http://portal\\.test/${brand.slug}/admin/link/(ssl_[A-Za-z0-9_-]+)`));
  const session = await api.http.post('/v1/auth/staff-sessions').send({ token });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return session.body.sessionToken;
}

beforeAll(async () => {
  mail = await new MailCatcher().start();
  api = await startApi({ env: { SMTP_URL: mail.url, PORTAL_URL: 'http://portal.test', CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0' } });
  brand = await createBrand(api, 'Grant Fjord');
  for (const p of PURPOSES) await adoptPurpose(api, brand, p);
  subject = await createSubject(api, brand, { email: EMAIL, locale: 'en' });
  for (const p of PURPOSES) await grant(api, brand, subject.id, p);
  await recordFact(api, brand, subject.id, { key: 'goal', value: 'sleep_better', category: 'motivations' });
  for (const role of ROLES) {
    const email = `${role}.${randomBytes(3).toString('hex')}@example.com`;
    expect((await api.http.post('/v1/staff').set(bearer(brand.key)).send({ email, name: role, role })).status).toBe(201);
    staffSessions[role] = await signInStaff(email);
  }
  customerSession = await signInCustomer(api, brand, subject.id);
});
afterAll(async () => {
  await api?.close();
  await mail?.stop();
});

const creatorId = (c: Creator) => JSON.stringify(c);

async function tokenOf(c: Creator): Promise<string> {
  switch (c.kind) {
    case 'operator':
      return api.adminKey;
    case 'customer':
      return customerSession;
    case 'staff':
      return staffSessions[c.role];
    case 'key': {
      const id = creatorId(c);
      if (!tokens.has(id)) {
        const res = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'creator', scopes: c.scopes, ...(c.purposes ? { purposes: c.purposes } : {}) });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        tokens.set(id, res.body.key);
      }
      return tokens.get(id)!;
    }
  }
}

/** What a brand credential can actually do to brand A and its subject: the names of the probes that succeed. */
async function probeBrandCredential(token: string): Promise<Set<string>> {
  const S = subject.id;
  const probes: Array<[string, () => Promise<boolean>]> = [
    ['subject', async () => (await api.http.get(`/v1/subjects/${S}`).set(bearer(token))).status === 200],
    ['subject.contact', async () => (await api.http.get(`/v1/subjects/${S}`).set(bearer(token))).body?.email === EMAIL],
    ...PURPOSES.map((p): [string, () => Promise<boolean>] => [`profile:${p}`, async () => (await api.http.get(`/v1/subjects/${S}/profile`).query({ purpose: p }).set(bearer(token))).status === 200]),
    ['consents', async () => (await api.http.get(`/v1/subjects/${S}/consents`).set(bearer(token))).status === 200],
    ['recommendations', async () => (await api.http.post('/v1/recommendations').set(bearer(token)).send({ subjectId: S })).status === 200],
    ['export', async () => (await api.http.get(`/v1/subjects/${S}/export`).set(bearer(token))).status === 200],
    ['privacy-requests', async () => (await api.http.get('/v1/privacy-requests').set(bearer(token))).status === 200],
    ['audit-log', async () => (await api.http.get('/v1/audit-log').set(bearer(token))).status === 200],
    ['api-keys', async () => (await api.http.get('/v1/api-keys').set(bearer(token))).status === 200],
    ['staff', async () => (await api.http.get('/v1/staff').set(bearer(token))).status === 200],
    ['webhooks', async () => (await api.http.get('/v1/webhooks').set(bearer(token))).status === 200],
    ['catalog', async () => (await api.http.get('/v1/catalog/items').set(bearer(token))).status === 200],
    ['audience', async () => (await api.http.post('/v1/audiences/count').set(bearer(token)).send({ purpose: 'email_marketing' })).status === 200],
    ['ledger', async () => (await api.http.get('/v1/ledger/verify').set(bearer(token))).status === 200],
    ['consent-stats', async () => (await api.http.get('/v1/consent-stats').set(bearer(token))).status === 200],
    ['subjects.write', async () => (await api.http.post('/v1/subjects').set(bearer(token)).send({ externalId: subject.externalId })).status === 200],
  ];
  const can = new Set<string>();
  for (const [name, probe] of probes) if (await probe()) can.add(name);
  return can;
}

/** A customer session's power over its subject, named as the brand probes that reach the same data. */
async function probeCustomer(token: string): Promise<Set<string>> {
  const can = new Set<string>();
  const me = await api.http.get('/v1/me').set(bearer(token));
  if (me.status === 200) for (const p of ['subject', 'subject.contact', 'consents', ...PURPOSES.map((x) => `profile:${x}`)]) can.add(p);
  if ((await api.http.get('/v1/me/export').set(bearer(token))).status === 200) can.add('export');
  if ((await api.http.get('/v1/me/recommendations').set(bearer(token))).status === 200) can.add('recommendations');
  return can;
}

async function probesOf(c: Creator): Promise<Set<string>> {
  const id = creatorId(c);
  if (!creatorProbes.has(id)) creatorProbes.set(id, c.kind === 'customer' ? await probeCustomer(await tokenOf(c)) : await probeBrandCredential(await tokenOf(c)));
  return creatorProbes.get(id)!;
}

interface Requested {
  scopes: Scope[];
  purposes: string[] | null;
  role: Role;
}

/** The contract's rule, written independently of the code: may `c` create what `r` asks on `route`? */
function allowed(route: string, c: Creator, r: Requested): boolean {
  const key = c.kind === 'key' ? c : null;
  const has = (...s: Scope[]) => !!key && s.every((x) => key.scopes.includes(x));
  const unlimited = !!key && key.purposes === null;
  switch (route) {
    case '/v1/brands':
      return c.kind === 'operator';
    case '/v1/api-keys':
      return has('config:write') && has(...r.scopes) && (unlimited || (r.purposes !== null && r.purposes.every((p) => key!.purposes!.includes(p))));
    case '/v1/staff': {
      // Viewer: the compliance scope's reads; compliance and admin also read subjects; admins manage staff too.
      if (c.kind === 'staff') return c.role === 'admin';
      return has('config:write', 'compliance') && (r.role === 'viewer' || has('subjects:read')) && unlimited;
    }
    case '/v1/subjects/{id}/portal-links':
      return has(...CUSTOMER_SESSION_SCOPES) && unlimited;
    case '/v1/webhooks':
      return has('webhooks:manage');
  }
  throw new Error(`No rule for the credential-creating route ${route}: add one to this test.`);
}

const creatorArb: fc.Arbitrary<Creator> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('key' as const), scopes: fc.subarray([...SCOPES], { minLength: 1 }), purposes: fc.option(fc.subarray([...PURPOSES]), { nil: null }) }) },
  { weight: 3, arbitrary: fc.constantFrom(...ROLES).map((role): Creator => ({ kind: 'staff', role })) },
  { weight: 1, arbitrary: fc.constant<Creator>({ kind: 'operator' }) },
  { weight: 1, arbitrary: fc.constant<Creator>({ kind: 'customer' }) },
);
const requestedArb: fc.Arbitrary<Requested> = fc.record({
  scopes: fc.subarray([...SCOPES], { minLength: 1 }),
  purposes: fc.option(fc.subarray([...PURPOSES]), { nil: null }),
  role: fc.constantFrom(...ROLES),
});

describe('no credential exceeds itself', () => {
  it('discovers the credential-creating routes from the OpenAPI document', () => {
    expect(creatingRoutes().sort()).toEqual(['/v1/api-keys', '/v1/brands', '/v1/staff', '/v1/subjects/{id}/portal-links', '/v1/webhooks']);
  });

  it('creates exactly what the rule allows, and the created credential never does more than its creator', async () => {
    const routes = creatingRoutes();
    await fc.assert(
      fc.asyncProperty(creatorArb, fc.constantFrom(...routes), requestedArb, fc.boolean(), async (creator, route, asked, narrow) => {
        // Half the requests stay within a key creator (a subset of its scopes and purposes), so successes are tried as often as refusals.
        const requested =
          narrow && creator.kind === 'key'
            ? {
                ...asked,
                scopes: asked.scopes.filter((s) => creator.scopes.includes(s)).length ? asked.scopes.filter((s) => creator.scopes.includes(s)) : [creator.scopes[0]],
                purposes: creator.purposes === null ? asked.purposes : (asked.purposes ?? []).filter((p) => creator.purposes!.includes(p)),
              }
            : asked;
        const token = await tokenOf(creator);
        const tag = randomBytes(4).toString('hex');
        const bodies: Record<string, object> = {
          '/v1/api-keys': { name: `minted ${tag}`, scopes: requested.scopes, ...(requested.purposes ? { purposes: requested.purposes } : {}) },
          '/v1/staff': { email: `minted.${tag}@example.com`, name: `Minted ${tag}`, role: requested.role },
          '/v1/brands': { slug: `minted-${tag}`, name: 'Minted', defaultLocale: 'en' },
          '/v1/webhooks': { url: `http://127.0.0.1:9/${tag}`, events: ['consent.changed'] },
          '/v1/subjects/{id}/portal-links': {},
        };
        const res = await api.http.post(route.replace('{id}', subject.id)).set(bearer(token)).send(bodies[route]);
        const expected = allowed(route, creator, requested);
        expect(res.status, `${creatorId(creator)} → ${route} ${JSON.stringify(bodies[route])}: ${JSON.stringify(res.body)}`).toBe(expected ? 201 : 403);
        if (!expected) {
          expect(['insufficient-scope', 'grant-exceeds-caller']).toContain(res.body.code);
          // A refusal names what exceeds, never a secret.
          expect(JSON.stringify(res.body)).not.toContain(token);
          return;
        }
        const mine = await probesOf(creator);
        let theirs: Set<string>;
        if (route === '/v1/api-keys') theirs = await probeBrandCredential(res.body.key);
        else if (route === '/v1/staff') theirs = await probeBrandCredential(await signInStaff(bodies[route]['email' as keyof object] as string));
        else if (route === '/v1/subjects/{id}/portal-links') {
          const session = await api.http.post('/v1/auth/sessions').send({ token: res.body.token });
          expect(session.status).toBe(201);
          theirs = await probeCustomer(session.body.sessionToken);
        } else if (route === '/v1/webhooks') theirs = await probeBrandCredential(res.body.secret);
        else {
          // The contract: the operator creates brands with a first key of every scope, in that brand only.
          theirs = await probeBrandCredential(res.body.apiKey.key);
          for (const own of ['api-keys', 'staff', 'webhooks', 'catalog', 'audience', 'ledger', 'consent-stats', 'privacy-requests', 'audit-log']) theirs.delete(own);
        }
        expect([...theirs].filter((p) => !mine.has(p)), `${route} created by ${creatorId(creator)}`).toEqual([]);
      }),
      { numRuns: Number(process.env.ESCALATION_RUNS ?? 60) },
    );
  });

  it('regression: a key holding only config:write can mint neither a wider key nor an admin', async () => {
    const configOnly = (await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'config only', scopes: ['config:write'] })).body.key as string;
    const wider = await api.http.post('/v1/api-keys').set(bearer(configOnly)).send({ name: 'escalated', scopes: ['subjects:read', 'profiles:read'] });
    expect(wider.status).toBe(403);
    expect(wider.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(wider.body).toMatchObject({ type: '/problems/grant-exceeds-caller', code: 'grant-exceeds-caller', exceeding: { scopes: ['subjects:read', 'profiles:read'] } });
    expect(wider.body.detail).toMatch(/"subjects:read", "profiles:read"/);
    expect(wider.body.key).toBeUndefined();
    const admin = await api.http.post('/v1/staff').set(bearer(configOnly)).send({ email: `admin.${randomBytes(3).toString('hex')}@example.com`, name: 'Escalated', role: 'admin' });
    expect(admin.status).toBe(403);
    expect(admin.body.code).toBe('grant-exceeds-caller');
    expect(admin.body.detail).toMatch(/"compliance"/);
    expect((await everyItem('/v1/staff', brand.key)).map((s) => (s as { name: string }).name)).not.toContain('Escalated');
  });

  it('regression: a key limited to purposes mints only keys limited to some of them', async () => {
    const limited = (await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'limited', scopes: ['config:write', 'profiles:read'], purposes: ['email_marketing'] })).body.key as string;
    const unlimited = await api.http.post('/v1/api-keys').set(bearer(limited)).send({ name: 'unlimited', scopes: ['profiles:read'] });
    expect(unlimited.status).toBe(403);
    expect(unlimited.body.exceeding.purposes).toBe('unlimited');
    const other = await api.http.post('/v1/api-keys').set(bearer(limited)).send({ name: 'other', scopes: ['profiles:read'], purposes: ['personalization'] });
    expect(other.status).toBe(403);
    expect(other.body.exceeding.purposes).toEqual(['personalization']);
    const same = await api.http.post('/v1/api-keys').set(bearer(limited)).send({ name: 'same', scopes: ['profiles:read'], purposes: ['email_marketing'] });
    expect(same.status).toBe(201);
    expect(same.body.purposes).toEqual(['email_marketing']);
  });

  it('regression (red team): a key holding only config:write revokes no stronger key and disables no admin', async () => {
    const configOnly = (await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'config only (revoker)', scopes: ['config:write'] })).body.key as string;
    const stronger = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: 'stronger', scopes: ['config:write', 'subjects:read'] });
    const revoked = await api.http.delete(`/v1/api-keys/${stronger.body.id}`).set(bearer(configOnly));
    expect(revoked.status).toBe(403);
    expect(revoked.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(revoked.body).toMatchObject({ code: 'grant-exceeds-caller', exceeding: { scopes: ['subjects:read'] } });
    expect((await api.http.get('/v1/api-keys').set(bearer(stronger.body.key))).status).toBe(200);
    const admin = (await everyItem('/v1/staff', brand.key)).find((m) => (m as { name: string }).name === 'admin') as { id: string; name: string };
    const disabled = await api.http.delete(`/v1/staff/${admin.id}`).set(bearer(configOnly));
    expect(disabled.status).toBe(403);
    expect(disabled.body.code).toBe('grant-exceeds-caller');
    expect((await api.http.get('/v1/staff/me').set(bearer(staffSessions.admin))).status).toBe(200);
    // What it could have created, it may revoke.
    const peer = await api.http.post('/v1/api-keys').set(bearer(configOnly)).send({ name: 'peer', scopes: ['config:write'] });
    expect((await api.http.delete(`/v1/api-keys/${peer.body.id}`).set(bearer(configOnly))).status).toBe(204);
    expect((await api.http.get('/v1/api-keys').set(bearer(peer.body.key))).status).toBe(401);
  });
});

/** The DELETE routes on the resources the credential-creating routes make: revoking or disabling a credential. */
function revokingRoutes(): string[] {
  return creatingRoutes()
    .map((path) => `${path}/{id}`)
    .filter((path) => (openapi.paths[path] as Record<string, unknown> | undefined)?.delete);
}

/** The contract's rule for revocation: you may revoke or disable only what you could have created. */
function mayRevoke(route: string, c: Creator, target: Requested): boolean {
  return allowed(route.replace(/\/\{id\}$/, ''), c, target);
}

describe('no credential revokes more than itself', () => {
  it('discovers the revoking routes from the OpenAPI document', () => {
    expect(revokingRoutes().sort()).toEqual(['/v1/api-keys/{id}', '/v1/staff/{id}', '/v1/webhooks/{id}']);
  });

  it('revokes or disables exactly what the caller could have created; a refused target keeps working', async () => {
    const routes = revokingRoutes();
    await fc.assert(
      fc.asyncProperty(creatorArb, fc.constantFrom(...routes), requestedArb, async (creator, route, target) => {
        const token = await tokenOf(creator);
        const tag = randomBytes(4).toString('hex');
        // The target, made by the brand's first key (which holds everything).
        let id: string;
        let alive: () => Promise<boolean>;
        if (route === '/v1/api-keys/{id}') {
          const made = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: `target ${tag}`, scopes: target.scopes, ...(target.purposes ? { purposes: target.purposes } : {}) });
          expect(made.status, JSON.stringify(made.body)).toBe(201);
          id = made.body.id;
          alive = async () => (await api.http.get('/v1/purposes').set(bearer(made.body.key))).status === 200;
        } else if (route === '/v1/staff/{id}') {
          const made = await api.http.post('/v1/staff').set(bearer(brand.key)).send({ email: `target.${tag}@example.com`, name: `Target ${tag}`, role: target.role });
          expect(made.status, JSON.stringify(made.body)).toBe(201);
          id = made.body.id;
          alive = async () => ((await everyItem('/v1/staff', brand.key)) as Array<{ id: string; disabledAt: string | null }>).some((m) => m.id === id && !m.disabledAt);
        } else if (route === '/v1/webhooks/{id}') {
          const made = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url: `http://127.0.0.1:9/${tag}`, events: ['consent.changed'] });
          expect(made.status, JSON.stringify(made.body)).toBe(201);
          id = made.body.id;
          alive = async () => ((await everyItem('/v1/webhooks', brand.key)) as Array<{ id: string; status?: string }>).some((w) => w.id === id && w.status !== 'disabled');
        } else throw new Error(`No target for the revoking route ${route}: add one to this test.`);
        expect(await alive()).toBe(true);
        const res = await api.http.delete(route.replace('{id}', id)).set(bearer(token));
        const expected = mayRevoke(route, creator, target);
        expect(res.status, `${creatorId(creator)} → DELETE ${route} of ${JSON.stringify(target)}: ${JSON.stringify(res.body)}`).toBe(expected ? 204 : 403);
        if (!expected) expect(['insufficient-scope', 'grant-exceeds-caller']).toContain(res.body.code);
        expect(await alive(), `${route} after ${res.status}`).toBe(!expected);
      }),
      { numRuns: Number(process.env.ESCALATION_RUNS ?? 60) },
    );
  });
});

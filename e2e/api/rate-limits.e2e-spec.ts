import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { bearer, createBrand, createKey, createSubject, TestBrand } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';

/**
 * Who a request counts against (issue 12, item 5): verified credentials against themselves,
 * anonymous and failed-auth traffic against the client address (the portal's forwarded visitor
 * address only with the portal's secret), sign-in emails in addition against the target email
 * (past that limit: still 202, no more mail — nobody can lock another person out of sign-in).
 * Routes are discovered from docs/openapi.json, so a new route is covered without editing this file.
 */

interface Operation {
  method: string;
  path: string;
  public: boolean;
  bodyProperties: string[];
}

const openapi = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { security?: unknown[]; requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};
const UNLIMITED = new Set(['/healthz', '/readyz']);
const OPERATIONS: Operation[] = Object.entries(openapi.paths).flatMap(([path, methods]) =>
  Object.entries(methods)
    .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
    .map(([method, op]) => {
      const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
      const schema = ref ? openapi.components.schemas[ref.split('/').pop()!] : undefined;
      return { method, path, public: !op.security || op.security.length === 0, bodyProperties: Object.keys(schema?.properties ?? {}) };
    }),
);
/** Every route that emails a sign-in link: public, and its body names an `email`. */
const SIGN_IN_ROUTES = OPERATIONS.filter((op) => op.method === 'post' && op.public && op.bodyProperties.includes('email'));

const LIMIT = 20;
const SIGN_IN_LIMIT = 3;
const PORTAL_SECRET = randomBytes(24).toString('base64url');
let api: TestApi;
let mail: MailCatcher;
let brand: TestBrand;
let addressCounter = 0;

/** A fresh documentation address (TEST-NET), so each test has buckets of its own. */
const freshAddress = () => `198.51.${Math.floor(++addressCounter / 250)}.${(addressCounter % 250) + 1}`;
/** What the portal sends: its secret and the visitor's address. */
const fromPortal = (address: string) => ({ 'X-Candor-Portal-Secret': PORTAL_SECRET, 'X-Candor-Client-Address': address });
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');

function call(op: Operation, headers: Record<string, string>) {
  const request = (api.http as unknown as Record<string, (url: string) => import('supertest').Test>)[op.method](concrete(op.path));
  request.set(headers);
  return op.method === 'get' || op.method === 'delete' ? request : request.send({});
}

beforeAll(async () => {
  mail = await new MailCatcher().start();
  api = await startApi({
    env: {
      SMTP_URL: mail.url,
      CANDOR_RATE_LIMIT: String(LIMIT),
      CANDOR_RATE_LIMIT_WINDOW_S: '600',
      CANDOR_PORTAL_SECRET: PORTAL_SECRET,
      CANDOR_SIGNIN_LIMIT: String(SIGN_IN_LIMIT),
      CANDOR_SIGNIN_WINDOW_S: '900',
    },
  });
  brand = await createBrand(api, 'Limited Goods');
});
afterAll(async () => {
  await api?.close();
  await mail?.stop();
});

describe('requests count against who they prove to be', () => {
  it('limits distinct forged Authorization values from one address as one client, on every route', async () => {
    const address = freshAddress();
    const routes = OPERATIONS.filter((op) => !UNLIMITED.has(op.path));
    expect(routes.length).toBeGreaterThan(LIMIT);
    const statuses: number[] = [];
    for (const [i, op] of routes.entries()) {
      // x1…xN, bearer-shaped made-up keys of every kind, and nothing at all: one client all the same.
      const forged = [`x${i}`, `Bearer cnd_forged_${i}`, `Bearer cst_forged_${i}`, `Bearer sss_forged_${i}`, `Bearer op_forged_${i}`, ''][i % 6];
      const res = await call(op, { ...fromPortal(address), ...(forged ? { Authorization: forged } : {}) });
      statuses.push(res.status);
      if (i >= LIMIT) {
        expect(res.status, `${op.method.toUpperCase()} ${op.path} with "${forged}"`).toBe(429);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('too-many-requests');
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.headers['ratelimit']).toMatch(/^"per-credential";r=0;t=\d+$/);
      }
    }
    expect(statuses.slice(0, LIMIT)).not.toContain(429);
  });

  it("keeps a verified key's bucket apart from forged keys from the same address", async () => {
    const key = await createKey(api, brand, ['subjects:read']);
    const address = freshAddress();
    // The key's own requests, then a flood of look-alike forgeries (the key with one character changed).
    expect((await api.http.get('/v1/subjects').set({ ...bearer(key), ...fromPortal(address) })).status).toBe(200);
    for (let i = 0; i < LIMIT + 2; i++) {
      const forged = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      await api.http.get('/v1/subjects').set({ ...bearer(i % 2 ? forged : `${forged}${i}`), ...fromPortal(address) });
    }
    const forgedAgain = await api.http.get('/v1/subjects').set({ ...bearer(`cnd_${madeUp()}`), ...fromPortal(address) });
    expect(forgedAgain.status).toBe(429);
    const real = await api.http.get('/v1/subjects').set({ ...bearer(key), ...fromPortal(address) });
    expect(real.status).toBe(200);
    // Two requests of its own so far: the forgeries did not spend the key's bucket.
    expect(real.headers['ratelimit']).toMatch(new RegExp(`^"per-credential";r=${LIMIT - 2};t=\\d+$`));
  });

  it('ignores a forwarded address without the portal secret (or with a wrong one)', async () => {
    // The socket's own address (no forwarding) is flooded first…
    for (let i = 0; i < LIMIT; i++) await api.http.get('/v1/brand');
    expect((await api.http.get('/v1/brand')).status).toBe(429);
    // …so a forged forwarded address, without the secret or with a wrong one, still counts as it.
    for (const headers of [
      { 'X-Candor-Client-Address': freshAddress() },
      { 'X-Candor-Client-Address': freshAddress(), 'X-Candor-Portal-Secret': 'not-the-portal-secret-at-all-000' },
      { 'X-Candor-Client-Address': freshAddress(), 'X-Candor-Portal-Secret': PORTAL_SECRET.slice(0, -1) + '!' },
      { 'X-Forwarded-For': freshAddress() },
    ]) {
      const res = await api.http.get('/v1/brand').set(headers);
      expect(res.status, JSON.stringify(headers)).toBe(429);
    }
    // With the secret, the portal's visitor has a bucket of their own (401: no credential, not 429).
    expect((await api.http.get('/v1/brand').set(fromPortal(freshAddress()))).status).toBe(401);
    // An address that is not an IP address is not trusted either, secret or not.
    expect((await api.http.get('/v1/brand').set(fromPortal('not an address'))).status).toBe(429);
  });
});

describe('sign-in links count against the target email', () => {
  it('discovers the sign-in routes', () => {
    expect(SIGN_IN_ROUTES.map((op) => op.path).sort()).toEqual(['/v1/auth/magic-links', '/v1/auth/staff-links']);
  });

  /** Makes `email` someone the route would really email: a customer, or a staff member. */
  async function makeKnown(route: Operation, email: string): Promise<void> {
    if (route.path === '/v1/auth/magic-links') {
      await createSubject(api, brand, { email });
      return;
    }
    const admin = await createKey(api, brand, ['config:write', 'compliance', 'subjects:read']);
    const res = await api.http.post('/v1/staff').set(bearer(admin)).send({ email, name: 'Vera Victim', role: 'viewer' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const mailsTo = (email: string) => mail.messages.filter((m) => m.toLowerCase().includes(email.toLowerCase())).length;

  for (const route of SIGN_IN_ROUTES) {
    it(`limits ${route.path} emails per email across many addresses, answering 202 always; the victim still signs in`, async () => {
      const victim = `victim-${randomBytes(4).toString('hex')}@example.com`;
      await makeKnown(route, victim);
      // The same address however it is written: one bucket.
      const spellings = [victim, victim.toUpperCase(), victim.replace('example', 'Example'), victim.replace('victim', 'VICTIM')];
      const answers: string[] = [];
      for (let i = 0; i < SIGN_IN_LIMIT + 3; i++) {
        const res = await api.http
          .post(route.path)
          .set(fromPortal(freshAddress()))
          .send({ brand: brand.slug, email: spellings[i % spellings.length] });
        // Past the limit the answer is exactly the one any address gets: no lock-out, no enumeration.
        expect(res.status, `request ${i + 1}`).toBe(202);
        answers.push(JSON.stringify(res.body));
      }
      expect(new Set(answers)).toEqual(new Set([JSON.stringify({ status: 'accepted' })]));
      // …and the victim's own request, after someone else spent their emails: still 202.
      const own = await api.http.post(route.path).set(fromPortal(freshAddress())).send({ brand: brand.slug, email: victim });
      expect(own.status).toBe(202);
      // Only the first SIGN_IN_LIMIT emails went out (links the victim can still use); no more arrive.
      await mail.find(victim, new RegExp(`(${brand.slug})`));
      const deadline = Date.now() + 5000;
      while (mailsTo(victim) < SIGN_IN_LIMIT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      expect(mailsTo(victim)).toBe(SIGN_IN_LIMIT);
      // Another visitor, from another address, signing in with their own email: accepted.
      const other = await api.http
        .post(route.path)
        .set(fromPortal(freshAddress()))
        .send({ brand: brand.slug, email: `someone-else-${randomBytes(4).toString('hex')}@example.com` });
      expect(other.status).toBe(202);
    });
  }

  it('still answers 429 to a flood of sign-in requests from one visitor address', async () => {
    const address = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) {
      const res = await api.http
        .post(SIGN_IN_ROUTES[i % SIGN_IN_ROUTES.length].path)
        .set(fromPortal(address))
        .send({ brand: brand.slug, email: `flood-${i}@example.com` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(202));
    expect(statuses[LIMIT]).toBe(429);
  });
});

/** A random suffix for a made-up key. */
function madeUp(): string {
  return randomBytes(12).toString('base64url');
}

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, createBrand, createKey, createSubject, signInCustomer } from '../support/factories';

/**
 * Property: whatever mix of brands, credentials, scopes and ids (of other tenants, other
 * customers, or of nobody) a caller sends, the API answers exactly what a small reference model
 * of the data predicts, and no answer carries another tenant's or another customer's record.
 * The model is kept in step with every write the API acknowledges, so reads check writes too.
 */

const RUNS = Number(process.env.ISOLATION_RUNS ?? 40);
const COMMANDS_PER_RUN = 250;
const PURPOSES = ['email_marketing', 'order_updates'] as const;
type Purpose = (typeof PURPOSES)[number];

/** Key profiles every brand gets, so every request is tried with and without its scope. */
const KEY_PROFILES = [
  ['subjects:read', 'subjects:write', 'consents:read', 'consents:write', 'compliance'],
  ['subjects:read'],
  ['subjects:write'],
  ['consents:read', 'consents:write'],
  ['compliance'],
  ['profiles:read', 'audiences:read'],
] as const;

interface ModelSubject {
  id: string;
  brand: number;
  externalId: string;
  session: string | null;
}
interface ModelFact {
  id: string;
  subjectId: string;
  value: string;
}
interface Model {
  brands: Array<{ id: string; keys: Array<{ key: string; scopes: readonly string[] }> }>;
  subjects: ModelSubject[];
  facts: Map<string, ModelFact>;
  consents: Map<string, boolean>;
  events: Map<string, string>;
}

let api: TestApi;
let base: string;
const model: Model = { brands: [], subjects: [], facts: new Map(), consents: new Map(), events: new Map() };

beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_POLL_MS: '0' } });
  const server = api.app.getHttpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const name of ['North Fjord', 'South Bay', 'East Hill']) {
    const brand = await createBrand(api, name);
    for (const p of PURPOSES) await adoptPurpose(api, brand, p);
    const keys = [];
    for (const scopes of KEY_PROFILES) keys.push({ key: await createKey(api, brand, [...scopes]), scopes });
    const index = model.brands.push({ id: brand.id, keys }) - 1;
    for (let i = 0; i < 4; i++) {
      const s = await createSubject(api, brand);
      model.subjects.push({ id: s.id, brand: index, externalId: s.externalId, session: i < 2 ? await signInCustomer(api, brand, s.id) : null });
    }
  }
});
afterAll(async () => {
  await api?.close();
});

// ---- who calls -------------------------------------------------------------------------------

type Caller =
  | { kind: 'anonymous' }
  | { kind: 'unknown' }
  | { kind: 'key'; brand: number; profile: number }
  | { kind: 'customer'; subject: number };

const callerArb: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'anonymous' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'unknown' as const }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('key' as const), brand: fc.nat(2), profile: fc.nat(KEY_PROFILES.length - 1) }) },
  // Subjects 0, 1, 4, 5, 8, 9 have sessions.
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('customer' as const), subject: fc.constantFrom(0, 1, 4, 5, 8, 9) }) },
);

function authorization(caller: Caller): Record<string, string> {
  switch (caller.kind) {
    case 'anonymous':
      return {};
    case 'unknown':
      return { Authorization: 'Bearer cnd_not-a-key-anyone-issued-000000000000' };
    case 'key':
      return { Authorization: `Bearer ${model.brands[caller.brand].keys[caller.profile].key}` };
    case 'customer':
      return { Authorization: `Bearer ${model.subjects[caller.subject].session}` };
  }
}

/** Status for a route that needs one of `scopes` (brand side) or is a /v1/me route (`'me'`). */
function gate(caller: Caller, scopes: readonly string[] | 'me'): number | null {
  if (caller.kind === 'anonymous' || caller.kind === 'unknown') return 401;
  if (scopes === 'me') return caller.kind === 'customer' ? null : 403;
  if (caller.kind === 'customer') return 403;
  const held = KEY_PROFILES[caller.profile] as readonly string[];
  return scopes.some((s) => held.includes(s)) ? null : 403;
}

const callerBrand = (caller: Caller) => (caller.kind === 'key' ? caller.brand : caller.kind === 'customer' ? model.subjects[caller.subject].brand : -1);

// ---- what they ask for -----------------------------------------------------------------------

/** A reference to an id picked at run time: some existing record of any tenant, or a random one. */
type Pick = { index: number } | { random: true };
const pickArb: fc.Arbitrary<Pick> = fc.oneof({ weight: 9, arbitrary: fc.record({ index: fc.nat(1_000) }) }, { weight: 1, arbitrary: fc.constant({ random: true as const }) });
const pickFrom = (ids: string[], pick: Pick) => ('random' in pick || !ids.length ? randomUUID() : ids[pick.index % ids.length]);

type Command =
  | { op: 'getSubject' | 'getConsents' | 'decide' | 'listByExternalId' | 'lookupByExternalId' | 'listIdentifiers'; caller: Caller; target: Pick }
  | { op: 'recordConsent'; caller: Caller; target: Pick; purpose: Purpose; granted: boolean }
  | { op: 'recordFact'; caller: Caller; target: Pick; value: string }
  | { op: 'me'; caller: Caller }
  | { op: 'receipt'; caller: Caller; target: Pick }
  | { op: 'patchMyFact'; caller: Caller; target: Pick; value: string }
  | { op: 'setMyConsent'; caller: Caller; purpose: Purpose; granted: boolean };

const valueArb = fc.stringMatching(/^[a-z]{3,12}$/);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('getSubject' as const, 'getConsents' as const, 'decide' as const, 'listByExternalId' as const), caller: callerArb, target: pickArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('lookupByExternalId' as const, 'listIdentifiers' as const), caller: callerArb, target: pickArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('recordConsent' as const), caller: callerArb, target: pickArb, purpose: fc.constantFrom(...PURPOSES), granted: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('recordFact' as const), caller: callerArb, target: pickArb, value: valueArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('me' as const), caller: callerArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('receipt' as const), caller: callerArb, target: pickArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('patchMyFact' as const), caller: callerArb, target: pickArb, value: valueArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('setMyConsent' as const), caller: callerArb, purpose: fc.constantFrom(...PURPOSES), granted: fc.boolean() }) },
);

// ---- running one command against the API and the model ---------------------------------------

let requests = 0;
let writesAcknowledged = 0;
let refusedForeign = 0;

async function send(method: string, path: string, caller: Caller, body?: unknown) {
  requests++;
  const res = await fetch(base + path, {
    method,
    headers: { ...authorization(caller), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

/** Ids that `caller` must never see: every record of other brands, and for customers, of other subjects. */
function foreignIds(caller: Caller): string[] {
  const brand = callerBrand(caller);
  const mine = (subjectId: string) => {
    const s = model.subjects.find((x) => x.id === subjectId)!;
    return caller.kind === 'customer' ? model.subjects[caller.subject].id === subjectId : s.brand === brand;
  };
  return [
    ...model.brands.filter((_, i) => i !== brand).map((b) => b.id),
    ...model.subjects.filter((s) => !mine(s.id)).map((s) => s.id),
    ...[...model.facts.values()].filter((f) => !mine(f.subjectId)).map((f) => f.id),
    ...[...model.events].filter(([, subjectId]) => !mine(subjectId)).map(([id]) => id),
  ];
}

const subjectOf = (id: string) => model.subjects.find((s) => s.id === id);
const consentOf = (subjectId: string, purpose: Purpose) => model.consents.get(`${subjectId}|${purpose}`);
const factsOf = (subjectId: string) => [...model.facts.values()].filter((f) => f.subjectId === subjectId);

async function run(cmd: Command): Promise<void> {
  const { caller } = cmd;
  const brand = callerBrand(caller);
  const ownsSubject = (id: string) => subjectOf(id)?.brand === brand && caller.kind === 'key';
  let res: Awaited<ReturnType<typeof send>>;
  let sentIds: string[] = [];
  let expected: number;

  switch (cmd.op) {
    case 'lookupByExternalId':
    case 'listIdentifiers': {
      const id = pickFrom(model.subjects.map((s) => s.id), cmd.target);
      sentIds = [id];
      res =
        cmd.op === 'lookupByExternalId'
          ? await send('GET', `/v1/subjects/lookup?type=external&value=${encodeURIComponent(subjectOf(id)?.externalId ?? 'nobody-has-this-id')}`, caller)
          : await send('GET', `/v1/subjects/${id}/identifiers`, caller);
      expected = gate(caller, ['subjects:read']) ?? (ownsSubject(id) ? 200 : 404);
      expect(res.status, `${cmd.op} ${res.text}`).toBe(expected);
      if (expected === 404) refusedForeign++;
      if (res.status === 200 && cmd.op === 'lookupByExternalId') expect(res.body.id).toBe(id);
      if (res.status === 200 && cmd.op === 'listIdentifiers') expect(res.body).toEqual({ data: [], nextCursor: null });
      break;
    }
    case 'getSubject':
    case 'getConsents':
    case 'decide':
    case 'listByExternalId': {
      const id = pickFrom(model.subjects.map((s) => s.id), cmd.target);
      sentIds = [id];
      const scopes = { getSubject: ['subjects:read'], getConsents: ['consents:read', 'compliance'], decide: ['consents:read'], listByExternalId: ['subjects:read'] }[cmd.op];
      if (cmd.op === 'listByExternalId') {
        const externalId = subjectOf(id)?.externalId ?? 'nobody-has-this-id';
        res = await send('GET', `/v1/subjects?externalId=${encodeURIComponent(externalId)}`, caller);
        expected = gate(caller, scopes) ?? 200;
        expect(res.status, res.text).toBe(expected);
        if (expected === 200) expect(res.body.data.map((s: { id: string }) => s.id)).toEqual(ownsSubject(id) ? [id] : []);
        break;
      }
      const path = { getSubject: `/v1/subjects/${id}`, getConsents: `/v1/subjects/${id}/consents`, decide: `/v1/decisions/contact?subjectId=${id}&purpose=email_marketing&channel=email` }[cmd.op];
      res = await send('GET', path, caller);
      expected = gate(caller, scopes) ?? (ownsSubject(id) ? 200 : 404);
      expect(res.status, `${cmd.op} ${res.text}`).toBe(expected);
      if (expected === 404) refusedForeign++;
      if (res.status === 200 && cmd.op === 'getSubject') expect(res.body).toMatchObject({ id, externalId: subjectOf(id)!.externalId });
      if (res.status === 200 && cmd.op === 'getConsents') {
        const got = Object.fromEntries(res.body.data.map((c: { purpose: string; granted: boolean }) => [c.purpose, c.granted]));
        const want = Object.fromEntries(PURPOSES.filter((p) => consentOf(id, p) !== undefined).map((p) => [p, consentOf(id, p)]));
        expect(got).toEqual(want);
      }
      if (res.status === 200 && cmd.op === 'decide') expect(res.body.allowed, res.text).toBe(consentOf(id, 'email_marketing') === true);
      break;
    }
    case 'recordConsent': {
      const id = pickFrom(model.subjects.map((s) => s.id), cmd.target);
      sentIds = [id];
      res = await send('POST', `/v1/subjects/${id}/consents`, caller, { purpose: cmd.purpose, granted: cmd.granted });
      expected = gate(caller, ['consents:write']) ?? (ownsSubject(id) ? 201 : 404);
      expect(res.status, res.text).toBe(expected);
      if (res.status === 201) {
        writesAcknowledged++;
        model.consents.set(`${id}|${cmd.purpose}`, cmd.granted);
        model.events.set(res.body.id, id);
      } else if (expected === 404) refusedForeign++;
      break;
    }
    case 'recordFact': {
      const id = pickFrom(model.subjects.map((s) => s.id), cmd.target);
      sentIds = [id];
      const key = `k${model.facts.size}_${requests}`;
      res = await send('POST', `/v1/subjects/${id}/facts`, caller, { key, value: cmd.value, category: 'interests', provenance: 'observed', source: 'property' });
      expected = gate(caller, ['subjects:write']) ?? (ownsSubject(id) ? 201 : 404);
      expect(res.status, res.text).toBe(expected);
      if (res.status === 201) {
        writesAcknowledged++;
        model.facts.set(res.body.id, { id: res.body.id, subjectId: id, value: cmd.value });
      } else if (expected === 404) refusedForeign++;
      break;
    }
    case 'me': {
      res = await send('GET', '/v1/me', caller);
      expected = gate(caller, 'me') ?? 200;
      expect(res.status, res.text).toBe(expected);
      if (res.status === 200 && caller.kind === 'customer') {
        const self = model.subjects[caller.subject];
        expect(res.body.subject.id).toBe(self.id);
        const got = res.body.facts.map((f: { id: string; value: string }) => `${f.id}=${f.value}`).sort();
        expect(got).toEqual(factsOf(self.id).map((f) => `${f.id}=${f.value}`).sort());
        for (const p of PURPOSES) {
          const c = res.body.consents.find((x: { purpose: string }) => x.purpose === p);
          expect(c?.granted ?? null, p).toBe(consentOf(self.id, p) ?? null);
        }
      }
      break;
    }
    case 'receipt': {
      const id = pickFrom([...model.events.keys()], cmd.target);
      sentIds = [id];
      res = await send('GET', `/v1/me/consents/receipts/${id}`, caller);
      const mine = caller.kind === 'customer' && model.events.get(id) === model.subjects[caller.subject].id;
      expected = gate(caller, 'me') ?? (mine ? 200 : 404);
      expect(res.status, res.text).toBe(expected);
      if (expected === 404) refusedForeign++;
      break;
    }
    case 'patchMyFact': {
      const id = pickFrom([...model.facts.keys()], cmd.target);
      sentIds = [id];
      res = await send('PATCH', `/v1/me/facts/${id}`, caller, { value: cmd.value });
      const mine = caller.kind === 'customer' && model.facts.get(id)?.subjectId === model.subjects[caller.subject].id;
      expected = gate(caller, 'me') ?? (mine ? 200 : 404);
      expect(res.status, res.text).toBe(expected);
      if (res.status === 200) {
        writesAcknowledged++;
        // A correction replaces the fact with the customer's own declaration.
        model.facts.delete(id);
        model.facts.set(res.body.id, { id: res.body.id, subjectId: model.subjects[(caller as { subject: number }).subject].id, value: cmd.value });
      } else if (expected === 404) refusedForeign++;
      break;
    }
    case 'setMyConsent': {
      res = await send('PUT', `/v1/me/consents/${cmd.purpose}`, caller, { granted: cmd.granted });
      expected = gate(caller, 'me') ?? 200;
      expect(res.status, res.text).toBe(expected);
      if (res.status === 200 && caller.kind === 'customer') {
        writesAcknowledged++;
        const self = model.subjects[caller.subject].id;
        model.consents.set(`${self}|${cmd.purpose}`, cmd.granted);
        model.events.set(res.body.id, self);
      }
      break;
    }
  }
  if (res!.status >= 400) expect(res!.body?.status, res!.text).toBe(res!.status);
  if (res!.status < 300) {
    const leaked = foreignIds(caller).filter((id) => res.text.includes(id) && !sentIds.includes(id));
    expect(leaked, `${cmd.op} leaked another tenant's or customer's ids`).toEqual([]);
  }
}

describe('tenant and customer isolation, property-based', () => {
  it(`answers ${RUNS * COMMANDS_PER_RUN} generated requests exactly as the reference model says, revealing and changing nothing of others`, async () => {
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: COMMANDS_PER_RUN, maxLength: COMMANDS_PER_RUN }), async (commands) => {
        for (const cmd of commands) await run(cmd);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    // Finally, every subject read through its own brand's all-scope key equals the model.
    for (const s of model.subjects) {
      const res = await send('GET', `/v1/subjects/${s.id}/consents`, { kind: 'key', brand: s.brand, profile: 0 });
      const got = Object.fromEntries(res.body.data.map((c: { purpose: string; granted: boolean }) => [c.purpose, c.granted]));
      expect(got).toEqual(Object.fromEntries(PURPOSES.filter((p) => consentOf(s.id, p) !== undefined).map((p) => [p, consentOf(s.id, p)])));
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `isolation property: ${requests} requests in ${seconds.toFixed(1)} s (${Math.round(requests / seconds)}/s), ` +
        `${writesAcknowledged} writes acknowledged, ${refusedForeign} requests for others' records refused with 404, 0 violations`,
    );
    expect(requests).toBeGreaterThanOrEqual(RUNS * COMMANDS_PER_RUN);
  }, 180_000);
});

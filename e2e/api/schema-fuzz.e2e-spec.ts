import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZATION_MATRIX, routeId } from '../../api/test/authorization-matrix';
import { startApi, TestApi } from '../support/api';
import { changedTables, fingerprint } from '../support/reliability-db';
import { buildWorld, World } from '../support/reliability-world';

/**
 * Schema fuzzing: requests generated from docs/openapi.json, each broken on purpose — wrong
 * types, missing and unknown fields, huge strings, deep nesting, bad UTF-8, bad UUIDs, bad query
 * values and bad headers. Every one must be refused with a 4xx problem+json document (never a
 * 5xx, never accepted), and the database must be exactly as it was.
 */

const FUZZ_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
};
interface Operation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  body: Schema | null;
}

const openapi = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8'));
const deref = (s: Schema | undefined): Schema => {
  let schema = s ?? {};
  while (schema.$ref) schema = openapi.components.schemas[schema.$ref.split('/').pop()!];
  if (schema.allOf?.length === 1) return deref(schema.allOf[0]);
  return schema;
};
const operations: Operation[] = Object.entries(openapi.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    parameters: op.parameters ?? [],
    body: op.requestBody ? deref(op.requestBody.content?.['application/json']?.schema) : null,
  })),
);
// Requests whose plain form ends the caller's session or erases data: the fuzzer breaks every
// request, but a broken header alone leaves their body valid.
const DESTRUCTIVE = new Set(['POST /v1/me/erasure', 'DELETE /v1/auth/sessions/current', 'DELETE /v1/api-keys/{id}', 'DELETE /v1/webhooks/{id}', 'DELETE /v1/me/facts/{id}']);

let api: TestApi;
let world: World;
let fuzzable: Operation[];
let base: string;

beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0' } });
  world = await buildWorld(api);
  const server = api.app.getHttpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Public routes without a body or a parameter (health checks) have nothing to break.
  fuzzable = operations.filter((op) => applicable(op).length);
});
afterAll(async () => {
  await api?.close();
});

/**
 * Whether a property whose schema offers alternatives (`oneOf`/`anyOf`: a fact value is text, a
 * number, true/false or a list of texts) accepts `value` by its JSON type: then it is no wrong type.
 */
function alternativeAccepts(raw: Schema | undefined, value: unknown): boolean {
  const s = deref(raw);
  const variants = s.oneOf ?? s.anyOf;
  // A required field that may be null (`type: ['integer', 'null']`) takes null.
  if (!variants) return value === null && Array.isArray(s.type) && s.type.includes('null');
  return variants.some((variant) => {
    const v = deref(variant);
    if (v.oneOf || v.anyOf) return alternativeAccepts(v, value);
    const types = Array.isArray(v.type) ? v.type : [v.type];
    if (value === null) return types.includes('null');
    if (Array.isArray(value)) return types.includes('array') && value.length > 0 && value.every((x) => typeof x === 'string' && x.length > 0);
    if (typeof value === 'number') return (types.includes('number') || (types.includes('integer') && Number.isInteger(value))) && Number.isFinite(value);
    if (typeof value === 'boolean') return types.includes('boolean');
    return false;
  });
}

/** A plausible value for a schema: the starting point each mutation breaks. */
function plausible(raw: Schema | undefined, depth = 0): unknown {
  const s = deref(raw);
  if (s.enum?.length) return s.enum[0];
  const variants = s.oneOf ?? s.anyOf;
  if (variants?.length) return plausible(variants[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return s.format === 'uuid' ? world.a.subjects[0].id : s.format === 'date-time' ? new Date(Date.now() + 86_400_000).toISOString() : 'plain_value';
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 ? [] : [plausible(s.items, depth + 1)];
    case 'object':
    default: {
      if (depth > 4) return {};
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(s.properties ?? {})) out[name] = plausible(prop, depth + 1);
      return out;
    }
  }
}

function pathParam(op: Operation, name: string): string {
  const { a } = world;
  if (name === 'slug') return a.brand.slug;
  if (name === 'key') return op.path.startsWith('/v1/me/questions') ? a.questionKeys[0] : a.ownPurpose;
  if (name === 'purpose') return 'email_marketing';
  if (name === 'sku') return 'sku-1';
  if (op.path.startsWith('/v1/me/facts')) return a.factIds[0];
  if (op.path.startsWith('/v1/me/consents/receipts')) return a.consentEventIds[0];
  if (op.path.startsWith('/v1/webhooks')) return a.webhookId;
  if (op.path.startsWith('/v1/privacy-requests')) return a.privacyRequestId;
  return a.subjects[0].id;
}

function credential(op: Operation): string | null {
  const row = AUTHORIZATION_MATRIX.find((r) => routeId(r) === `${op.method} ${op.path}`);
  if (!row || row.public) return null;
  if (row.operator) return api.adminKey;
  if (row.customer) return world.a.sessions[0];
  return world.a.brand.key;
}

const HUGE = 'x'.repeat(200_000);
const deep = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const BAD_UUIDS = ['not-a-uuid', '00000000-0000-0000-0000-00000000000g', "1' OR '1'='1", '%00', '..%2F..%2Fetc%2Fpasswd', 'ä'.repeat(40), '9'.repeat(300), '{{id}}'];
const WRONG_VALUES: unknown[] = [null, 0, -1, 1.5, 1e308, '', 'x', true, [], [1, 2], {}, { nested: true }, '\u0000', '\ud800', 'DROP TABLE subjects;--', HUGE, deep(40)];

type Mutation =
  | { kind: 'body-not-object'; value: unknown }
  | { kind: 'missing-required'; index: number }
  | { kind: 'extra-field'; name: string }
  | { kind: 'wrong-type'; index: number; value: number }
  | { kind: 'huge-string'; index: number }
  | { kind: 'deep-nesting'; index: number; depth: number }
  | { kind: 'bad-utf8'; bytes: number[] }
  | { kind: 'oversized-body' }
  | { kind: 'bad-uuid'; index: number }
  | { kind: 'bad-query'; index: number; value: number }
  | { kind: 'bad-header'; index: number }
  | { kind: 'bad-credential' };

const PARAMS_TO_BREAK = new Set(['id', 'slug', 'key', 'purpose']);

/** A body schema that takes no fields but its own (`additionalProperties: false`, or unsaid). */
const closed = (schema: Schema) => schema.additionalProperties === undefined || schema.additionalProperties === false;

/** The mutations that can break a request of this operation. */
function applicable(op: Operation): Mutation['kind'][] {
  const kinds: Mutation['kind'][] = [];
  if (op.body) {
    const schema = deref(op.body);
    kinds.push('body-not-object', 'bad-utf8', 'oversized-body');
    if (Object.keys(schema.properties ?? {}).length) kinds.push('wrong-type', 'huge-string', 'deep-nesting');
    if (schema.required?.length) kinds.push('missing-required');
    if (Object.keys(schema.properties ?? {}).length && closed(schema)) kinds.push('extra-field');
  }
  if (op.parameters.some((p) => p.in === 'path' && PARAMS_TO_BREAK.has(p.name))) kinds.push('bad-uuid');
  if (op.parameters.some((p) => p.in === 'query')) kinds.push('bad-query');
  if (credential(op)) kinds.push('bad-header', 'bad-credential');
  return kinds;
}

/** `m` if it applies to `op`, else an applicable mutation chosen by `pick`. */
function fit(op: Operation, m: Mutation, pick: number): Mutation {
  const kinds = applicable(op);
  if (kinds.includes(m.kind)) return m;
  const kind = kinds[pick % kinds.length];
  return { kind, index: pick, value: pick % WRONG_VALUES.length, depth: 5_000, bytes: [0xff, 0xfe], name: 'isAdmin' } as unknown as Mutation;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('body-not-object' as const), value: fc.constantFrom<unknown>(null, 0, 'text', [], [{}], true) }),
  fc.record({ kind: fc.constant('missing-required' as const), index: fc.nat(50) }),
  fc.record({ kind: fc.constant('extra-field' as const), name: fc.constantFrom('isAdmin', 'brandId', 'constructor', '$where', 'a'.repeat(300), 'role') }),
  fc.record({ kind: fc.constant('wrong-type' as const), index: fc.nat(50), value: fc.nat(WRONG_VALUES.length - 1) }),
  fc.record({ kind: fc.constant('huge-string' as const), index: fc.nat(50) }),
  fc.record({ kind: fc.constant('deep-nesting' as const), index: fc.nat(50), depth: fc.constantFrom(100, 1_000, 5_000) }),
  fc.record({ kind: fc.constant('bad-utf8' as const), bytes: fc.constantFrom([0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]) }),
  fc.constant({ kind: 'oversized-body' as const }),
  fc.record({ kind: fc.constant('bad-uuid' as const), index: fc.nat(BAD_UUIDS.length - 1) }),
  fc.record({ kind: fc.constant('bad-query' as const), index: fc.nat(20), value: fc.nat(6) }),
  fc.record({ kind: fc.constant('bad-header' as const), index: fc.nat(7) }),
) as fc.Arbitrary<Mutation>;

interface Built {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The mutation that applied (one that cannot apply to the route falls back to a bad credential). */
  kind: string;
}

function build(op: Operation, m: Mutation): Built {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = credential(op);
  if (token) headers.Authorization = `Bearer ${token}`;
  const pathIds = op.parameters.filter((p) => p.in === 'path');
  let path = op.path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(pathParam(op, name)));
  const query = new URLSearchParams();
  for (const p of op.parameters.filter((q) => q.in === 'query' && q.required)) query.set(p.name, String(plausible(p.schema)));
  if (op.path === '/v1/subjects/{id}/profile' || op.path === '/v1/decisions/contact') query.set('purpose', world.a.ownPurpose);
  let body: unknown = op.body ? plausible(op.body) : undefined;
  const props = op.body ? Object.keys(deref(op.body).properties ?? {}) : [];
  const required = op.body ? deref(op.body).required ?? [] : [];
  let kind: string = m.kind;
  let raw: string | Buffer | undefined;
  let deepText = '';
  const fallback = () => {
    // The route has nothing this mutation can break: send it with a credential nobody issued.
    kind = 'bad-credential';
    headers.Authorization = 'Bearer cnd_forged_0000000000000000000000000000000';
  };

  switch (m.kind) {
    case 'body-not-object':
      if (op.body) body = m.value;
      else fallback();
      break;
    case 'missing-required':
      if (required.length) delete (body as Record<string, unknown>)[required[m.index % required.length]];
      else fallback();
      break;
    case 'extra-field':
      if (op.body && closed(deref(op.body)) && props.length) (body as Record<string, unknown>)[m.name] = 'injected';
      else fallback();
      break;
    case 'wrong-type':
    case 'huge-string':
    case 'deep-nesting': {
      if (!props.length) {
        fallback();
        break;
      }
      const name = props[m.index % props.length];
      const current = (body as Record<string, unknown>)[name];
      if (m.kind === 'deep-nesting') {
        // Written as text: JSON.stringify itself would run out of stack on the deepest ones.
        (body as Record<string, unknown>)[name] = '__DEEP__';
        deepText = '{"a":['.repeat(m.depth / 2) + '"bottom"' + ']}'.repeat(m.depth / 2);
        break;
      }
      let next: unknown = m.kind === 'huge-string' ? HUGE : WRONG_VALUES[m.value];
      // A replacement that happens to have the right type and value is no mutation: pick a clearly wrong one.
      // (A NUL character in a string field is of the right type, yet can never be stored.)
      if (typeof current === 'string' && m.kind === 'wrong-type' && m.value % 3 === 0) next = `${current}\u0000`;
      // null for an optional field means "not given", which is valid.
      else if (
        (next === null && !required.includes(name)) ||
        JSON.stringify(next) === JSON.stringify(current) ||
        (typeof next === typeof current && m.kind === 'wrong-type' && typeof next !== 'object') ||
        (m.kind === 'wrong-type' && alternativeAccepts(deref(op.body!).properties?.[name], next))
      ) {
        next = typeof current === 'object' ? 'not an object' : { wrong: [current] };
      }
      (body as Record<string, unknown>)[name] = next;
      break;
    }
    case 'bad-utf8':
      if (op.body) {
        const json = JSON.stringify(body);
        raw = Buffer.concat([Buffer.from(json.slice(0, -1) + ',"bad":"'), Buffer.from(m.bytes), Buffer.from('"}')]);
      } else fallback();
      break;
    case 'oversized-body':
      if (op.body) raw = JSON.stringify({ ...(body as object), padding: 'y'.repeat(1_100_000) });
      else fallback();
      break;
    case 'bad-uuid':
      {
        const target = pathIds.find((p) => PARAMS_TO_BREAK.has(p.name))!.name;
        path = op.path.replace(/\{(\w+)\}/g, (_, name) => (name === target ? BAD_UUIDS[m.index % BAD_UUIDS.length] : encodeURIComponent(pathParam(op, name))));
      }
      break;
    case 'bad-query': {
      const params = op.parameters.filter((p) => p.in === 'query');
      if (!params.length) {
        fallback();
        break;
      }
      const p = params[m.index % params.length];
      const schema = deref(p.schema);
      const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
      const bad =
        type === 'integer' || type === 'number'
          ? ['-1', 'abc', '1e999', '100000', '1.5', 'NaN', '[1]'][m.value]
          : type === 'boolean'
            ? ['maybe', '2', 'yes please', '', 'null', '[]', 'TRUE!'][m.value]
            : schema.format === 'uuid'
              ? BAD_UUIDS[m.value]
              : schema.enum
                ? ['nope', '', 'x'.repeat(600), 'ALL', '*', '%', '\u0000'][m.value]
                : p.name === 'cursor'
                  ? ['garbage', '%%%', 'e30', 'W10', 'x'.repeat(600), 'bnVsbA', '""'][m.value]
                  : 'x'.repeat(600 + m.value);
      query.set(p.name, bad);
      break;
    }
    case 'bad-credential':
      fallback();
      break;
    case 'bad-header': {
      const choices: Array<() => boolean> = [
        () => (op.body ? ((headers['Content-Type'] = 'text/plain'), true) : false),
        () => (op.body ? ((headers['Content-Type'] = 'application/xml'), true) : false),
        () => ((headers.Authorization = 'Basic dXNlcjpwYXNz'), true),
        () => ((headers.Authorization = `Bearer ${'z'.repeat(4000)}`), true),
        () => ((headers.Authorization = 'Bearer'), true),
        () => (op.path === '/v1/me/preferences' && op.method === 'PUT' ? ((headers['If-Match'] = '"prefs-v999999"'), true) : false),
        () => (op.path === '/v1/subjects/{id}/consents' && op.method === 'POST' ? ((headers['Idempotency-Key'] = 'k'.repeat(5000)), true) : false),
        () => ((headers.Authorization = `Bearer ${world.b.brand.key.slice(0, -2)}xx`), true),
      ];
      if (!choices[m.index % choices.length]()) fallback();
      break;
    }
  }
  if (body !== undefined && raw === undefined) raw = JSON.stringify(body);
  if (deepText && typeof raw === 'string') raw = raw.replace('"__DEEP__"', deepText);
  if (raw !== undefined) headers['Content-Type'] ??= 'application/json';
  const qs = query.toString();
  return { method: op.method, url: `${base}${path}${qs ? `?${qs}` : ''}`, headers, body: raw, kind };
}

describe('schema fuzzing from docs/openapi.json', () => {
  it(`refuses ${FUZZ_REQUESTS} broken requests with 4xx problem+json and leaves the database untouched`, async () => {
    const cases = fc.sample(fc.tuple(fc.nat(fuzzable.length - 1), mutationArb, fc.nat(1_000)), { numRuns: FUZZ_REQUESTS, seed: SEED });
    const before = await fingerprint(api.databaseUrl!);
    const started = Date.now();
    const failures: string[] = [];
    const byStatus: Record<number, number> = {};
    const byKind: Record<string, number> = {};
    let sent = 0;
    const queue = [...cases];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const op = fuzzable[next[0]];
          const fitted = fit(op, next[1], next[2]);
          // Never send a destructive request whose only fault is a header.
          const m: Mutation = DESTRUCTIVE.has(`${op.method} ${op.path}`) && fitted.kind === 'bad-header' ? { kind: 'bad-credential' } : fitted;
          const req = build(op, m);
          sent++;
          byKind[req.kind] = (byKind[req.kind] ?? 0) + 1;
          const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
          const text = await res.text();
          byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
          const what = `${req.method} ${op.path} [${req.kind}] → ${res.status} ${text.slice(0, 200)}`;
          if (res.status >= 500) failures.push(`5xx: ${what}`);
          else if (res.status < 400) failures.push(`accepted: ${what}`);
          else if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? '')) failures.push(`not problem+json: ${what}`);
          else {
            const problem = JSON.parse(text);
            if (problem.status !== res.status || typeof problem.type !== 'string' || typeof problem.title !== 'string') failures.push(`bad problem: ${what}`);
          }
        }
      }),
    );
    const after = await fingerprint(api.databaseUrl!);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `schema fuzz: ${sent} requests over ${fuzzable.length} operations in ${seconds.toFixed(1)} s (seed ${SEED}); ` +
        `by mutation ${JSON.stringify(byKind)}; by status ${JSON.stringify(byStatus)}; ${failures.length} failures; ` +
        `tables changed: ${changedTables(before, after).length}`,
    );
    expect([...new Set(failures.map((f) => f.replace(/[0-9a-f-]{36}/g, '<id>')))].slice(0, 40)).toEqual([]);
    expect(changedTables(before, after)).toEqual([]);
    expect(sent).toBe(FUZZ_REQUESTS);
  }, 240_000);
});

/**
 * Problems never echo what the caller sent: a marker goes in every path parameter, every query
 * value and every string of every body of every operation (one place at a time, the rest of the
 * request plausible, so each reaches as deep into the route as it can), and no problem document
 * may contain it. The marker is also the name of unknown query parameters and unknown body fields
 * (in every object of the body): a field's name is input too. `instance` is the request's own path
 * (RFC 9457), so it must be exactly that.
 */
const MARKER = 'zq_marker_7x';
/** For UUID fields: well-formed, so it passes validation and reaches the lookup. */
const MARKER_UUID = '0badc0de-7a7a-4000-8000-00000000feed';
const markerFor = (schema: Schema | undefined): string => {
  const s = deref(schema);
  return s.format === 'uuid' ? MARKER_UUID : s.format === 'email' ? `${MARKER}@example.com` : s.format === 'uri' ? `https://example.com/${MARKER}` : MARKER;
};

/** Every path to a string inside a plausible body, with the schema of that string. */
function stringPaths(schema: Schema | undefined, value: unknown, path: Array<string | number> = []): Array<{ path: Array<string | number>; schema: Schema }> {
  const s = deref(schema);
  if (typeof value === 'string') return [{ path, schema: s }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(s.items, v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => stringPaths(s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined), v, [...path, k]));
  }
  return [];
}

/** Every path to an object (not an array) inside a plausible body, the body itself first. */
function objectPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => objectPaths(v, [...path, i]));
  if (!value || typeof value !== 'object') return [];
  return [path, ...Object.entries(value).flatMap(([k, v]) => objectPaths(v, [...path, k]))];
}

function setAt(target: unknown, path: Array<string | number>, value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
}

describe('problem documents never echo submitted values', () => {
  it('puts a marker in every path parameter, query value, body string, unknown query parameter name and unknown body field name of every operation; no problem contains it', async () => {
    interface Probe { op: Operation; where: string; url: string; path: string; body?: string }
    const probes: Probe[] = [];
    for (const op of operations) {
      const destructive = DESTRUCTIVE.has(`${op.method} ${op.path}`);
      const plain = () => {
        const query = new URLSearchParams();
        for (const p of op.parameters.filter((q) => q.in === 'query' && q.required)) query.set(p.name, String(plausible(p.schema)));
        if (op.path === '/v1/subjects/{id}/profile' || op.path === '/v1/decisions/contact') query.set('purpose', world.a.ownPurpose);
        return { query, body: op.body ? plausible(op.body) : undefined };
      };
      const url = (path: string, query: URLSearchParams) => `${path}${query.toString() ? `?${query}` : ''}`;
      const filled = (marked?: string, value = MARKER) => op.path.replace(/\{(\w+)\}/g, (_, name) => (name === marked ? value : encodeURIComponent(pathParam(op, name))));
      for (const p of op.parameters.filter((q) => q.in === 'path')) {
        for (const value of [MARKER, MARKER_UUID]) {
          const { query, body } = plain();
          const path = filled(p.name, value);
          probes.push({ op, where: `path ${p.name}`, url: url(path, query), path, body: body === undefined ? undefined : JSON.stringify(body) });
        }
      }
      if (destructive) continue;
      for (const p of op.parameters.filter((q) => q.in === 'query')) {
        const { query, body } = plain();
        query.set(p.name, markerFor(p.schema));
        const path = filled();
        probes.push({ op, where: `query ${p.name}`, url: url(path, query), path, body: body === undefined ? undefined : JSON.stringify(body) });
      }
      if (op.body) {
        for (const { path: at, schema } of stringPaths(op.body, plain().body)) {
          const { query, body } = plain();
          setAt(body, at, markerFor(schema));
          const path = filled();
          probes.push({ op, where: `body ${at.join('.')}`, url: url(path, query), path, body: JSON.stringify(body) });
        }
      }
      // The marker as the *name* of an unknown query parameter (red team: names were echoed in the detail).
      for (const name of [MARKER, `<script>${MARKER}</script>`, `${MARKER}.__proto__`]) {
        const { query, body } = plain();
        query.set(name, '1');
        const path = filled();
        probes.push({ op, where: `unknown query parameter ${name}`, url: url(path, query), path, body: body === undefined ? undefined : JSON.stringify(body) });
      }
      // …and of an unknown field in every object of the body (the top level and each nested one).
      if (op.body) {
        for (const at of objectPaths(plain().body)) {
          for (const extra of [{ [MARKER]: 'x' }, { [`<script>${MARKER}</script>`]: 1, [MARKER.toUpperCase()]: { a: 1 } }, { [MARKER]: { constructor: 1 } }, { [MARKER]: 'nul\u0000' }]) {
            const { query, body } = plain();
            const target = at.reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, body as Record<string, unknown>);
            Object.assign(target, extra);
            const path = filled();
            probes.push({ op, where: `unknown body field in ${at.join('.') || '(top)'}`, url: url(path, query), path, body: JSON.stringify(body) });
          }
        }
      }
    }
    // Requests that reach no operation: an unknown route, a body that is not JSON.
    const subjects = operations.find((o) => o.method === 'POST' && o.path === '/v1/subjects')!;
    probes.push({ op: { ...subjects, method: 'GET', path: `/v1/${MARKER}` }, where: 'unknown route', url: `/v1/${MARKER}`, path: `/v1/${MARKER}` });
    probes.push({ op: subjects, where: 'malformed JSON', url: '/v1/subjects', path: '/v1/subjects', body: `{"externalId": ${MARKER}}` });
    probes.push({ op: subjects, where: 'truncated JSON', url: '/v1/subjects', path: '/v1/subjects', body: `{"externalId": "${MARKER}` });
    const failures: string[] = [];
    let problemsSeen = 0;
    for (const probe of probes) {
      const headers: Record<string, string> = { Accept: 'application/json' };
      const token = credential(probe.op);
      if (token) headers.Authorization = `Bearer ${token}`;
      if (probe.body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(`${base}${probe.url}`, { method: probe.op.method, headers, body: probe.body });
      const text = await res.text();
      if (res.status < 400) continue;
      problemsSeen++;
      const what = `${probe.op.method} ${probe.op.path} [${probe.where}] → ${res.status} ${text.slice(0, 300)}`;
      if (res.status >= 500) failures.push(`5xx: ${what}`);
      let problem: Record<string, unknown>;
      try {
        problem = JSON.parse(text);
      } catch {
        failures.push(`not JSON: ${what}`);
        continue;
      }
      const { instance, ...rest } = problem;
      const echoed = JSON.stringify(rest).toLowerCase();
      if (echoed.includes(MARKER) || echoed.includes(MARKER_UUID)) failures.push(`echoes the marker: ${what}`);
      if (instance !== probe.path) failures.push(`instance is not the request path: ${what}`);
    }
    console.log(`echo probe: ${probes.length} requests over ${operations.length} operations, ${problemsSeen} problems, ${failures.length} failures`);
    expect(failures.slice(0, 40)).toEqual([]);
    expect(problemsSeen).toBeGreaterThan(50);
  }, 120_000);
});

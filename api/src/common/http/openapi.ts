import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { RouteAccess, routeAccess } from '../authz/abilities';
import type { Action, Resource } from '../authz/abilities';
import { ACCESS_EXTENSION, PUBLIC_EXTENSION } from '../authz/decorators';
import { applyQueryRules, applyRequestRules } from './openapi-constraints';
import { EXAMPLE_EXTENSION, PROBLEM_STATUS_DESCRIPTIONS, ProblemDto, registeredSchemaComponents, UPLOAD_EXTENSION } from './openapi.decorators';

/** Where the API answers by default (`npm start`); CANDOR_PUBLIC_URL names the public one. */
export const DEFAULT_SERVER_URL = 'http://localhost:3000';

/** Every tag an operation may carry, described. An operation with another tag fails the build. */
export const API_TAGS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'configuration', description: 'What a brand sets up: the brand itself, API keys and their scopes, purposes with their notice versions, and progressive-profiling questions.' },
  { name: 'subjects', description: 'A brand\'s customers (subjects): create and find them, record zero-party facts with provenance, and read a profile for one stated purpose.' },
  { name: 'consent', description: 'The consent ledger: capture decisions against exact notice versions, read a subject\'s consent state and history, and verify the hash chain.' },
  { name: 'decisions', description: 'Ask before every message: contact decisions (consent, channel, frequency caps, quiet hours, suppressions), and recording what was sent.' },
  { name: 'audiences', description: 'Subjects with standing consent for a purpose (and channel), filtered by facts: count them or page through them.' },
  { name: 'recommendations', description: 'The catalogue a brand may recommend from, and recommendations explained by the consented facts they used.' },
  { name: 'compliance', description: 'Privacy requests with legal deadlines, exports, erasure (one or in bulk), retention, records of processing and the audit log.' },
  { name: 'imports', description: 'Bulk NDJSON imports of subjects, consents, facts and preferences, staged and merged in the background.' },
  { name: 'webhooks', description: 'Signed deliveries (Standard Webhooks) of consent, preference, fact, erasure and privacy-request events, and their delivery history.' },
  { name: 'customers', description: 'The signed-in customer\'s own data (`/v1/me`): sign-in, facts, consents, preferences, questions, recommendations, export and erasure.' },
  { name: 'staff', description: 'The brand\'s staff console: staff accounts, their sign-in and consent statistics.' },
  { name: 'operations', description: 'Liveness and readiness for orchestrators and load balancers.' },
];

const SECURITY_SCHEMES = {
  brandKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'cnd_…',
    description: 'A brand\'s API key (`Authorization: Bearer cnd_…`). Each key carries scopes; an operation lists the scopes that allow it as this requirement\'s roles (any one requirement suffices).',
  },
  customerSession: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'cst_…',
    description: 'A signed-in customer\'s session token (`POST /v1/auth/sessions`). It reaches only that customer\'s own data.',
  },
  staffSession: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'sss_…',
    description: 'A staff member\'s console session (`POST /v1/auth/staff-sessions`); roles are viewer, compliance and admin.',
  },
  operatorKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'The platform operator\'s key (CANDOR_ADMIN_KEY). It may only create brands.',
  },
} as const;

const HEADERS = {
  'X-Request-Id': {
    description: 'The request\'s id: the one sent in `X-Request-Id` when it is 1–64 letters, digits, `.`, `_` or `-`, else a new UUID. Also the `traceId` of problem documents and the id in the logs.',
    schema: { type: 'string', maxLength: 64 },
  },
  RateLimit: {
    description: 'Requests left in this window and seconds until it resets (IETF RateLimit fields), e.g. `"per-credential";r=99;t=7`. Absent when limits are off (CANDOR_RATE_LIMIT=0).',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: 'The limit: requests per window per credential (or per address without one), e.g. `"per-credential";q=100000;w=10`.',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 0 } },
} as const;

const PARAMETERS = {
  XRequestId: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description: 'Your id for this request, echoed in the response and the logs (1–64 of `A–Z a–z 0–9 . _ -`; anything else is replaced).',
    schema: { type: 'string', maxLength: 64 },
  },
  SecGpc: {
    name: 'Sec-GPC',
    in: 'header',
    required: false,
    description: 'Global Privacy Control. With a customer session, `1` withdraws consent for every purpose that sells or shares data (recorded with source `gpc`) before the request is handled.',
    schema: { type: 'string', enum: ['1'] },
  },
} as const;

/** Words for parameters whose DTO or route does not describe them (the same everywhere they appear). */
const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  'query:limit': 'Items per page (1–200; 50 when left out).',
  'query:status': 'Only items in this status.',
  'query:subjectId': 'The subject (UUID).',
  'query:purpose': 'The purpose (its key, such as `email_marketing`).',
  'query:channel': 'The channel the message would go out on.',
  'query:days': 'Days covered, ending today (UTC).',
  'path:slug': 'The brand\'s slug, as in portal URLs (`calm-harbor`).',
  'path:key': 'The key (lower-case letters, digits and `_`, such as `email_marketing`).',
  'path:purpose': 'The purpose\'s key (such as `email_marketing`).',
  'path:sku': 'The catalogue item\'s SKU (letters, digits, `.`, `-`, `_`).',
  'path:token': 'The token from the emailed link.',
};

/** "The subject's id (UUID)." for `/v1/subjects/{id}…`, from the path segment before `{id}`. */
function describePathId(parameter: { in: string; name: string }, path: string): string | undefined {
  if (parameter.in !== 'path' || parameter.name !== 'id') return undefined;
  const collection = /\/([a-z-]+)\/\{id\}/.exec(path)?.[1] ?? 'resource';
  const what = { subjects: 'subject', 'api-keys': 'API key', webhooks: 'webhook', 'privacy-requests': 'privacy request', staff: 'staff member', imports: 'import', 'erasure-jobs': 'bulk erasure', facts: 'fact', receipts: 'consent event' }[collection] ?? collection;
  return `The ${what}'s id (UUID).`;
}

/** Routes never rate-limited (health checks). */
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz']);

export interface OpenApiOptions {
  /** The `servers` URL; default http://localhost:3000. */
  serverUrl?: string;
}

/**
 * Builds the OpenAPI 3.1 document from the controllers and DTOs, then completes it in one place:
 * who may call each operation (from the CASL abilities), the validation rules of every request DTO,
 * the problem responses and headers every route shares, request examples and a curl example per
 * operation, tags, servers and security schemes. `@nestjs/swagger` writes a few 3.0 forms; they
 * are rewritten (`nullable: true` → a `null` member in `type`).
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions = {}): OpenAPIObject {
  const serverUrl = options.serverUrl ?? DEFAULT_SERVER_URL;
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Candor API')
    .setDescription(
      'Consent, preferences and zero-party profiles. Brands call it with API keys (`Bearer cnd_…`) carrying scopes; ' +
        'customers with session tokens; staff with console sessions; the platform operator with the operator key. ' +
        'Every error is an RFC 9457 `application/problem+json` document. Lists page with `limit` and `cursor` and answer ' +
        '`{ data, nextCursor }`. docs/api-guide.md explains credentials, headers (`X-Request-Id`, `Sec-GPC`, the RateLimit ' +
        'fields), conditional requests and paging.',
    )
    .setVersion('1')
    .build();
  const raw = SwaggerModule.createDocument(app, config, {
    // Every operation names itself (ApiOp); this fallback only shows up, and fails the tests, when one does not.
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  const document = toOpenApi31(raw) as OpenAPIObject & Record<string, any>;
  applyRequestRules(document as never);
  applyQueryRules(app, document as never);

  document.servers = [
    {
      url: serverUrl,
      description:
        serverUrl === DEFAULT_SERVER_URL
          ? 'A local Candor (`npm start`). A deployment names its public address with CANDOR_PUBLIC_URL, which this document then lists instead.'
          : 'This deployment (CANDOR_PUBLIC_URL).',
    },
  ];
  document.tags = API_TAGS.map((t) => ({ ...t }));
  document.components ??= {};
  document.components.schemas ??= {};
  for (const [name, schema] of registeredSchemaComponents()) document.components.schemas[name] = structuredClone(schema) as never;
  document.components.securitySchemes = structuredClone(SECURITY_SCHEMES) as never;
  (document.components as Record<string, unknown>).headers = structuredClone(HEADERS);
  (document.components as Record<string, unknown>).parameters = structuredClone(PARAMETERS);
  const declared = new Set(API_TAGS.map((t) => t.name));
  const ids = new Set<string>();

  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, any>)) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const tag of operation.tags ?? []) {
        if (!declared.has(tag)) throw new Error(`${where} has the tag "${tag}", which API_TAGS in common/http/openapi.ts does not declare.`);
      }
      if (ids.has(operation.operationId)) throw new Error(`${where} repeats the operationId "${operation.operationId}".`);
      ids.add(operation.operationId);

      const upload = operation[UPLOAD_EXTENSION];
      delete operation[UPLOAD_EXTENSION];
      if (upload) operation.requestBody = upload;
      const example = operation[EXAMPLE_EXTENSION];
      delete operation[EXAMPLE_EXTENSION];
      const json = operation.requestBody?.content?.['application/json'];
      if (json) json.example = example ? example.value : exampleOf(json.schema, document);

      const access = operation[ACCESS_EXTENSION] as { action: Action; resource: Resource } | undefined;
      const isPublic = operation[PUBLIC_EXTENSION] === true;
      delete operation[ACCESS_EXTENSION];
      delete operation[PUBLIC_EXTENSION];
      if (!access && !isPublic) throw new Error(`${where} declares neither @Can nor @Public: the guard closes it to everyone.`);
      const who = access ? routeAccess(access.action, access.resource) : null;
      operation.security = who ? securityOf(who) : [];

      for (const parameter of operation.parameters ?? []) {
        parameter.description ??= PARAMETER_DESCRIPTIONS[`${parameter.in}:${parameter.name}`] ?? describePathId(parameter, path);
      }
      operation.parameters = [
        ...(operation.parameters ?? []),
        { $ref: '#/components/parameters/XRequestId' },
        ...(who?.customer ? [{ $ref: '#/components/parameters/SecGpc' }] : []),
      ];
      addSharedResponses(operation, { authenticated: !!who, body: !!operation.requestBody && !upload, limited: !UNLIMITED_PATHS.has(path), subject: SUBJECT_PATH.test(path) });
      operation.description = [
        operation.description?.trim(),
        `**Who may call it:** ${who ? describeAccess(who) : 'anyone; no credential is needed.'}`,
        `**Example**\n\n\`\`\`sh\n${curlExample(method, path, operation, serverUrl, !!who)}\n\`\`\``,
      ]
        .filter(Boolean)
        .join('\n\n');
    }
  }
  return document;
}

/** The security requirements (alternatives) for who may call. */
function securityOf(who: RouteAccess): Array<Record<string, string[]>> {
  return [
    ...who.scopes.map((set) => ({ brandKey: set })),
    ...who.staffRoles.map((role) => ({ staffSession: [role] })),
    ...(who.customer ? [{ customerSession: [] }] : []),
    ...(who.operator ? [{ operatorKey: [] }] : []),
  ];
}

function list(words: readonly string[], join = 'or'): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} ${join} ${words[words.length - 1]}`;
}

/** "a brand key with `compliance`; a staff session (compliance or admin)". */
export function describeAccess(who: RouteAccess): string {
  const parts: string[] = [];
  if (who.scopes.length === 1 && who.scopes[0].length === 0) parts.push('any brand key');
  else if (who.scopes.length) {
    const sets = who.scopes.map((set) => list(set.map((s) => `\`${s}\``), 'and'));
    parts.push(`a brand key with the scope${who.scopes.some((s) => s.length > 1) || who.scopes.length > 1 ? 's' : ''} ${list(sets)}`);
  }
  if (who.staffRoles.length) parts.push(`a staff session (${list(who.staffRoles)})`);
  if (who.customer) parts.push('a customer session (their own data only)');
  if (who.operator) parts.push('the operator key');
  return parts.length ? `${parts.join('; ')}.` : 'no credential (the route is closed).';
}

const problem = (status: number) => ({
  description: PROBLEM_STATUS_DESCRIPTIONS[status] ?? 'Problem',
  content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${ProblemDto.name}` } } },
});

/**
 * Adds what every route shares: the problems it can answer with whatever it does, and the response
 * headers (`X-Request-Id` on all, the RateLimit fields on limited routes, `Retry-After` on 429/503).
 */
/**
 * Every route of one subject answers 404 for an id the brand does not hold and 410 for a record that
 * was erased or merged into another (`subject-merged` with `mergedInto`): one subject lookup serves
 * them all (identifiers-merge.e2e-spec calls each with a merged-away id).
 */
const SUBJECT_PATH = /^\/v1\/subjects\/\{id\}(\/|$)/;

function addSharedResponses(operation: Record<string, any>, route: { authenticated: boolean; body: boolean; limited: boolean; subject: boolean }): void {
  const responses: Record<string, any> = (operation.responses ??= {});
  const shared = [
    ...(route.subject ? [404, 410] : []),
    ...(route.body ? [400, 413, 415] : []),
    ...(route.authenticated ? [401, 403] : []),
    422,
    ...(route.limited ? [429] : []),
    500,
    503,
  ];
  for (const status of shared) responses[status] ??= problem(status);
  // A problem a route documents without a body (its own decorator) still answers with the problem schema.
  for (const [status, response] of Object.entries(responses)) if (Number(status) >= 400 && !response.content) response.content = problem(Number(status)).content;
  for (const [status, response] of Object.entries(responses)) {
    if (response.$ref) continue;
    response.headers = {
      ...(response.headers ?? {}),
      'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' },
      ...(route.limited ? { RateLimit: { $ref: '#/components/headers/RateLimit' }, 'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' } } : {}),
      ...(status === '429' || status === '503' ? { 'Retry-After': { $ref: '#/components/headers/Retry-After' } } : {}),
    };
  }
  operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

/** A request body made of the schema's examples: required properties and every one with an example. */
function exampleOf(schema: any, document: Record<string, any>, depth = 0): unknown {
  const s = resolve(schema, document);
  if (!s || depth > 6) return undefined;
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  // One of several shapes (a fact value: text, number, yes/no or a list): the first one's example.
  if (!s.type && (s.oneOf ?? s.anyOf)?.length) return exampleOf((s.oneOf ?? s.anyOf)[0], document, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  if (type === 'array') {
    const item = exampleOf(s.items, document, depth + 1);
    return item === undefined ? [] : Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => item);
  }
  if (type === 'object' || s.properties) {
    const out: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries<any>(s.properties ?? {})) {
      const p = resolve(prop, document);
      if (!(s.required ?? []).includes(name) && p?.example === undefined) continue;
      const value = exampleOf(prop, document, depth + 1);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  if (type === 'string') return s.format === 'uuid' ? '0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10' : s.format === 'date-time' ? '2026-03-02T09:30:00Z' : 'text';
  if (type === 'integer' || type === 'number') return s.minimum ?? 1;
  if (type === 'boolean') return true;
  return undefined;
}

function resolve(schema: any, document: Record<string, any>): any {
  let s = schema;
  for (let i = 0; s && i < 10; i++) {
    if (s.$ref) s = document.components.schemas[s.$ref.split('/').pop()];
    else if (s.allOf?.length === 1) s = { ...s.allOf[0], ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'allOf')) };
    else break;
  }
  return s;
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** A curl command for the operation: placeholders for path ids, required query parameters with their examples, the body example. */
function curlExample(method: string, path: string, operation: Record<string, any>, serverUrl: string, authenticated: boolean): string {
  const query = (operation.parameters ?? [])
    .filter((p: any) => p.in === 'query' && p.required)
    .map((p: any) => `${p.name}=${encodeURIComponent(String(p.example ?? p.schema?.example ?? `<${p.name}>`))}`);
  const url = `${serverUrl}${path.replace(/\{(\w+)\}/g, '<$1>')}${query.length ? `?${query.join('&')}` : ''}`;
  const lines = [`curl${method === 'get' ? '' : ` -X ${method.toUpperCase()}`} ${shellQuote(url)}`];
  if (authenticated) lines.push('-H "Authorization: Bearer $CANDOR_TOKEN"');
  const content = operation.requestBody?.content ?? {};
  if (content['application/json']) {
    lines.push("-H 'Content-Type: application/json'", `-d ${shellQuote(JSON.stringify(content['application/json'].example ?? {}))}`);
  } else if (content['application/x-ndjson']) {
    lines.push("-H 'Content-Type: application/x-ndjson'", '--data-binary @lines.ndjson');
  }
  return lines.join(' \\\n  ');
}

function toOpenApi31(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApi31);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = toOpenApi31(value);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    else if (out.$ref || out.allOf || out.oneOf) {
      const { description, ...schema } = out;
      return { ...(description ? { description } : {}), oneOf: [schema, { type: 'null' }] };
    }
  } else if (out.nullable === false) {
    delete out.nullable;
  }
  return out;
}

/** Stable, pretty JSON for the committed `docs/openapi.json`. */
export function serialiseOpenApi(document: OpenAPIObject): string {
  return JSON.stringify(document, null, 2) + '\n';
}

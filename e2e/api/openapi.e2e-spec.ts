import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../api/src/openapi-document';
import { DemoSeeder } from '../../api/src/modules/demo/demo.seeder';
import { startApi, TestApi } from '../support/api';
import { bearer } from '../support/factories';

const ROOT = resolve(__dirname, '../..');
const committed = () => readFileSync(resolve(ROOT, 'docs/openapi.json'), 'utf8');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

describe('docs/openapi.json', () => {
  it('matches the document generated from the code (run `npm run openapi` after changing the API)', async () => {
    expect(committed()).toBe(await renderOpenApi());
  });
});

describe('the OpenAPI document', () => {
  const document = JSON.parse(committed());
  const operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => (METHODS as readonly string[]).includes(method))
      .map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, method, path, op })),
  );

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('names every operation resource-style in camelCase, summarises and describes it with who may call it and an example', () => {
    const faults: string[] = [];
    for (const { where, op } of operations) {
      if (!/^[a-z][a-zA-Z0-9]+$/.test(op.operationId ?? '')) faults.push(`${where}: operationId ${op.operationId}`);
      if (!op.summary?.trim()) faults.push(`${where}: no summary`);
      if (!/\*\*Who may call it:\*\* \S/.test(op.description ?? '')) faults.push(`${where}: description does not say who may call it`);
      if (!/\*\*Example\*\*\n\n```sh\ncurl /.test(op.description ?? '')) faults.push(`${where}: description has no example`);
      if (!Array.isArray(op.security)) faults.push(`${where}: no security`);
      if (!op.tags?.length) faults.push(`${where}: no tag`);
    }
    expect(faults).toEqual([]);
    expect(new Set(operations.map((o) => o.op.operationId)).size).toBe(operations.length);
  });

  it('declares every tag it uses, each with a description', () => {
    const declared = new Map((document.tags as Array<{ name: string; description?: string }>).map((t) => [t.name, t.description]));
    for (const { op } of operations) for (const tag of op.tags) expect(declared.has(tag), tag).toBe(true);
    for (const [name, description] of declared) expect(description?.trim(), name).toBeTruthy();
  });

  it('names the default local server and says how to set the public one', () => {
    expect(document.servers).toEqual([{ url: 'http://localhost:3000', description: expect.stringContaining('CANDOR_PUBLIC_URL') }]);
  });

  it('describes brand keys as cnd_ keys, not JWTs, and scopes each operation from the abilities', () => {
    expect(document.components.securitySchemes.brandKey).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'cnd_…' });
    expect(JSON.stringify(document.components.securitySchemes)).not.toContain('JWT');
    const op = (path: string, method: string) => document.paths[path][method];
    expect(op('/v1/privacy-requests', 'post').security).toContainEqual({ brandKey: ['compliance'] });
    expect(op('/v1/subjects/{id}/consents', 'get').security).toEqual(expect.arrayContaining([{ brandKey: ['consents:read'] }, { brandKey: ['compliance'] }]));
    expect(op('/v1/me', 'get').security).toEqual([{ customerSession: [] }]);
    expect(op('/v1/brands', 'post').security).toEqual([{ operatorKey: [] }]);
    for (const path of ['/healthz', '/readyz', '/v1/auth/magic-links', '/v1/brands/by-slug/{slug}']) {
      const item = document.paths[path];
      for (const method of Object.keys(item)) expect(item[method].security, `${method} ${path}`).toEqual([]);
    }
  });

  it('types what the server enforces: integer limits, lengths, sizes, patterns, enums, closed bodies', () => {
    const s = document.components.schemas;
    const limit = document.paths['/v1/subjects'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 200 });
    expect(s.CreateApiKeyDto).toMatchObject({ additionalProperties: false });
    expect(s.CreateApiKeyDto.properties.scopes).toMatchObject({ minItems: 1, uniqueItems: true });
    expect(s.CreateApiKeyDto.properties.name).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(s.CreatePurposeDto.properties.name).toMatchObject({ type: 'object', minProperties: 1 });
    expect(s.CreateQuestionDto.properties.options).toMatchObject({ minItems: 2, maxItems: 50 });
    expect(s.ApiKeyResponse.properties.revokedAt.type).toEqual(['string', 'null']);
    expect(s.RecordContactDto.properties.at).toMatchObject({ type: 'string', format: 'date-time' });
    for (const [name, schema] of Object.entries<any>(s)) {
      for (const [prop, p] of Object.entries<any>(schema.properties ?? {})) {
        expect(p.type === 'object' && p.format === 'date-time', `${name}.${prop}`).toBe(false);
        expect(Array.isArray(p.type) && p.type.includes('object') && p.format === 'date-time', `${name}.${prop}`).toBe(false);
      }
    }
  });

  it('gives every list operation limit and cursor and a { data, nextCursor } page', () => {
    const lists = operations.filter(({ op }) => {
      const ok = op.responses['200']?.content?.['application/json']?.schema;
      return ok?.properties?.nextCursor !== undefined;
    });
    expect(lists.length).toBeGreaterThanOrEqual(17);
    for (const { where, op } of lists) {
      const names = (op.parameters ?? []).map((p: { name?: string }) => p.name);
      const body = op.requestBody?.content?.['application/json']?.schema;
      const inBody = body?.$ref ? document.components.schemas[body.$ref.split('/').pop()].properties : body?.properties;
      expect(names.includes('limit') || 'limit' in (inBody ?? {}), `${where} takes limit`).toBe(true);
      expect(names.includes('cursor') || 'cursor' in (inBody ?? {}), `${where} takes cursor`).toBe(true);
    }
  });

  it('documents the export schema, the HTML export, the import body and the NDJSON uploads', () => {
    const exportOk = document.paths['/v1/subjects/{id}/export'].get.responses['200'].content;
    expect(exportOk['application/json'].schema).toEqual({ $ref: '#/components/schemas/SubjectExport' });
    expect(exportOk['text/html'].schema.type).toBe('string');
    expect(document.paths['/v1/me/export'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SubjectExport' });
    expect(document.paths['/v1/subjects/import'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SubjectExport' });
    const exportFile = JSON.parse(readFileSync(resolve(ROOT, 'docs/export.schema.json'), 'utf8'));
    const { $schema: _s, $id: _i, ...component } = exportFile;
    expect(document.components.schemas.SubjectExport).toEqual(component);
    for (const path of ['/v1/imports', '/v1/erasure-jobs']) {
      const body = document.paths[path].post.requestBody;
      expect(body.required).toBe(true);
      expect(body.content['application/x-ndjson'].schema['x-line-schema']).toBeTruthy();
      expect(body.content['application/x-ndjson'].example).toMatch(/\n$/);
    }
  });

  it('lists the problems every route can give, with the problem schema, and the shared headers', () => {
    for (const { where, path, op } of operations) {
      const statuses = Object.keys(op.responses);
      const needsCredential = op.security.length > 0;
      const expected = ['422', '500', '503', ...(needsCredential ? ['401', '403'] : []), ...(op.requestBody?.content?.['application/json'] ? ['400', '413', '415'] : [])];
      if (!['/healthz', '/readyz'].includes(path)) expected.push('429');
      for (const status of expected) expect(statuses, `${where} documents ${status}`).toContain(status);
      for (const [status, response] of Object.entries<any>(op.responses)) {
        if (Number(status) >= 400) expect(response.content['application/problem+json'].schema, `${where} ${status}`).toEqual({ $ref: '#/components/schemas/ProblemDto' });
        expect(response.headers['X-Request-Id'], `${where} ${status}`).toBeTruthy();
      }
    }
  });
});

describe('the served document', () => {
  let api: TestApi;
  let served: Record<string, any>;
  beforeAll(async () => {
    api = await startApi();
    const res = await api.http.get('/openapi.json');
    expect(res.status).toBe(200);
    served = res.body;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is the committed document', () => {
    expect(served).toEqual(JSON.parse(committed()));
  });

  it('passes Redocly CLI\'s recommended rules with no error and no warning (redocly.yaml)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'candor-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(served));
      const cli = resolve(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
      const run = await promisify(execFile)(process.execPath, [cli, 'lint', file, '--config', resolve(ROOT, 'redocly.yaml'), '--format', 'json'], {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
      const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
      const problems = (report.problems as Array<{ ruleId: string; severity: string; message: string }>).map((p) => `${p.severity} ${p.ruleId}: ${p.message}`);
      expect(problems.slice(0, 30)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/**
 * Every documented request example is sent — on the demo data, with a credential the operation
 * documents — and the answer must be a status the operation documents, with a body valid against
 * the schema documented for that status and media type. Examples that create, change or read
 * something the demo has must succeed (2xx).
 */
describe('documented examples', () => {
  const document = JSON.parse(committed());
  let api: TestApi;
  const ids: Record<string, string> = {};
  let brandKey = '';
  let session = '';
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const inDefs = (schema: unknown) => JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"candor-openapi#/$defs/'));
  ajv.addSchema({ $id: 'candor-openapi', $defs: inDefs(document.components.schemas) });
  const validatorFor = (schema: unknown) => ajv.compile(inDefs(schema));

  beforeAll(async () => {
    api = await startApi({ env: { CANDOR_WEBHOOK_ALLOW_HOSTS: 'crm.example.com', CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_SIGNIN_LIMIT: '0' } });
    const banner = await api.app.get(DemoSeeder).seed();
    brandKey = /\(calm-harbor\) API key (cnd_\S+)/.exec(banner.join('\n'))![1];
    const auth = bearer(brandKey);
    const subjects = await api.http.get('/v1/subjects').query({ externalId: 'ch-member-1001' }).set(auth);
    ids.subject = subjects.body.data[0].id;
    const [link] = await api.app.get(DemoSeeder).portalLinks();
    const token = link.url.split('/link/')[1];
    session = (await api.http.post('/v1/auth/sessions').send({ token })).body.sessionToken;
    const me = await api.http.get('/v1/me').set(bearer(session));
    ids.fact = me.body.facts[0].id;
    ids.consentEvent = (await api.http.get('/v1/me/consents').set(bearer(session))).body.data[0].id;
    ids.apiKey = (await api.http.post('/v1/api-keys').set(auth).send({ name: 'spare', scopes: ['consents:read'] })).body.id;
    ids.staff = (await api.http.post('/v1/staff').set(auth).send({ email: 'viewer@calmharbor.example', name: 'Viewer', role: 'viewer' })).body.id;
    ids.webhook = (await api.http.post('/v1/webhooks').set(auth).send({ url: 'https://crm.example.com/spare', events: ['consent.changed'] })).body.id;
    ids.privacyRequest = (await api.http.post('/v1/privacy-requests').set(auth).send({ subjectId: ids.subject, type: 'rectification' })).body.id;
    ids.import = (await api.http.post('/v1/imports').set(auth).set('Content-Type', 'application/x-ndjson').send('{"type":"subject","externalId":"spare-1"}\n')).body.id;
    ids.erasureJob = (await api.http.post('/v1/erasure-jobs').set(auth).set('Content-Type', 'application/x-ndjson').send('{"externalId":"nobody"}\n')).body.id;
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  const pathParam = (path: string, name: string): string => {
    if (name === 'slug') return 'calm-harbor';
    if (name === 'sku') return 'sleep-stories';
    if (name === 'purpose') return 'email_marketing';
    if (name === 'token') return 'unknown-receipt-token';
    if (name === 'key') return path.startsWith('/v1/me/questions') ? 'why_meditate' : path.startsWith('/v1/purpose-catalogue') ? 'analytics' : 'email_marketing';
    if (path.startsWith('/v1/me/facts')) return ids.fact;
    if (path.startsWith('/v1/me/consents/receipts')) return ids.consentEvent;
    if (path.startsWith('/v1/api-keys')) return ids.apiKey;
    if (path.startsWith('/v1/staff')) return ids.staff;
    if (path.startsWith('/v1/webhooks')) return ids.webhook;
    if (path.startsWith('/v1/privacy-requests')) return ids.privacyRequest;
    if (path.startsWith('/v1/imports')) return ids.import;
    if (path.startsWith('/v1/erasure-jobs')) return ids.erasureJob;
    return ids.subject;
  };

  /** Operations whose example ends the caller's session, erases, or needs a document or token only a real flow produces. */
  const NOT_SENT = new Set(['eraseMe', 'endSession', 'endStaffSession', 'importSubject', 'createErasureJob']);
  /** Examples that must succeed on the demo data. */
  const MUST_SUCCEED = new Set([
    'createSubject', 'captureConsent', 'recordFact', 'recordContact', 'createSuppression', 'queryAudience', 'countAudience', 'decideContacts',
    'upsertCatalogItem', 'upsertCatalogItems', 'recommend', 'createApiKey', 'createWebhook', 'filePrivacyRequest', 'executePrivacyRequest',
    'createStaff', 'setRetentionPeriod', 'addMyFact', 'correctMyFact', 'setMyConsent', 'answerMyQuestion', 'giveRecommendationFeedback',
    'requestMagicLink', 'requestStaffLink', 'createImport', 'listSubjects', 'getSubject', 'exportSubject', 'listConsentRecords', 'listAuditLog',
    'getRecordsOfProcessing', 'runRetention', 'getMe', 'exportMyData', 'listMyConsents', 'listCatalogItems', 'listPurposes', 'getHealth',
  ]);

  it('sends each example and gets a documented answer that matches its schema', async () => {
    const failures: string[] = [];
    let sent = 0;
    const ordered = Object.entries(document.paths as Record<string, Record<string, any>>)
      .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })))
      // Reads first, then writes, then deletions (which would take away what later examples use).
      .sort((a, b) => ['get', 'post', 'put', 'patch', 'delete'].indexOf(a.method) - ['get', 'post', 'put', 'patch', 'delete'].indexOf(b.method));
    for (const { path, method, op } of ordered) {
      if (NOT_SENT.has(op.operationId)) continue;
      const security: Array<Record<string, string[]>> = op.security;
      const credential = security.length === 0 ? null : security.some((s) => 'brandKey' in s) ? brandKey : security.some((s) => 'customerSession' in s) ? session : security.some((s) => 'operatorKey' in s) ? api.adminKey : null;
      if (security.length && !credential) continue; // staff-only routes: a console session is exercised by the staff spec
      const url = path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(pathParam(path, name)));
      const query: Record<string, string> = {};
      for (const p of op.parameters ?? []) if (p.in === 'query' && p.required) query[p.name] = p.name === 'subjectId' ? ids.subject : p.name === 'channel' ? 'email' : String(p.schema?.example ?? 'email_marketing');
      let req = (api.http as any)[method](url).query(query);
      if (credential) req = req.set(bearer(credential));
      if (path === '/v1/me/preferences' && method === 'put') req = req.set('If-Match', (await api.http.get('/v1/me/preferences').set(bearer(session))).headers.etag);
      const json = op.requestBody?.content?.['application/json'];
      const ndjson = op.requestBody?.content?.['application/x-ndjson'];
      if (json) req = req.send(JSON.parse(JSON.stringify(json.example).replaceAll('0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10', ids.subject)));
      else if (ndjson) req = req.set('Content-Type', 'application/x-ndjson').send(ndjson.example);
      const res = await req;
      sent++;
      const where = `${op.operationId} (${method.toUpperCase()} ${path}) → ${res.status}`;
      const documented = op.responses[String(res.status)];
      if (!documented) {
        failures.push(`${where}: status not documented ${JSON.stringify(res.body).slice(0, 200)}`);
        continue;
      }
      if (MUST_SUCCEED.has(op.operationId) && res.status >= 300) failures.push(`${where}: the example should succeed ${JSON.stringify(res.body).slice(0, 300)}`);
      if (res.status === 204) continue;
      const type = String(res.headers['content-type'] ?? '').split(';')[0];
      const schema = documented.content?.[type]?.schema;
      if (!schema) {
        failures.push(`${where}: ${type} is not documented for this status`);
        continue;
      }
      const validate = validatorFor(schema);
      const body = type === 'text/html' ? res.text : res.body;
      if (!validate(body)) failures.push(`${where}: ${ajv.errorsText(validate.errors).slice(0, 400)}`);
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(70);
  }, 180_000);

  it('documents the HTML export as text/html', async () => {
    const res = await api.http.get(`/v1/subjects/${ids.subject}/export`).set(bearer(brandKey)).set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(document.paths['/v1/subjects/{id}/export'].get.responses['200'].content['text/html']).toBeTruthy();
  });
});

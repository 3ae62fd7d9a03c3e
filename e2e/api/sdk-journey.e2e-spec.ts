import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CandorProblemError,
  createCandorClient,
  verifyWebhook,
  WebhookVerificationError,
  type CandorClient,
  type ImportLine,
  type RetryEvent,
  type UploadProgress,
} from '@candor/sdk';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { startApi, TestApi } from '../support/api';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * A brand's whole integration through @candor/sdk (the package built from docs/openapi.json: run
 * `npm run build --workspace sdk` first, as `npm test` does), against the real API listening on a
 * port: every call below goes over HTTP exactly as a brand's server would send it.
 */

let api: TestApi;
let server: Server;
let baseUrl: string;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  api = await startApi({ env: { CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_WEBHOOK_RETRY_BASE_MS: '5' } });
  server = api.app.getHttpServer() as Server;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await api?.close();
  await receiver?.stop();
});

/** Delivery rounds until the receiver has what the test waits for (the worker is driven by the test). */
async function deliveries(until: () => boolean): Promise<void> {
  const worker = api.app.get(DeliveryWorker);
  for (let round = 0; round < 50 && !until(); round++) {
    await worker.deliverDue();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a thrown promise threw, to look at a CandorProblemError's fields. */
async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('a brand integrates through @candor/sdk', () => {
  let candor: CandorClient;

  beforeAll(async () => {
    // The operator creates the brand with the same client: any bearer credential works.
    const operator = createCandorClient({ baseUrl, apiKey: api.adminKey });
    const brand = await operator.createBrand({ body: { slug: `sdk-harbor-${Date.now().toString(36)}`, name: 'SDK Harbor', defaultLocale: 'en' } });
    candor = createCandorClient({ baseUrl, apiKey: brand.apiKey.key });
    for (const key of ['email_marketing', 'personalization']) await candor.adoptCataloguePurpose({ path: { key } });
  });

  it('creates a subject, captures consent, decides, writes a fact, reads a purpose-scoped profile, recommends and exports', async () => {
    const subject = await candor.createSubject({ body: { externalId: 'sdk-member-1', email: 'ingrid.sdk@example.com', locale: 'en' } });
    expect(subject).toMatchObject({ externalId: 'sdk-member-1', email: 'ingrid.sdk@example.com' });

    const granted = await candor.captureConsent({ path: { id: subject.id }, body: { purpose: 'email_marketing', granted: true, source: 'signup-form' } });
    expect(granted).toMatchObject({ purpose: 'email_marketing', granted: true });
    // A key of our own: the same write sent twice is recorded once.
    const again = { path: { id: subject.id }, body: { purpose: 'personalization', granted: true }, headers: { 'Idempotency-Key': 'signup-sdk-1' } };
    const first = await candor.captureConsent(again);
    const repeat = await candor.captureConsent(again);
    expect('id' in first && 'id' in repeat && repeat.id === first.id).toBe(true);

    const decision = await candor.decideContact({ query: { subjectId: subject.id, purpose: 'email_marketing', channel: 'email' } });
    expect(decision.allowed).toBe(true);

    await candor.recordFact({ path: { id: subject.id }, body: { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome survey' } });
    const profile = await candor.getProfile({ path: { id: subject.id }, query: { purpose: 'personalization' } });
    expect(profile.purpose).toBe('personalization');
    expect(profile.facts.map((f) => [f.key, f.value])).toEqual([['motivation', 'sleep_better']]);

    await candor.upsertCatalogItems({
      body: {
        items: [
          { sku: 'sleep-stories', title: 'Sleep stories', tags: [{ factKey: 'motivation', value: 'sleep_better', weight: 3 }] },
          { sku: 'breathing-course', title: 'Breathing for stress', tags: [{ factKey: 'motivation', value: 'reduce_stress', weight: 3 }] },
        ],
      },
    });
    const recommended = await candor.recommend({ body: { subjectId: subject.id } });
    expect(recommended.data.map((r) => r.sku)).toEqual(['sleep-stories']);
    expect(recommended.data[0].explanation.purpose).toBe('personalization');

    const exported = await candor.exportSubject({ path: { id: subject.id } });
    expect(exported.format).toBe('candor-subject-export/1');
    expect(exported.subject).toMatchObject({ id: subject.id, externalId: 'sdk-member-1' });
    expect(exported.facts.map((f) => f.key)).toContain('motivation');
  });

  it('throws CandorProblemError carrying the RFC 9457 problem', async () => {
    const invalid = await thrown(candor.createSubject({ body: { externalId: 'sdk-bad', email: 'not an email' } }));
    expect(invalid).toBeInstanceOf(CandorProblemError);
    const problem = invalid as CandorProblemError;
    expect(problem).toMatchObject({ status: 422, code: 'validation-failed', type: '/problems/validation-failed' });
    expect(problem.title).toBeTruthy();
    expect(problem.detail).toBeTruthy();
    expect(problem.errors.map((e) => e.path)).toEqual(['email']);
    expect(problem.traceId).toBeTruthy();

    const missing = (await thrown(candor.getSubject({ path: { id: '00000000-0000-4000-8000-000000000000' } }))) as CandorProblemError;
    expect(missing).toBeInstanceOf(CandorProblemError);
    expect(missing).toMatchObject({ status: 404, code: 'not-found' });

    const stranger = createCandorClient({ baseUrl, apiKey: 'cnd_not_a_real_key' });
    expect(await thrown(stranger.listSubjects())).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('uploads an NDJSON import with progress, follows it to the end, and pages through the list with the iterator', async () => {
    // Enough lines (about 250 KB) that the upload goes out in several chunks, pulled as the connection takes them.
    const members = Array.from({ length: 1200 }, (_, i) => `sdk-import-${String(i).padStart(4, '0')}`);
    async function* lines(): AsyncGenerator<ImportLine> {
      for (const externalId of members) {
        yield { type: 'subject', externalId, locale: 'en' };
        yield { type: 'consent', externalId, purpose: 'email_marketing', granted: true, capturedAt: '2026-03-02T09:30:00Z', source: 'old-crm' };
      }
    }
    const progress: UploadProgress[] = [];
    const job = await candor.importNdjson(lines(), { onProgress: (p) => progress.push({ ...p }) });
    expect(job.totalLines).toBe(2400);
    const sent = progress.filter((p) => !p.done);
    expect(sent.length).toBeGreaterThan(2);
    for (let i = 1; i < sent.length; i++) expect(sent[i].lines).toBeGreaterThan(sent[i - 1].lines);
    expect(progress.at(-1)).toMatchObject({ lines: 2400, done: true });
    expect(progress.at(-1)!.bytes).toBe(sent.at(-1)!.bytes);

    const reported: number[] = [];
    const done = await candor.waitForJob(() => candor.getImport({ path: { id: job.id } }), { intervalMs: 50, onProgress: (j) => reported.push(j.progress) });
    expect(done).toMatchObject({ status: 'completed', rowsDone: 2400, rowsRejected: 0 });
    expect(reported.at(-1)).toBe(100);

    // Page by page, every subject exactly once.
    const seen: string[] = [];
    for await (const subject of candor.paginate(candor.listSubjects, { query: { limit: 100 } })) seen.push(subject.externalId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([...members, 'sdk-member-1']));
    let pages = 0;
    for await (const page of candor.pages(candor.listSubjects, { query: { limit: 100 } })) {
      pages++;
      expect(page.data.length).toBeLessThanOrEqual(100);
    }
    expect(pages).toBe(Math.ceil(seen.length / 100));
    // A list that takes its cursor in the body pages the same way.
    const audience: string[] = [];
    for await (const member of candor.paginate(candor.queryAudience, { body: { purpose: 'email_marketing', channel: 'email', limit: 200 } })) audience.push(member.externalId);
    expect(new Set(audience).size).toBe(audience.length);
    expect(audience.sort()).toEqual(['sdk-member-1', ...members].sort());

    // An erasure job streams the same way.
    const erasure = await candor.eraseNdjson([{ externalId: members[0] }, { externalId: members[1] }]);
    const erased = await candor.waitForJob(() => candor.getErasureJob({ path: { id: erasure.id } }), { intervalMs: 50 });
    expect(erased).toMatchObject({ status: 'completed', erased: 2, rowsRejected: 0 });
  });

  it('receives webhooks and verifies them with verifyWebhook; a tampered delivery fails', async () => {
    const { secret: webhookSecret } = await candor.createWebhook({ body: { url: receiver.url('/sdk'), events: ['consent.changed'], name: 'CRM' } });
    const subject = await candor.createSubject({ body: { externalId: 'sdk-hooked' } });
    await candor.captureConsent({ path: { id: subject.id }, body: { purpose: 'email_marketing', granted: false } });
    const mine = () => receiver.accepted.filter((h) => h.path === '/sdk' && h.payload.data.subjectId === subject.id);
    await deliveries(() => mine().length > 0);
    const [hook] = mine();
    expect(hook).toBeDefined();

    const event = verifyWebhook(webhookSecret, hook.headers, hook.body);
    expect(event).toMatchObject({ id: hook.id, type: 'consent.changed', data: { subjectId: subject.id, purpose: 'email_marketing', granted: false } });
    // The same check from a Fetch API Headers object and raw bytes.
    const fetchHeaders = new Headers(Object.entries(hook.headers).map(([k, v]): [string, string] => [k, String(v)]));
    expect(verifyWebhook(webhookSecret, fetchHeaders, new TextEncoder().encode(hook.body)).id).toBe(hook.id);

    const tampered = hook.body.replace('"granted":false', '"granted":true');
    expect(tampered).not.toBe(hook.body);
    expect(() => verifyWebhook(webhookSecret, hook.headers, tampered)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, hook.headers, hook.body)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(webhookSecret, { ...hook.headers, 'webhook-id': 'another-event' }, hook.body)).toThrow(WebhookVerificationError);
  });
});

/**
 * Retries against a tiny local server that answers what each test scripts, so the SDK's side of
 * the conversation (attempts, waits it chose, headers it sent) is visible.
 */
describe('the SDK retries only what is safe to retry', () => {
  let stub: Server;
  let stubUrl: string;
  let seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  let answer: (attempt: number, req: IncomingMessage, res: ServerResponse) => void;

  beforeAll(async () => {
    stub = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        answer(seen.length, req, res);
      });
    });
    await new Promise<void>((done) => stub.listen(0, '127.0.0.1', done));
    stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => stub.close(() => done())));

  const problem = (res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}) =>
    res
      .writeHead(status, { 'Content-Type': 'application/problem+json', ...headers })
      .end(JSON.stringify({ type: `/problems/${code}`, title: code, status, detail: `scripted ${status}`, code, ...(headers['Retry-After'] ? { retryAfter: Number(headers['Retry-After']) } : {}) }));
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  const client = (retries: RetryEvent[] = [], maxAttempts?: number, maxDelayMs?: number) =>
    createCandorClient({ baseUrl: stubUrl, apiKey: 'cnd_stub', retry: { baseDelayMs: 5, maxAttempts, maxDelayMs, onRetry: (e) => retries.push(e) } });

  it('waits out a 429 as Retry-After says, then returns the answer', async () => {
    seen = [];
    answer = (attempt, _req, res) => (attempt === 1 ? problem(res, 429, 'too-many-requests', { 'Retry-After': '1' }) : json(res, 200, { data: [], nextCursor: null }));
    const retries: RetryEvent[] = [];
    const page = await client(retries).listSubjects({ query: { limit: 5 } });
    expect(page).toEqual({ data: [], nextCursor: null });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/subjects?limit=5', 'GET /v1/subjects?limit=5']);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, reason: 429, retryAfter: 1 });
    expect(retries[0].delayMs).toBeGreaterThanOrEqual(1000);
    expect(seen[1].headers.authorization).toBe('Bearer cnd_stub');
  });

  it('sends a consent capture with an Idempotency-Key and repeats that same key on every retry', async () => {
    seen = [];
    answer = (attempt, _req, res) =>
      attempt === 1 ? problem(res, 503, 'unavailable', { 'Retry-After': '0' }) : attempt === 2 ? problem(res, 429, 'too-many-requests', { 'Retry-After': '0' }) : json(res, 201, { id: 'evt-1', purpose: 'email_marketing', granted: true });
    const event = await client().captureConsent({ path: { id: 'subject-1' }, body: { purpose: 'email_marketing', granted: true } });
    expect(event).toMatchObject({ id: 'evt-1' });
    expect(seen).toHaveLength(3);
    const keys = seen.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys)).toEqual(new Set([keys[0]]));
    expect(new Set(seen.map((r) => r.body))).toEqual(new Set([JSON.stringify({ purpose: 'email_marketing', granted: true })]));

    // A key of the caller's own is kept as given.
    seen = [];
    answer = (attempt, _req, res) => (attempt === 1 ? problem(res, 503, 'unavailable', { 'Retry-After': '0' }) : json(res, 201, { id: 'evt-2' }));
    await client().captureConsent({ path: { id: 'subject-1' }, body: { purpose: 'email_marketing', granted: false }, headers: { 'Idempotency-Key': 'order-1042-optin' } });
    expect(seen.map((r) => r.headers['idempotency-key'])).toEqual(['order-1042-optin', 'order-1042-optin']);
  });

  it('never repeats a write its operation takes no Idempotency-Key for', async () => {
    for (const [status, code] of [[503, 'unavailable'], [429, 'too-many-requests']] as const) {
      seen = [];
      answer = (_attempt, _req, res) => problem(res, status, code, { 'Retry-After': '0' });
      const error = (await thrown(client().createSubject({ body: { externalId: 'once-only' } }))) as CandorProblemError;
      expect(error).toBeInstanceOf(CandorProblemError);
      expect(error).toMatchObject({ status, code, retryAfter: 0 });
      expect(seen).toHaveLength(1);
      expect(seen[0].headers['idempotency-key']).toBeUndefined();
    }
  });

  it('repeats a PUT, which is idempotent, but not a conditional one', async () => {
    const body = { category: 'motivations', label: { en: 'Motivation' } };
    seen = [];
    answer = (attempt, _req, res) => (attempt === 1 ? problem(res, 503, 'unavailable', { 'Retry-After': '0' }) : json(res, 200, { key: 'motivation', ...body }));
    await client().putFactKey({ path: { key: 'motivation' }, body });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /v1/fact-keys/motivation', 'PUT /v1/fact-keys/motivation']);

    seen = [];
    answer = (_attempt, _req, res) => problem(res, 503, 'unavailable', { 'Retry-After': '0' });
    const error = await thrown(client().putFactKey({ path: { key: 'motivation' }, body, headers: { 'If-Match': '"v3"' } }));
    expect(error).toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('gives up after the last attempt, and does not wait out a Retry-After longer than it may', async () => {
    seen = [];
    answer = (_attempt, _req, res) => problem(res, 503, 'unavailable');
    const retries: RetryEvent[] = [];
    const error = (await thrown(client(retries, 3).listSubjects())) as CandorProblemError;
    expect(error).toMatchObject({ status: 503, code: 'unavailable' });
    expect(seen).toHaveLength(3);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);

    seen = [];
    answer = (_attempt, _req, res) => problem(res, 429, 'too-many-requests', { 'Retry-After': '120' });
    const limited = (await thrown(client([], 4, 5_000).listSubjects())) as CandorProblemError;
    expect(limited).toMatchObject({ status: 429, retryAfter: 120 });
    expect(seen).toHaveLength(1);
  });

  it('reads a non-problem error answer into the same error shape', async () => {
    seen = [];
    answer = (_attempt, _req, res) => res.writeHead(502, { 'Content-Type': 'text/plain' }).end('bad gateway');
    const error = (await thrown(client().getSubject({ path: { id: 'x' } }))) as CandorProblemError;
    expect(error).toBeInstanceOf(CandorProblemError);
    expect(error).toMatchObject({ status: 502, code: 'internal', detail: 'bad gateway' });
  });
});

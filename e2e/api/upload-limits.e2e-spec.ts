import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, grant, TestBrand } from '../support/factories';

/**
 * NDJSON uploads through a real listening server (node:http, so a body can be stalled or cut):
 * every upload route of docs/openapi.json — a route whose request body is `application/x-ndjson` —
 * is held to the upload limits: per-brand slots, a byte cap, an idle timeout, no transaction while
 * the body arrives, and rejections that never keep what a line said.
 */

const IDLE_MS = 1500;
const LIMIT = 8 * 1024;
const CONCURRENCY = 2;
/** Shorter than the idle timeout: uploads must be exempt from it, and bound by the idle timeout instead. */
const DEADLINE_MS = 1000;

const openapi = JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>;
};
const UPLOADS = Object.entries(openapi.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, op]) => Object.keys(op?.requestBody?.content ?? {}).some((type) => /ndjson|jsonl|json-lines/.test(type)))
    .map(([method]) => ({ method: method.toUpperCase(), path })),
);

/** Every operation with a JSON request body (compressed JSON is refused the same way as compressed uploads). */
const JSON_BODY_ROUTES = Object.entries(openapi.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([, op]) => Object.keys(op?.requestBody?.content ?? {}).includes('application/json'))
    .map(([method]) => ({ method: method.toUpperCase(), path })),
);

let api: TestApi;
let server: Server;
let port: number;
let sql: Client;
let spoolDir: string;
let quiet: TestBrand;
let quietSubject: { id: string };
const savedTmp = process.env.TMPDIR;

beforeAll(async () => {
  // Spool files go to the OS temp directory: a private one here, so the test can see them come and go.
  spoolDir = mkdtempSync(join(tmpdir(), 'candor-spool-test-'));
  process.env.TMPDIR = spoolDir;
  api = await startApi({
    env: { CANDOR_UPLOAD_IDLE_TIMEOUT_MS: String(IDLE_MS), CANDOR_UPLOAD_LIMIT: `${LIMIT / 1024}kb`, CANDOR_UPLOAD_CONCURRENCY: String(CONCURRENCY), CANDOR_REQUEST_TIMEOUT_MS: String(DEADLINE_MS) },
  });
  server = api.app.getHttpServer() as Server;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
  sql = new Client({ connectionString: api.databaseUrl! });
  await sql.connect();
  quiet = await createBrand(api, 'Quiet Harbor');
  await adoptPurpose(api, quiet, 'email_marketing');
  quietSubject = await createSubject(api, quiet);
  await grant(api, quiet, quietSubject.id, 'email_marketing');
});
afterAll(async () => {
  server?.closeAllConnections();
  await sql?.end();
  await api?.close();
  process.env.TMPDIR = savedTmp;
  if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** ms from the request's start to the answer. */
  after: number;
}

/** Starts an upload over a fresh connection; the caller writes the body (or stalls). */
function openUpload(method: string, path: string, key: string, headers: Record<string, string | number> = {}): { req: ClientRequest; answer: Promise<Answer> } {
  const started = Date.now();
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method,
    path,
    agent: false,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson', ...headers },
  });
  const answer = new Promise<Answer>((done, fail) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const finish = () => {
        const text = Buffer.concat(chunks).toString('utf8');
        done({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : {}, after: Date.now() - started });
      };
      res.on('end', finish);
      res.on('aborted', finish);
      res.on('error', finish);
    });
    req.on('error', (error) => fail(error));
  });
  answer.catch(() => undefined);
  return { req, answer };
}

async function call(method: string, path: string, key: string, body?: string): Promise<Answer> {
  const { req, answer } = openUpload(method, path, key, body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) });
  req.end(body);
  return answer;
}

/** Backends of the test database inside a transaction that began more than `ms` ago. */
async function longTransactions(ms: number): Promise<number> {
  const { rows } = await sql.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start < now() - make_interval(secs => $1::double precision / 1000)`,
    [ms],
  );
  return rows[0].n;
}

const spooled = () => readdirSync(spoolDir).filter((f) => f.startsWith('candor-upload-'));
const jobsOf = async (brandId: string) =>
  (await sql.query(`SELECT (SELECT count(*) FROM import_jobs WHERE brand_id = $1)::int + (SELECT count(*) FROM erasure_jobs WHERE brand_id = $1)::int AS n`, [brandId])).rows[0].n;

/** One valid-looking first line for each upload route (the rest of the body never comes). */
function firstLine(path: string): string {
  if (path === '/v1/imports') return '{"type":"subject","externalId":"stall-1"}\n';
  if (path === '/v1/erasure-jobs') return '{"externalId":"stall-1"}\n';
  throw new Error(`No first line for the upload route ${path}: add one here (the route was found in docs/openapi.json).`);
}

describe('NDJSON upload routes (found in docs/openapi.json)', () => {
  it('finds the upload routes (and fails loudly if the document marks none)', () => {
    expect(UPLOADS.length, 'no route of docs/openapi.json takes application/x-ndjson: the upload discovery is broken').toBeGreaterThan(0);
    expect(UPLOADS).toEqual(expect.arrayContaining([{ method: 'POST', path: '/v1/imports' }, { method: 'POST', path: '/v1/erasure-jobs' }]));
  });

  for (const { method, path } of UPLOADS) {
    describe(`${method} ${path}`, () => {
      it('stalled uploads get a slot each up to the cap (the rest 429), hold no transaction, starve no one, and are cut off at the idle timeout', async () => {
        const brand = await createBrand(api, 'Stall Harbor');
        // Other brands stall uploads too: more stalled uploads than the pool has connections.
        const others = await Promise.all([1, 2, 3, 4, 5].map((i) => createBrand(api, `Stall Harbor ${i}`)));
        const stalled = [brand, brand, ...others.flatMap((b) => [b, b])].map((b) => {
          const upload = openUpload(method, path, b.key);
          upload.req.write(firstLine(path));
          return upload;
        });
        const started = Date.now();
        // Each has its slot once its spool file exists.
        while (spooled().length < stalled.length && Date.now() - started < IDLE_MS / 2) await new Promise((r) => setTimeout(r, 10));
        expect(spooled().length).toBe(stalled.length);
        // The brand's extra uploads are refused at once, without reading their bodies.
        const extra = Array.from({ length: 10 }, () => {
          const upload = openUpload(method, path, brand.key);
          upload.req.write(firstLine(path));
          return upload;
        });
        const refused = await Promise.all(extra.map((u) => u.answer));
        for (const answer of refused) {
          expect(answer.status).toBe(429);
          expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(answer.body).toMatchObject({ code: 'too-many-requests', status: 429 });
          expect(String(answer.body.detail)).toMatch(/uploads under way/);
          expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
        }
        extra.forEach((u) => u.req.destroy());
        await new Promise((r) => setTimeout(r, 200));

        // While twelve uploads stall: another brand is served promptly, and no transaction is open.
        const me = await call('GET', '/v1/brand', quiet.key);
        expect(me.status, JSON.stringify(me.body)).toBe(200);
        const decision = await call('GET', `/v1/decisions/contact?subjectId=${quietSubject.id}&purpose=email_marketing&channel=email`, quiet.key);
        expect(decision.status, JSON.stringify(decision.body)).toBe(200);
        expect(decision.body.allowed).toBe(true);
        expect(me.after + decision.after).toBeLessThan(DEADLINE_MS);
        expect(await longTransactions(100)).toBe(0);
        expect(spooled().length).toBe(stalled.length);
        expect(Date.now() - started).toBeLessThan(IDLE_MS);

        // Then the idle timeout — not the shorter request deadline — cuts every stalled upload off:
        // 408, nothing imported, files gone.
        const cut = await Promise.all(stalled.map((u) => u.answer));
        for (const answer of cut) {
          expect(answer.status).toBe(408);
          expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(answer.body).toMatchObject({ code: 'request-timeout', status: 408 });
          expect(answer.after).toBeGreaterThanOrEqual(IDLE_MS - 50);
        }
        stalled.forEach((u) => u.req.destroy());
        expect(spooled()).toEqual([]);
        for (const b of [brand, ...others]) expect(await jobsOf(b.id)).toBe(0);

        // The slots are free again: a whole upload from the brand is accepted.
        const again = await call(method, path, brand.key, firstLine(path));
        expect(again.status, JSON.stringify(again.body)).toBe(202);
        expect(spooled()).toEqual([]);
      });

      it('refuses a compressed body (any Content-Encoding but identity) with 415 before reading it, and imports nothing', async () => {
        const brand = await createBrand(api, 'Zipped Harbor');
        const body = gzipSync(Buffer.from(firstLine(path)));
        for (const encoding of ['gzip', 'deflate', 'br', 'x-gzip', 'GZIP', 'identity, gzip', 'made-up']) {
          const { req, answer } = openUpload(method, path, brand.key, { 'Content-Encoding': encoding, 'Content-Length': body.length });
          req.end(body);
          const res = await answer;
          expect(res.status, `${encoding}: ${JSON.stringify(res.body)}`).toBe(415);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body).toMatchObject({ code: 'unsupported-media-type', status: 415 });
          expect(String(res.body.detail)).toMatch(/must not be compressed/);
        }
        expect(await jobsOf(brand.id)).toBe(0);
        expect(spooled()).toEqual([]);
        // identity (or none) is the body as sent: accepted.
        const plain = firstLine(path);
        const { req, answer } = openUpload(method, path, brand.key, { 'Content-Encoding': 'identity', 'Content-Length': Buffer.byteLength(plain) });
        req.end(plain);
        expect((await answer).status).toBe(202);
      });

      it('refuses an oversized body with 413 before reading it when Content-Length says so, and imports nothing', async () => {
        const brand = await createBrand(api, 'Big Harbor');
        const { req, answer } = openUpload(method, path, brand.key, { 'Content-Length': LIMIT + 1 });
        req.write(firstLine(path)); // the rest never comes: the answer must not wait for it
        const res = await answer;
        req.destroy();
        expect(res.status).toBe(413);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'payload-too-large', status: 413 });
        expect(String(res.body.detail)).toMatch(/at most 8 KiB/);
        expect(res.after).toBeLessThan(IDLE_MS);
        expect(await jobsOf(brand.id)).toBe(0);
        expect(spooled()).toEqual([]);
      });

      it('refuses an oversized chunked body with 413 as soon as it passes the cap, and imports nothing', async () => {
        const brand = await createBrand(api, 'Chunked Harbor');
        const { req, answer } = openUpload(method, path, brand.key); // no Content-Length: chunked
        let sent = 0;
        for (let i = 0; sent <= LIMIT + 1024; i++) {
          const line = firstLine(path).replace('stall-1', `big-${i}`);
          req.write(line);
          sent += Buffer.byteLength(line);
        }
        // Not ended: the refusal comes when the count passes the cap, not at the end of the body.
        const res = await answer;
        req.destroy();
        expect(res.status).toBe(413);
        expect(res.body).toMatchObject({ code: 'payload-too-large', status: 413 });
        expect(res.after).toBeLessThan(IDLE_MS);
        expect(await jobsOf(brand.id)).toBe(0);
        expect(spooled()).toEqual([]);
      });

      it('accepts an upload that keeps arriving for longer than the request deadline', async () => {
        const brand = await createBrand(api, 'Slow Harbor');
        const { req, answer } = openUpload(method, path, brand.key);
        const started = Date.now();
        for (let i = 0; Date.now() - started < DEADLINE_MS * 1.5; i++) {
          req.write(firstLine(path).replace('stall-1', `slow-${i}`));
          await new Promise((r) => setTimeout(r, IDLE_MS / 4));
        }
        req.end();
        const res = await answer;
        expect(res.status, JSON.stringify(res.body)).toBe(202);
        expect(res.after).toBeGreaterThan(DEADLINE_MS);
        expect(spooled()).toEqual([]);
      });

      it('removes the spool file and frees the slot when the client goes away mid-upload', async () => {
        const brand = await createBrand(api, 'Gone Harbor');
        for (let i = 0; i < CONCURRENCY + 1; i++) {
          const { req } = openUpload(method, path, brand.key);
          req.write(firstLine(path));
          await new Promise((r) => setTimeout(r, 100));
          req.destroy();
        }
        await new Promise((r) => setTimeout(r, 200));
        expect(spooled()).toEqual([]);
        expect(await jobsOf(brand.id)).toBe(0);
        const again = await call(method, path, brand.key, firstLine(path));
        expect(again.status, JSON.stringify(again.body)).toBe(202);
      });
    });
  }
});

/** Lines every one of which is rejected, each carrying MARKER somewhere a careless reason would quote. */
const MARKER = 'Zq9Marker';
const REJECTED_LINES: Record<string, (marker: string) => string[]> = {
  '/v1/imports': (m) => [
    `{"type":"subject","externalId":"${m}-1" broken`,
    `${m} not json at all`,
    `{"type":"subject","externalId":"${m}-2","email":"${m}@@example"}`,
    `{"type":"subject","externalId":"${m}-3","${m}":"x"}`,
    `{"type":"${m}","externalId":"${m}-4"}`,
    `{"type":"consent","externalId":"${m}-nobody","purpose":"email_marketing","granted":true,"capturedAt":"2025-01-01T00:00:00Z"}`,
    `{"type":"consent","externalId":"${m}-5","purpose":"${m.toLowerCase()}_purpose","granted":true,"capturedAt":"2025-01-01T00:00:00Z"}`,
    `{"type":"consent","externalId":"${m}-6","purpose":"email_marketing","granted":"${m}","capturedAt":"2025-01-01T00:00:00Z"}`,
    `{"type":"fact","externalId":"${m}-7","key":"${m}","value":"${m}","category":"${m}","provenance":"${m}","source":"${m}"}`,
    `{"type":"subject","externalId":"${m}-8","locale":"en\\u0000${m}"}`,
    `{"type":"subject","externalId":"${m}-9","${m}\\u0000":"x"}`,
  ],
  '/v1/erasure-jobs': (m) => [
    `{"externalId":"${m}-1" broken`,
    `${m} not json at all`,
    `{"externalId":"${m}-nobody"}`,
    `{"subjectId":"${m}"}`,
    `{"externalId":"a","${m}":"x"}`,
    `{"externalId":"${m}\\u0000"}`,
    `{"externalId":"${m}-2","subjectId":"${m}"}`,
  ],
};

async function settled(path: string, id: string, key: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const res = await call('GET', `${path}/${id}`, key);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (!['merging', 'queued', 'running'].includes(String(res.body.status))) return res.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
}

/** Every text, varchar and jsonb column of every table, from the catalog, searched for `needle`. */
async function columnsHolding(needle: string): Promise<string[]> {
  const { rows: columns } = await sql.query(
    `SELECT table_schema, table_name, column_name FROM information_schema.columns c
     JOIN pg_class k ON k.relname = c.table_name AND k.relkind = 'r'
     JOIN pg_namespace n ON n.oid = k.relnamespace AND n.nspname = c.table_schema
     WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'USER-DEFINED')`,
  );
  const found: string[] = [];
  for (const c of columns) {
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM "${c.table_schema}"."${c.table_name}" WHERE "${c.column_name}"::text ILIKE '%' || $1 || '%'`,
      [needle],
    );
    if (rows[0].n) found.push(`${c.table_name}.${c.column_name}`);
  }
  return found;
}

describe('compressed JSON bodies (every JSON route of docs/openapi.json)', () => {
  it('answers compressed JSON bodies the same way (415, never inflated) on every JSON route', async () => {
    const brand = await createBrand(api, 'Json Harbor');
    const body = gzipSync(Buffer.from('{"externalId":"zipped"}'));
    for (const route of JSON_BODY_ROUTES) {
      const { req, answer } = openUpload(route.method, route.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'), brand.key, {
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
        'Content-Length': body.length,
      });
      req.end(body);
      const res = await answer;
      expect(res.status, `${route.method} ${route.path}: ${JSON.stringify(res.body)}`).toBe(415);
      expect(String(res.body.detail)).toMatch(/must not be compressed/);
    }
  });
});

describe('rejections of every upload route keep no submitted text', () => {
  for (const { method, path } of UPLOADS) {
    it(`${method} ${path}: a rejection is a line number and our words, in the answer and in every column`, async () => {
      const lines = REJECTED_LINES[path];
      expect(lines, `no rejected-line fixture for the upload route ${path} (found in docs/openapi.json): add one`).toBeDefined();
      const brand = await createBrand(api, 'Marker Harbor');
      await adoptPurpose(api, brand, 'email_marketing');
      const body = lines(MARKER).join('\n') + '\n';
      expect(Buffer.byteLength(body)).toBeLessThan(LIMIT);
      const res = await call(method, path, brand.key, body);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const job = await settled(path, String(res.body.id), brand.key);
      const rejections = job.rejections as Array<{ line: number; reason: string }>;
      expect(rejections.map((r) => r.line)).toEqual(lines(MARKER).map((_, i) => i + 1));
      expect(job.rowsRejected).toBe(lines(MARKER).length);
      expect(JSON.stringify(job)).not.toMatch(new RegExp(MARKER, 'i'));
      expect(await columnsHolding(MARKER)).toEqual([]);
    });

    it(`${method} ${path}: keeps the first 1,000 rejections and counts the rest`, async () => {
      const brand = await createBrand(api, 'Many Harbor');
      // Short lines, so the file fits the test's small upload cap.
      const bad = Array.from({ length: 1030 }, () => '[]').join('\n') + '\n';
      const res = await call(method, path, brand.key, bad);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const job = await settled(path, String(res.body.id), brand.key);
      expect(job.rowsRejected).toBe(1030);
      expect((job.rejections as unknown[]).length).toBe(1000);
      expect((job.rejections as Array<{ line: number }>).at(-1)!.line).toBe(1000);
      const table = path === '/v1/imports' ? 'import_rejections' : 'erasure_job_rejections';
      const { rows } = await sql.query(`SELECT count(*)::int AS n, max(line) AS last FROM ${table} WHERE brand_id = $1`, [brand.id]);
      expect(rows[0]).toEqual({ n: 1000, last: 1000 });
    });
  }
});

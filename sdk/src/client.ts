import { createClient, createConfig, type Client } from './generated/client/index.js';
import type { CaptureConsentData, CreateSubjectData, RecordFactData } from './generated/types.gen.js';
import { IDEMPOTENCY_KEY_ROUTES, UPLOAD_ROUTES } from './generated/routes.gen.js';
import { CandorOperations } from './generated/sdk.gen.js';
import { CandorProblemError } from './errors.js';
import { ndjsonStream, type NdjsonRecord, type UploadProgress } from './ndjson.js';
import { retryingFetch, type RetryOptions } from './retry.js';

export interface CandorClientOptions {
  /** Where Candor answers, e.g. `https://candor.example.com` (no trailing `/v1`). */
  baseUrl: string;
  /** A brand key (`cnd_…`); any bearer credential Candor issues works the same way. */
  apiKey: string;
  /** A fetch to send requests with (default: the global one), e.g. one with a proxy or a test double. */
  fetch?: typeof fetch;
  /** Retry settings, or `false` to send every request exactly once. */
  retry?: RetryOptions | false;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** One page of any Candor list. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * A list operation (any generated method answering `{ data, nextCursor }`). It takes a `cursor`,
 * which the iterator fills in: in the query string of a GET list, or in the body of a list that
 * takes a body (`queryAudience`).
 */
export type ListOperation = (options: any) => Promise<Page<unknown> | undefined>;

/** The item type of a list operation's pages. */
export type ListItem<F extends ListOperation> = NonNullable<Awaited<ReturnType<F>>>['data'][number];

/** A line of `POST /v1/imports`: each follows the rules of its single-record route. */
export type ImportLine =
  | ({ type: 'subject' } & CreateSubjectData['body'])
  | ({ type: 'consent'; externalId: string; capturedAt: string } & Omit<CaptureConsentData['body'], 'evidence' | 'capturedAt'>)
  | ({ type: 'fact'; externalId: string } & RecordFactData['body'])
  | { type: 'preference'; externalId: string; [field: string]: unknown };

/** A line of `POST /v1/erasure-jobs`: one subject of the brand to erase. */
export type ErasureLine = { subjectId: string } | { externalId: string };

export interface UploadOptions {
  /** Told as lines go out (see `UploadProgress`). */
  onProgress?: (progress: UploadProgress) => void;
  /** Stops the upload; nothing of an unfinished upload is kept by Candor. */
  signal?: AbortSignal;
  /** Extra request headers, e.g. `X-Request-Id`. */
  headers?: Record<string, string>;
}

/** A background job Candor reports on: an import or an erasure job. */
export interface CandorJob {
  status: string;
  progress: number;
}

export interface WaitOptions<J> {
  /** Time between two reads (default 1000 ms). */
  intervalMs?: number;
  /** Give up (throw) after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Told after each read, with the job as Candor reports it (`progress` 0–100). */
  onProgress?: (job: J) => void;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const FINISHED = new Set(['completed', 'failed']);

/**
 * Candor's typed client. Every operation of the API is a method named after its `operationId`
 * (`createSubject`, `captureConsent`, `decideContact`, `getProfile`, `recommend`, …), generated
 * from the OpenAPI document: each takes `{ path, query, body, headers }` as that operation defines
 * them and resolves to the response body, or throws `CandorProblemError`. On top of those:
 * `paginate`/`pages` walk a list, `importNdjson`/`eraseNdjson` stream an upload, `waitForJob` follows
 * an import or erasure job to its end.
 *
 * Writes whose operation takes an `Idempotency-Key` get one automatically (unless you pass your
 * own), so a retried write is never applied twice; see `RetryOptions` for what is retried.
 */
export class CandorClient extends CandorOperations {
  constructor(options: CandorClientOptions) {
    super({ client: transport(options) });
  }

  /** The underlying generated HTTP client (interceptors, `buildUrl`, raw `request`). */
  get http(): Client {
    return this.client;
  }

  /**
   * Every item of a list, page after page (`{ data, nextCursor }`), fetched as you iterate:
   *
   * ```ts
   * for await (const subject of candor.paginate(candor.listSubjects, { query: { limit: 100 } })) …
   * ```
   */
  async *paginate<F extends ListOperation>(operation: F, options?: Parameters<F>[0]): AsyncGenerator<ListItem<F>, void, undefined> {
    for await (const page of this.pages(operation, options)) yield* page.data;
  }

  /**
   * The pages of a list, one request each, until `nextCursor` is null. The cursor goes where the
   * operation takes it: into `body` when the options have one (`queryAudience`), else into `query`.
   */
  async *pages<F extends ListOperation>(operation: F, options?: Parameters<F>[0]): AsyncGenerator<Page<ListItem<F>>, void, undefined> {
    const inBody = isObject(options) && 'body' in options && isObject(options.body);
    const given = options && (inBody ? (options as { body: { cursor?: string } }).body : (options as { query?: { cursor?: string } }).query);
    let cursor: string | undefined = given?.cursor;
    do {
      const next = inBody
        ? { ...options, body: { ...(options as { body: object }).body, cursor } }
        : { ...options, query: { ...(options as { query?: object } | undefined)?.query, cursor } };
      const page = (await operation.call(this, next)) as Page<ListItem<F>> | undefined;
      if (!page) return;
      yield page;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /**
   * Streams records to an NDJSON upload operation (`createImport`, `createErasureJob`, or any other
   * the document marks as one) and resolves to its answer (202, the job). The records are pulled as
   * the connection takes them; uploads are sent once, never retried (a stream cannot be replayed).
   */
  uploadNdjson<R, T = Record<string, unknown>>(
    operation: (options: { body: string; headers?: Record<string, unknown> }) => Promise<R>,
    records: Iterable<NdjsonRecord<T>> | AsyncIterable<NdjsonRecord<T>>,
    options: UploadOptions = {},
  ): Promise<R> {
    const body = ndjsonStream(records, options.onProgress);
    const request = { body, bodySerializer: null, duplex: 'half', signal: options.signal, headers: { 'Content-Type': 'application/x-ndjson', ...options.headers } };
    return operation.call(this, request as unknown as { body: string });
  }

  /**
   * Uploads an import (`POST /v1/imports`): subjects, consents, facts and preferences, one record a
   * line. Resolves once every line is staged, to the job (`status: 'merging'`); follow it with
   * `waitForJob(() => candor.getImport({ path: { id: job.id } }))`.
   */
  importNdjson(records: Iterable<NdjsonRecord<ImportLine>> | AsyncIterable<NdjsonRecord<ImportLine>>, options?: UploadOptions) {
    return this.uploadNdjson(this.createImport, records, options);
  }

  /** Uploads an erasure job (`POST /v1/erasure-jobs`): one subject to erase a line. */
  eraseNdjson(records: Iterable<NdjsonRecord<ErasureLine>> | AsyncIterable<NdjsonRecord<ErasureLine>>, options?: UploadOptions) {
    return this.uploadNdjson(this.createErasureJob, records, options);
  }

  /** Reads a job until it is `completed` or `failed` and returns its last state. */
  async waitForJob<J extends CandorJob>(read: () => Promise<J>, options: WaitOptions<J> = {}): Promise<J> {
    const interval = options.intervalMs ?? 1000;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      options.signal?.throwIfAborted();
      const job = await read.call(this);
      options.onProgress?.(job);
      if (FINISHED.has(job.status)) return job;
      if (Date.now() + interval > deadline) throw new Error(`The job was still ${job.status} (${job.progress}%) after ${options.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Creates Candor's typed client for a brand. */
export function createCandorClient(options: CandorClientOptions): CandorClient {
  return new CandorClient(options);
}

/** Requests the interceptor found safe to retry (reads, PUT/DELETE, keyed writes). */
type RetryMarks = WeakSet<Request>;

function transport(options: CandorClientOptions): Client {
  if (!options.baseUrl) throw new TypeError('createCandorClient needs a baseUrl');
  if (!options.apiKey) throw new TypeError('createCandorClient needs an apiKey');
  const retryable: RetryMarks = new WeakSet();
  const base = options.fetch ?? globalThis.fetch.bind(globalThis);
  const client = createClient(
    createConfig({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      auth: options.apiKey,
      headers: options.headers,
      throwOnError: true,
      responseStyle: 'data',
      fetch: retryingFetch(base, options.retry, (request) => retryable.has(request)),
    }),
  );
  client.interceptors.request.use((request, opts) => {
    const route = `${request.method} ${opts.url}`;
    if (UPLOAD_ROUTES.has(route)) return request;
    if (IDEMPOTENCY_KEY_ROUTES.has(route)) {
      if (!request.headers.has('idempotency-key')) request.headers.set('Idempotency-Key', crypto.randomUUID());
      retryable.add(request);
    } else if (IDEMPOTENT_METHODS.has(request.method)) {
      // A conditional write (`If-Match`) is left out: had the first attempt gone through, the
      // repeat would answer 412 for the caller's own change.
      const conditionalWrite = (request.method === 'PUT' || request.method === 'DELETE') && request.headers.has('if-match');
      if (!conditionalWrite) retryable.add(request);
    }
    return request;
  });
  client.interceptors.error.use((error, response) => (response && !response.ok ? CandorProblemError.from(error, response) : error));
  return client;
}

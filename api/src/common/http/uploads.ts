import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { DomainError } from '../errors/domain-error';

/**
 * NDJSON uploads (bulk imports, bulk erasures) — the one place that receives a request body of any
 * length. An upload is:
 *
 * 1. checked before a byte of it is read: its media type and Content-Encoding (415: never
 *    compressed), its declared `Content-Length`
 *    against `CANDOR_UPLOAD_LIMIT` (413), and a free upload slot of its brand
 *    (`CANDOR_UPLOAD_CONCURRENCY` per brand and process; 429 with `Retry-After`);
 * 2. spooled to a private temporary file while it arrives, counting bytes (413 as soon as the count
 *    passes the limit) and cut off when nothing arrives for `CANDOR_UPLOAD_IDLE_TIMEOUT_MS` (408).
 *    No database connection or transaction is held while the network is read, so slow or stalled
 *    clients cannot starve the pool;
 * 3. only then handed, as a stream of the file's bytes, to the service that checks and stages its
 *    lines in a transaction (the memory profile stays that of streaming).
 *
 * The file is removed and the slot freed in every outcome: success, a refused line, a broken
 * connection, a database error.
 */

export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/json-lines'];

/** Whether a Content-Type names newline-delimited JSON (parameters such as charset aside). */
export function isNdjson(contentType: string | undefined): boolean {
  return NDJSON_TYPES.includes((contentType ?? '').split(';')[0].trim().toLowerCase());
}

/**
 * Whether a Content-Encoding leaves the body as sent: absent, empty or `identity` only. Bodies are
 * never decompressed (a compressed upload would be read as garbage, and inflating is a way to
 * multiply a small request into a large one), on upload routes as on JSON routes.
 */
export function isIdentityEncoding(contentEncoding: string | string[] | undefined): boolean {
  const values = Array.isArray(contentEncoding) ? contentEncoding : [contentEncoding ?? ''];
  return values.every((value) => value.split(',').every((coding) => ['', 'identity'].includes(coding.trim().toLowerCase())));
}

/** The 415 detail for a compressed body (shared with the JSON routes' problem). */
export const COMPRESSED_BODY_DETAIL = 'The request body must not be compressed: send it without Content-Encoding (or with Content-Encoding: identity).';

/** What of an OpenAPI document the upload routes are found from. */
export interface OpenApiPaths {
  paths: Record<string, object>;
}

/** The routes whose request body the document declares as `application/x-ndjson`: every NDJSON upload. */
export function ndjsonUploadRoutes(document: OpenApiPaths): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries((item ?? {}) as Record<string, unknown>)) {
      const content = (operation as { requestBody?: { content?: Record<string, unknown> } })?.requestBody?.content;
      if (content && Object.keys(content).some((type) => isNdjson(type))) routes.push({ method: method.toUpperCase(), path });
    }
  }
  return routes;
}

/** A test of (method, path) for "is an NDJSON upload", from the document (path templates such as `{id}` match one segment). */
export function streamedUploadMatcher(document: OpenApiPaths): (method: string | undefined, path: string) => boolean {
  const routes = ndjsonUploadRoutes(document).map(({ method, path }) => ({ method, pattern: pathTemplatePattern(path) }));
  return (method, path) => routes.some((r) => r.method === method && r.pattern.test(path));
}

/** A pattern matching the request paths of an OpenAPI path template (`{id}` matches one segment; a trailing slash is allowed, as routing allows it). */
export function pathTemplatePattern(path: string): RegExp {
  return new RegExp(`^${path.split(/\{[^/{}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}/?$`);
}

/** A size for people: 512 MiB, 64 KiB, 900 bytes. */
export function describeBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

/**
 * The declared length of a body: a number, `undefined` without the header (chunked), or NaN when
 * the header is not a plain decimal (Node refuses most malformed ones before we see them).
 */
export function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  return /^\d{1,16}$/.test(header.trim()) ? Number(header.trim()) : NaN;
}

/** Upload slots per brand in this process. `acquire` returns the release function, or null when full. */
export class UploadSlots {
  private readonly inUse = new Map<string, number>();

  constructor(private readonly perBrand: number) {}

  acquire(brandId: string): (() => void) | null {
    const used = this.inUse.get(brandId) ?? 0;
    if (used >= this.perBrand) return null;
    this.inUse.set(brandId, used + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inUse.get(brandId) ?? 1) - 1;
      if (left <= 0) this.inUse.delete(brandId);
      else this.inUse.set(brandId, left);
    };
  }

  /** Uploads under way for a brand (for tests and metrics). */
  active(brandId: string): number {
    return this.inUse.get(brandId) ?? 0;
  }
}

export type UploadLimits = Pick<CandorConfig, 'uploadLimitBytes' | 'uploadConcurrency' | 'uploadIdleTimeoutMs'>;

/** Spools `req` to `file`; rejects with a DomainError (413, 408) or the connection's error. */
export function spool(req: IncomingMessage, file: string, limits: Pick<UploadLimits, 'uploadLimitBytes' | 'uploadIdleTimeoutMs'>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
    let bytes = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const idleMs = limits.uploadIdleTimeoutMs;
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('close', onClose);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      req.pause();
      out.destroy();
      reject(error);
    };
    const arm = () => {
      if (idleMs <= 0) return;
      clearTimeout(timer);
      timer = setTimeout(
        () => fail(new DomainError('request-timeout', `The upload sent nothing for ${idleMs} ms and was abandoned; nothing of it was imported. Send the whole body without pausing.`)),
        idleMs,
      );
      timer.unref();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.uploadLimitBytes) return fail(tooLarge(limits.uploadLimitBytes));
      arm();
      if (!out.write(chunk)) {
        // The disk is behind: stop reading (and the idle clock, which is about the client) until it catches up.
        clearTimeout(timer);
        req.pause();
        out.once('drain', () => {
          if (settled) return;
          arm();
          req.resume();
        });
      }
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      cleanup();
      out.end(() => resolve(bytes));
    };
    const onAborted = (error?: Error) => fail(error ?? new Error('the client closed the connection during the upload'));
    const onClose = () => {
      if (!req.complete) onAborted(new Error('the client closed the connection during the upload'));
    };
    out.on('error', fail);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('close', onClose);
    arm();
    req.resume();
  });
}

export function tooLarge(limit: number): DomainError {
  return new DomainError(
    'payload-too-large',
    `An upload may be at most ${describeBytes(limit)} (CANDOR_UPLOAD_LIMIT); nothing of this one was imported. Split the file and send the parts one after another.`,
  );
}

@Injectable()
export class NdjsonUploads {
  readonly slots: UploadSlots;

  constructor(@Inject(CANDOR_CONFIG) private readonly config: UploadLimits) {
    this.slots = new UploadSlots(config.uploadConcurrency);
  }

  /**
   * Receives the NDJSON body of `req` for `brandId` (checks, slot, spool; see above), then runs
   * `stage` over the spooled bytes. `mediaTypeDetail` is the 415 detail for a wrong Content-Type.
   */
  async receive<T>(brandId: string, req: IncomingMessage, res: ServerResponse, mediaTypeDetail: string, stage: (body: AsyncIterable<Buffer>) => Promise<T>): Promise<T> {
    if (!isNdjson(req.headers['content-type'])) throw this.refuse(res, new DomainError('unsupported-media-type', mediaTypeDetail));
    if (!isIdentityEncoding(req.headers['content-encoding'])) throw this.refuse(res, new DomainError('unsupported-media-type', COMPRESSED_BODY_DETAIL));
    const length = declaredLength(req.headers['content-length']);
    if (length !== undefined && length > this.config.uploadLimitBytes) throw this.refuse(res, tooLarge(this.config.uploadLimitBytes));
    const release = this.slots.acquire(brandId);
    if (!release) {
      const retry = Math.max(1, Math.ceil(this.config.uploadIdleTimeoutMs / 1000));
      res.setHeader('Retry-After', String(retry));
      throw this.refuse(
        res,
        new DomainError(
          'too-many-requests',
          `This brand already has ${this.config.uploadConcurrency} uploads under way (CANDOR_UPLOAD_CONCURRENCY); nothing of this one was read. Try again when one of them has been answered.`,
        ),
      );
    }
    const file = join(tmpdir(), `candor-upload-${randomUUID()}.ndjson`);
    try {
      try {
        await spool(req, file, this.config);
      } catch (error) {
        throw error instanceof DomainError ? this.refuse(res, error) : error;
      }
      return await stage(createReadStream(file, { highWaterMark: 64 * 1024 }));
    } finally {
      release();
      await rm(file, { force: true });
    }
  }

  /**
   * A refusal given before the body was read to its end: the connection is closed after the answer,
   * so the unread rest of the body (up to the whole upload) is never read just to be thrown away.
   */
  private refuse(res: ServerResponse, error: DomainError): DomainError {
    if (!res.headersSent) res.setHeader('Connection', 'close');
    return error;
  }
}

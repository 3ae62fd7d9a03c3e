import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseByteSize } from '../../config/config';
import { LineTooLongError, MAX_LINE_BYTES, notJson, numberedLines } from '../../modules/imports/import-lines';
import { DomainError } from '../errors/domain-error';
import { declaredLength, describeBytes, isNdjson, ndjsonUploadRoutes, spool, streamedUploadMatcher, UploadSlots } from './uploads';

const dir = mkdtempSync(join(tmpdir(), 'candor-uploads-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A request body as the HTTP server hands it over: a stream that knows whether it arrived whole. */
function body(): PassThrough & { complete: boolean } {
  const stream = new PassThrough() as PassThrough & { complete: boolean };
  stream.complete = false;
  stream.on('end', () => (stream.complete = true));
  return stream;
}

describe('upload limits', () => {
  it('reads sizes as CANDOR_BODY_LIMIT is written, and refuses anything else', () => {
    expect(parseByteSize('512mb')).toBe(512 * 1024 ** 2);
    expect(parseByteSize('64KB')).toBe(64 * 1024);
    expect(parseByteSize('1.5 gb')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('900')).toBe(900);
    expect(parseByteSize('900b')).toBe(900);
    for (const bad of ['', '0', '-1mb', 'mb', '12 parsecs', '1e9', 'Infinity']) expect(parseByteSize(bad), bad).toBeNull();
    expect(describeBytes(512 * 1024 ** 2)).toBe('512 MiB');
    expect(describeBytes(8 * 1024)).toBe('8 KiB');
    expect(describeBytes(1000)).toBe('1000 bytes');
  });

  it('takes a declared Content-Length only when it is a plain number', () => {
    expect(declaredLength(undefined)).toBeUndefined();
    expect(declaredLength('1024')).toBe(1024);
    expect(declaredLength('1e3')).toBeNaN();
    expect(declaredLength('-1')).toBeNaN();
  });

  it('gives each brand its own slots, and a release frees one slot once', () => {
    const slots = new UploadSlots(2);
    const a1 = slots.acquire('a')!;
    const a2 = slots.acquire('a')!;
    expect(slots.acquire('a')).toBeNull();
    expect(slots.acquire('b')).not.toBeNull();
    a1();
    a1();
    expect(slots.active('a')).toBe(1);
    expect(slots.acquire('a')).not.toBeNull();
    expect(slots.acquire('a')).toBeNull();
    a2();
    expect(slots.active('a')).toBe(1);
  });

  it('finds upload routes as the OpenAPI document declares them, path templates included', () => {
    const document = {
      paths: {
        '/v1/imports': { post: { requestBody: { content: { 'application/x-ndjson': {} } } }, get: {} },
        '/v1/things/{id}/lines': { put: { requestBody: { content: { 'application/jsonl': {} } } } },
        '/v1/subjects': { post: { requestBody: { content: { 'application/json': {} } } } },
      },
    };
    expect(ndjsonUploadRoutes(document)).toEqual([
      { method: 'POST', path: '/v1/imports' },
      { method: 'PUT', path: '/v1/things/{id}/lines' },
    ]);
    const isUpload = streamedUploadMatcher(document);
    expect(isUpload('POST', '/v1/imports')).toBe(true);
    expect(isUpload('GET', '/v1/imports')).toBe(false);
    expect(isUpload('PUT', '/v1/things/abc/lines')).toBe(true);
    expect(isUpload('PUT', '/v1/things/a/b/lines')).toBe(false);
    expect(isUpload('POST', '/v1/subjects')).toBe(false);
    expect(isNdjson('application/x-ndjson; charset=utf-8')).toBe(true);
    expect(isNdjson('application/json')).toBe(false);
  });
});

describe('spooling', () => {
  const limits = { uploadLimitBytes: 1024, uploadIdleTimeoutMs: 200 };

  it('writes the whole body to a private file', async () => {
    const req = body();
    const file = join(dir, 'whole.ndjson');
    const done = spool(req as unknown as IncomingMessage, file, limits);
    req.write('{"a":1}\n');
    req.end('{"a":2}\n');
    expect(await done).toBe(16);
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('stops with 413 as soon as the count passes the cap, and with 408 when the body stalls', async () => {
    const big = body();
    const tooBig = spool(big as unknown as IncomingMessage, join(dir, 'big.ndjson'), limits);
    big.write(Buffer.alloc(1000, 'x'));
    big.write(Buffer.alloc(100, 'x'));
    await expect(tooBig).rejects.toMatchObject({ code: 'payload-too-large' });

    const stalled = body();
    const started = Date.now();
    const cut = spool(stalled as unknown as IncomingMessage, join(dir, 'stalled.ndjson'), limits);
    stalled.write('{"a":1}\n');
    const error = await cut.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'request-timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('keeps the upload alive while bytes keep coming, however long it takes', async () => {
    const slow = body();
    const done = spool(slow as unknown as IncomingMessage, join(dir, 'slow.ndjson'), limits);
    for (let i = 0; i < 5; i++) {
      slow.write('{}\n');
      await new Promise((r) => setTimeout(r, 100));
    }
    slow.end();
    expect(await done).toBe(15);
  });

  it('fails when the client goes away before the end', async () => {
    const gone = body();
    const done = spool(gone as unknown as IncomingMessage, join(dir, 'gone.ndjson'), limits);
    gone.write('{}\n');
    gone.destroy();
    await expect(done).rejects.toThrow(/closed the connection/);
  });
});

describe('upload lines', () => {
  it('refuses a line too long whatever the size of the chunks it arrives in', async () => {
    const line = `{"x":"${'y'.repeat(4 * MAX_LINE_BYTES + 10)}"}\n`;
    for (const size of [1024, 64 * 1024, 1024 * 1024]) {
      const chunks = Array.from({ length: Math.ceil(line.length / size) }, (_, i) => Buffer.from(line.slice(i * size, (i + 1) * size)));
      const read = async () => {
        for await (const _ of numberedLines((async function* () { yield* chunks; })())) void _;
      };
      await expect(read(), `chunks of ${size}`).rejects.toBeInstanceOf(LineTooLongError);
    }
  });

  it('words a JSON error by position only, never with the line', () => {
    let error: unknown;
    try {
      JSON.parse('{"email": jane@example.com}');
    } catch (e) {
      error = e;
    }
    expect(String((error as Error).message)).toMatch(/jane/); // the parser quotes the line…
    expect(notJson(error)).not.toMatch(/jane/); // …the rejection does not
    expect(notJson(error)).toMatch(/^not valid JSON/);
  });
});

/** What an upload helper reports while the file goes out. */
export interface UploadProgress {
  /** Lines handed to the connection so far. */
  lines: number;
  /** Bytes (UTF-8) handed to the connection so far. */
  bytes: number;
  /** True once every line has been handed over (the answer may still be on its way). */
  done: boolean;
}

/** A record, or a line already serialised as JSON (one object, no newline inside). */
export type NdjsonRecord<T> = T | string;

const CHUNK_BYTES = 64 * 1024;

/**
 * Turns records (an array, a generator, an async iterable such as a database cursor or
 * `readline` over a file) into an NDJSON byte stream, pulled as the connection takes it, so a
 * large import never sits in memory whole. Lines are batched into ~64 KiB chunks.
 */
export function ndjsonStream<T>(
  records: Iterable<NdjsonRecord<T>> | AsyncIterable<NdjsonRecord<T>>,
  onProgress?: (progress: UploadProgress) => void,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator: AsyncIterator<NdjsonRecord<T>> | Iterator<NdjsonRecord<T>> =
    Symbol.asyncIterator in records ? (records as AsyncIterable<NdjsonRecord<T>>)[Symbol.asyncIterator]() : (records as Iterable<NdjsonRecord<T>>)[Symbol.iterator]();
  let lines = 0;
  let bytes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = '';
      while (chunk.length < CHUNK_BYTES) {
        const next = await iterator.next();
        if (next.done) {
          if (chunk) emit(controller, chunk);
          controller.close();
          onProgress?.({ lines, bytes, done: true });
          return;
        }
        chunk += toLine(next.value, lines + 1);
        lines++;
      }
      emit(controller, chunk);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });

  function emit(controller: ReadableStreamDefaultController<Uint8Array>, text: string): void {
    const encoded = encoder.encode(text);
    bytes += encoded.byteLength;
    controller.enqueue(encoded);
    onProgress?.({ lines, bytes, done: false });
  }
}

function toLine(record: unknown, number: number): string {
  if (typeof record === 'string') {
    const line = record.replace(/\r?\n$/, '');
    if (/[\r\n]/.test(line)) throw new TypeError(`NDJSON record ${number} holds a line break: give one JSON object per record`);
    return `${line}\n`;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new TypeError(`NDJSON record ${number} is not an object`);
  }
  return `${JSON.stringify(record)}\n`;
}

import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from 'typeorm';

/** A value of a COPY row: text, a number or boolean, bytes (bytea), a time, or SQL NULL. */
export type CopyValue = string | number | bigint | boolean | Buffer | Date | null | undefined;

/**
 * One row in PostgreSQL's COPY text format: values separated by tabs, backslash escapes for the
 * characters that would break the row, `\N` for NULL, bytea as escaped hex, times as ISO 8601.
 * Every COPY of the API writes its rows through this, so escaping lives in one place.
 */
export function copyRow(values: readonly CopyValue[]): string {
  return `${values.map(copyValue).join('\t')}\n`;
}

function copyValue(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * Streams rows (made with `copyRow`, batched or not) into `table` with `COPY … FROM STDIN` on the
 * transaction's own connection. Row-level security refuses COPY into a table with policies, so the
 * target is a temporary table of the transaction, moved on with an INSERT … SELECT the policies check.
 */
export async function copyInto(em: EntityManager, table: string, rows: Iterable<string> | AsyncIterable<string>): Promise<void> {
  if (!em.queryRunner) throw new Error('copyInto needs a transaction (an EntityManager with its query runner)');
  const client = (await em.queryRunner.connect()) as PoolClient;
  await pipeline(Readable.from(rows), client.query(copyFrom(`COPY ${table} FROM STDIN`)));
}

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cloneTemplate } from '../support/database';

/**
 * The schema stays distributable by `brand_id` (Citus, docs/operations.md "Running on Citus"),
 * checked from the catalog so that a table or key added by a later migration is covered:
 * - every table holds `brand_id`, except the few listed in NOT_TENANT_DATA;
 * - every primary key, and every unique constraint or index, leads with `brand_id` (Citus can only
 *   enforce uniqueness that includes the distribution column), except the global lookups listed in
 *   GLOBAL_LOOKUPS, each with what it becomes on Citus;
 * - every foreign key leads with `brand_id` on both sides, so joins and checks stay on one shard.
 * That no query reaches two brands is what forced row-level security guarantees (rls-meta.e2e-spec:
 * with one brand set, the app role sees and writes no row of another).
 */

/** Tables without tenant data. */
const NOT_TENANT_DATA: Record<string, string> = {
  schema_migrations: 'migration bookkeeping; stays on the coordinator',
};

/**
 * Unique keys that must hold across every brand, because they are looked up before the brand is
 * known. On Citus these tables are reference tables (`brands`) or keep their hash lookups through
 * the reference table `brands` + a shard-wide index scan (credentials: 256-bit random secrets,
 * looked up once per credential and then cached), as docs/operations.md explains.
 */
const GLOBAL_LOOKUPS: Record<string, string> = {
  'brands(slug)': 'the portal finds a brand by its slug: `brands` is a reference table on Citus',
  'api_keys(key_hash)': 'a bearer key is resolved before its brand is known',
  'sessions(token_hash)': 'a customer session cookie is resolved before its brand is known',
  'staff_credentials(token_hash)': 'a staff session is resolved before its brand is known',
  'sign_in_tokens(token_hash)': 'a one-time sign-in link is resolved before its brand is known',
  'erasure_receipts(token_hash)': 'an erasure receipt is opened by its token alone',
  'consent_confirmations(token_hash)': 'a double opt-in confirmation link is resolved before its brand is known',
};

let db: Client;
let drop: () => Promise<void>;

beforeAll(async () => {
  const clone = await cloneTemplate(inject('templateDatabase'));
  drop = clone.drop;
  db = new Client({ connectionString: clone.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await drop?.();
});

const columns = `(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(%s) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = %s AND a.attnum = k.attnum)`;

describe('the schema is distributable by brand_id', () => {
  it('keeps brand_id in every table but the listed ones', async () => {
    const { rows } = await db.query<{ table: string }>(`
      SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'brand_id' AND NOT a.attisdropped)
      ORDER BY 1`);
    expect(rows.map((r) => r.table)).toEqual(Object.keys(NOT_TENANT_DATA).sort());
  });

  it('leads every primary key and unique key with brand_id, except the listed global lookups', async () => {
    const { rows } = await db.query<{ table: string; name: string; primary: boolean; columns: string[] }>(`
      SELECT t.relname AS table, i.relname AS name, x.indisprimary AS primary,
             ${columns.replace('%s', 'x.indkey::int2[]').replace('%s', 'x.indrelid')} AS columns
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND x.indisunique AND t.relname <> ALL($1)
      ORDER BY 1, 2`, [Object.keys(NOT_TENANT_DATA)]);
    expect(rows.length).toBeGreaterThan(30);
    const offenders = rows.filter((r) => r.columns?.[0] !== 'brand_id').map((r) => `${r.table}(${r.columns?.join(', ') ?? 'expression'})`);
    expect(offenders.sort()).toEqual(Object.keys(GLOBAL_LOOKUPS).sort());
    expect(rows.filter((r) => r.primary && r.columns?.[0] !== 'brand_id')).toEqual([]);
    // Every tenant table has a primary key.
    const { rows: keyless } = await db.query(`
      SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> ALL($1)
        AND NOT EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid AND x.indisprimary)`, [Object.keys(NOT_TENANT_DATA)]);
    expect(keyless).toEqual([]);
  });

  it('leads every foreign key with brand_id on both sides', async () => {
    const { rows } = await db.query<{ name: string; from: string[]; to: string[] }>(`
      SELECT c.conname AS name,
             ${columns.replace('%s', 'c.conkey').replace('%s', 'c.conrelid')} AS from,
             ${columns.replace('%s', 'c.confkey').replace('%s', 'c.confrelid')} AS to
      FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND c.contype = 'f' ORDER BY 1`);
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.filter((r) => r.from[0] !== 'brand_id' || r.to[0] !== 'brand_id').map((r) => r.name)).toEqual([]);
  });
});

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../api/src/common/database/data-source';
import { StageImportsInBlocks1764820000000 } from '../../migrations/src/1764820000000-stage-imports-in-blocks';
import { cloneTemplate } from '../support/database';

let db: Awaited<ReturnType<typeof cloneTemplate>>;
let ds: DataSource;
let sql: Client;

beforeAll(async () => {
  db = await cloneTemplate(inject('templateDatabase'));
  ds = createDataSource(db.url, { poolSize: 1 });
  await ds.initialize();
  sql = new Client({ connectionString: db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await ds?.destroy();
  await db?.drop();
});

const COLUMNS = 'line, kind, external_id, subject_id, email_ct, email_hash, phone_ct, phone_hash, external_id_hash, wrapped_key, data';

describe('migration 1764820000000: import lines staged in blocks', () => {
  it('carries the staged lines of an unfinished job over to blocks, and back on the way down', async () => {
    const migration = new StageImportsInBlocks1764820000000();
    const runner = ds.createQueryRunner();
    try {
      await migration.down(runner);
      // A job that was still merging when the migration ran: lines numbered with gaps (skipped empty lines).
      const brandId = randomUUID();
      const importId = randomUUID();
      await sql.query(`INSERT INTO brands (brand_id, slug, name, default_locale) VALUES ($1, $2, 'Migrated', 'en')`, [brandId, `m-${brandId.slice(0, 8)}`]);
      await sql.query(
        `INSERT INTO import_jobs (brand_id, import_id, status, actor, total_lines, last_line, created_at, updated_at)
         VALUES ($1, $2, 'merging', 'api-key:x', 2500, 2600, now(), now())`,
        [brandId, importId],
      );
      await sql.query(
        `INSERT INTO import_rows (brand_id, import_id, ${COLUMNS})
         SELECT $1, $2, n, CASE WHEN n % 2 = 1 THEN 'subject' ELSE 'consent' END, 'm-' || n,
                CASE WHEN n % 2 = 1 THEN gen_random_uuid() END, CASE WHEN n % 2 = 1 THEN '\\x01ff'::bytea END,
                CASE WHEN n % 4 = 1 THEN md5('e' || n) END, NULL, NULL, md5(n::text),
                CASE WHEN n % 2 = 1 THEN '\\x0304'::bytea END, jsonb_build_object('n', n, 'note', E'tab\\there')
         FROM generate_series(1, 2600) AS n WHERE n % 26 <> 0`,
        [brandId, importId],
      );
      const staged = (await sql.query(`SELECT ${COLUMNS} FROM import_rows WHERE import_id = $1 ORDER BY line`, [importId])).rows;
      expect(staged).toHaveLength(2500);

      await migration.up(runner);
      expect((await sql.query(`SELECT to_regclass('import_rows') AS t`)).rows[0].t).toBeNull();
      const blocks = (
        await sql.query(`SELECT block, first_line, last_line, cardinality(lines)::int AS n FROM import_blocks WHERE import_id = $1 ORDER BY block`, [importId])
      ).rows;
      expect(blocks.map((b) => b.block)).toEqual([0, 1, 2]);
      for (const b of blocks) {
        const inBlock = staged.filter((r) => Math.floor((r.line - 1) / 1000) === b.block).map((r) => r.line as number);
        expect([b.first_line, b.last_line, b.n]).toEqual([inBlock[0], inBlock.at(-1), inBlock.length]);
      }
      const expanded = (
        await sql.query(`SELECT x.* FROM import_blocks b CROSS JOIN LATERAL unnest(b.lines) AS x WHERE b.import_id = $1 ORDER BY x.line`, [importId])
      ).rows;
      expect(expanded).toEqual(staged);

      await migration.down(runner);
      expect((await sql.query(`SELECT ${COLUMNS} FROM import_rows WHERE import_id = $1 ORDER BY line`, [importId])).rows).toEqual(staged);
      expect((await sql.query(`SELECT to_regclass('import_blocks') AS t`)).rows[0].t).toBeNull();
      await migration.up(runner);
      expect(
        (await sql.query(`SELECT relrowsecurity AS rls, relforcerowsecurity AS forced FROM pg_class WHERE relname = 'import_blocks'`)).rows[0],
      ).toEqual({ rls: true, forced: true });
    } finally {
      await runner.release();
    }
  });
});

import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../api/src/common/database/data-source';
import { ScrubUploadRejections1764830000000 } from '../../migrations/src/1764830000000-scrub-upload-rejections';
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

const M = 'Zq9Marker';
/** Reasons as the API stored them before: each quotes what its line said. */
const OLD_IMPORT_REASONS = [
  `not valid JSON (Unexpected token 'Z', "${M} not json" is not valid JSON)`,
  `unknown-subject: no subject has externalId "${M}-1" (put its subject line in the file or create it first)`,
  `unknown-purpose: "${M.toLowerCase()}" is not a purpose of this brand`,
  `unknown-notice-version: "${M.toLowerCase()}" has no notice version 7`,
  `notice-required: publish a notice for "${M.toLowerCase()}" before importing grants`,
  `${M}.x: must not contain NUL (U+0000) characters`,
  `locale: locale must match a pattern; ${M}: is not a known field`,
];
const OLD_ERASURE_REASONS = [
  `not valid JSON (Unexpected token 'Z', "${M}" is not valid JSON)`,
  `unknown-subject: no subject of this brand has id "${M}"`,
  `unknown-subject: no subject of this brand has externalId "${M}-2"`,
  `${M}: is not accepted; a line names one subject by "subjectId" or "externalId"`,
  `externalId: must not contain NUL (U+0000) characters`,
];

describe('migration 1764830000000: upload rejections without submitted text', () => {
  it('rewrites stored reasons to our own words, keeps the first 1,000 per job, and is safe to run twice', async () => {
    const migration = new ScrubUploadRejections1764830000000();
    const runner = ds.createQueryRunner();
    try {
      const brandId = randomUUID();
      const importId = randomUUID();
      const jobId = randomUUID();
      await sql.query(`INSERT INTO brands (brand_id, slug, name, default_locale) VALUES ($1, $2, 'Migrated', 'en')`, [brandId, `m-${brandId.slice(0, 8)}`]);
      await sql.query(
        `INSERT INTO import_jobs (brand_id, import_id, status, actor, total_lines, last_line, created_at, updated_at)
         VALUES ($1, $2, 'completed', 'api-key:x', 2000, 2000, now(), now())`,
        [brandId, importId],
      );
      await sql.query(
        `INSERT INTO erasure_jobs (brand_id, job_id, status, actor, total_lines, created_at, updated_at) VALUES ($1, $2, 'completed', 'api-key:x', 10, now(), now())`,
        [brandId, jobId],
      );
      // Old reasons on the first lines, then 1,200 more rejections: more than are kept.
      await sql.query(
        `INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT $1, $2, n, CASE WHEN n <= $4 THEN ($3::text[])[n] ELSE 'must be a JSON object' END FROM generate_series(1, 1200) AS n`,
        [brandId, importId, OLD_IMPORT_REASONS, OLD_IMPORT_REASONS.length],
      );
      await sql.query(`INSERT INTO erasure_job_rejections (brand_id, job_id, line, reason) SELECT $1, $2, n, ($3::text[])[n] FROM generate_series(1, $4::int) AS n`, [
        brandId, jobId, OLD_ERASURE_REASONS, OLD_ERASURE_REASONS.length,
      ]);

      await migration.up(runner);
      const imports = (await sql.query(`SELECT line, reason FROM import_rejections WHERE import_id = $1 ORDER BY line`, [importId])).rows;
      const erasures = (await sql.query(`SELECT line, reason FROM erasure_job_rejections WHERE job_id = $1 ORDER BY line`, [jobId])).rows;
      expect(imports).toHaveLength(1000);
      expect(imports.at(-1).line).toBe(1000);
      expect(JSON.stringify([imports, erasures])).not.toMatch(new RegExp(M, 'i'));
      expect(imports.slice(0, OLD_IMPORT_REASONS.length).map((r) => r.reason)).toEqual([
        'not valid JSON',
        'unknown-subject: no subject has this externalId (put its subject line in the file or create it first)',
        'unknown-purpose: purpose is not a purpose of this brand (GET /v1/purposes lists them)',
        "unknown-notice-version: noticeVersion is not a version of this purpose's notice",
        'notice-required: publish a notice for this purpose before importing grants',
        'a value or key must not contain NUL (U+0000) characters',
        'locale: locale must match a pattern; a field of the line is not a known field of its type',
      ]);
      expect(erasures.map((r) => r.reason)).toEqual([
        'not valid JSON',
        'subjectId: no subject of this brand has this id',
        'externalId: no subject of this brand has this externalId',
        'only "subjectId" or "externalId" is accepted: a line names one subject and nothing else',
        'a value or key must not contain NUL (U+0000) characters',
      ]);

      // Down keeps what up wrote (the removed text is gone for good); up again changes nothing.
      await migration.down();
      await migration.up(runner);
      expect((await sql.query(`SELECT line, reason FROM import_rejections WHERE import_id = $1 ORDER BY line`, [importId])).rows).toEqual(imports);
      expect((await sql.query(`SELECT line, reason FROM erasure_job_rejections WHERE job_id = $1 ORDER BY line`, [jobId])).rows).toEqual(erasures);
    } finally {
      await runner.release();
    }
  });
});

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk imports stage their lines in blocks: one row per block of consecutive lines, holding the
 * lines as an array of `import_line`, instead of one row per line. Staging a line as its own row
 * cost a heap tuple, a primary-key entry and a foreign-key check against the job (the check alone
 * took longer than the insert); a block pays these once for a thousand lines. The merge expands
 * the blocks of a chunk into a transaction-local table and works on that, set-wise as before.
 */
export class StageImportsInBlocks1764820000000 implements MigrationInterface {
  name = 'StageImportsInBlocks1764820000000';

  public async up(q: QueryRunner): Promise<void> {
    // One staged line, already validated; identifiers already sealed (subject lines only).
    await q.query(`
      CREATE TYPE import_line AS (
        line integer,
        kind text,
        external_id text,
        subject_id uuid,
        email_ct bytea,
        email_hash text,
        phone_ct bytea,
        phone_hash text,
        external_id_hash text,
        wrapped_key bytea,
        data jsonb
      )
    `);
    await q.query(`
      CREATE TABLE import_blocks (
        brand_id uuid NOT NULL,
        import_id uuid NOT NULL,
        block integer NOT NULL,
        -- The numbers of the block's first and last line: a chunk of the merge reads the blocks it overlaps.
        first_line integer NOT NULL,
        last_line integer NOT NULL,
        lines import_line[] NOT NULL,
        CONSTRAINT pk_import_blocks PRIMARY KEY (brand_id, import_id, block),
        CONSTRAINT fk_import_blocks_job FOREIGN KEY (brand_id, import_id) REFERENCES import_jobs (brand_id, import_id) ON DELETE CASCADE,
        CONSTRAINT ck_import_blocks_lines CHECK (first_line <= last_line)
      )
    `);
    await q.query(`ALTER TABLE import_blocks ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE import_blocks FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY pol_import_blocks_tenant ON import_blocks
      USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
    `);
    await q.query(`GRANT SELECT, INSERT, DELETE ON import_blocks TO candor_app`);
    await q.query(`GRANT USAGE ON TYPE import_line TO candor_app`);

    // Jobs still merging keep their staged lines (the owner reads past the brand policy to move them).
    await q.query(`ALTER TABLE import_rows NO FORCE ROW LEVEL SECURITY`);
    await q.query(`
      INSERT INTO import_blocks (brand_id, import_id, block, first_line, last_line, lines)
      SELECT brand_id, import_id, (line - 1) / 1000, min(line), max(line),
             array_agg(ROW(line, kind, external_id, subject_id, email_ct, email_hash, phone_ct, phone_hash,
                           external_id_hash, wrapped_key, data)::import_line ORDER BY line)
      FROM import_rows GROUP BY brand_id, import_id, (line - 1) / 1000
    `);
    await q.query(`DROP TABLE import_rows`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_rows (
        brand_id uuid NOT NULL,
        import_id uuid NOT NULL,
        line integer NOT NULL,
        kind text NOT NULL,
        external_id text NOT NULL,
        subject_id uuid,
        email_ct bytea,
        email_hash text,
        phone_ct bytea,
        phone_hash text,
        external_id_hash text,
        wrapped_key bytea,
        data jsonb NOT NULL,
        CONSTRAINT pk_import_rows PRIMARY KEY (brand_id, import_id, line),
        CONSTRAINT fk_import_rows_job FOREIGN KEY (brand_id, import_id) REFERENCES import_jobs (brand_id, import_id) ON DELETE CASCADE
      )
    `);
    await q.query(`ALTER TABLE import_blocks NO FORCE ROW LEVEL SECURITY`);
    await q.query(`
      INSERT INTO import_rows (brand_id, import_id, line, kind, external_id, subject_id, email_ct, email_hash, phone_ct, phone_hash, external_id_hash, wrapped_key, data)
      SELECT b.brand_id, b.import_id, x.line, x.kind, x.external_id, x.subject_id, x.email_ct, x.email_hash, x.phone_ct, x.phone_hash, x.external_id_hash, x.wrapped_key, x.data
      FROM import_blocks b CROSS JOIN LATERAL unnest(b.lines) AS x
    `);
    await q.query(`ALTER TABLE import_rows ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE import_rows FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY pol_import_rows_tenant ON import_rows
      USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
    `);
    await q.query(`GRANT SELECT, INSERT, DELETE ON import_rows TO candor_app`);
    await q.query(`DROP TABLE import_blocks`);
    await q.query(`DROP TYPE import_line`);
  }
}

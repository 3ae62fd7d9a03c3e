import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk imports: a job per upload, the uploaded lines staged (already validated, identifiers
 * already encrypted) until they are merged, and the lines that were rejected with their reasons.
 */
export class CreateImports1764700000000 implements MigrationInterface {
  name = 'CreateImports1764700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_jobs (
        brand_id uuid NOT NULL,
        import_id uuid NOT NULL,
        status text NOT NULL,
        actor text NOT NULL,
        -- Non-empty lines received, and the number of the last one (lines keep their numbers).
        total_lines integer NOT NULL,
        last_line integer NOT NULL DEFAULT 0,
        -- Merging runs in two passes (1: subjects, 2: everything else), each in line order;
        -- a chunk's rows and this checkpoint commit together, so a restart resumes after it.
        phase smallint NOT NULL DEFAULT 1,
        merged_through integer NOT NULL DEFAULT 0,
        rows_done integer NOT NULL DEFAULT 0,
        rows_rejected integer NOT NULL DEFAULT 0,
        error text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        finished_at timestamptz,
        CONSTRAINT pk_import_jobs PRIMARY KEY (brand_id, import_id),
        CONSTRAINT fk_import_jobs_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id),
        CONSTRAINT ck_import_jobs_status CHECK (status IN ('merging', 'completed', 'failed'))
      )
    `);
    await q.query(`CREATE INDEX ix_import_jobs_open ON import_jobs (brand_id, lease_until) WHERE status = 'merging'`);

    await q.query(`
      CREATE TABLE import_rows (
        brand_id uuid NOT NULL,
        import_id uuid NOT NULL,
        line integer NOT NULL,
        kind text NOT NULL,
        external_id text NOT NULL,
        -- Subject lines only: the new subject's id, sealed identifiers and wrapped data key.
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

    await q.query(`
      CREATE TABLE import_rejections (
        brand_id uuid NOT NULL,
        import_id uuid NOT NULL,
        line integer NOT NULL,
        reason text NOT NULL,
        CONSTRAINT pk_import_rejections PRIMARY KEY (brand_id, import_id, line),
        CONSTRAINT fk_import_rejections_job FOREIGN KEY (brand_id, import_id) REFERENCES import_jobs (brand_id, import_id) ON DELETE CASCADE
      )
    `);

    // Audiences over millions of subjects (docs/benchmarks.md shows the plans): each fact filter and
    // the consent condition are answered from an index alone (index-only scans feeding hash semi
    // joins), without visiting the table rows for category, expiry or dispute.
    await q.query(`CREATE INDEX ix_facts_audience ON facts (brand_id, fact_key, value, subject_id) INCLUDE (category, expires_at) WHERE disputed_at IS NULL`);
    await q.query(`DROP INDEX ix_consent_states_purpose`);
    await q.query(`CREATE INDEX ix_consent_states_purpose ON consent_states (brand_id, purpose_key, subject_id) INCLUDE (expires_at) WHERE granted`);

    for (const table of ['import_jobs', 'import_rows', 'import_rejections']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON import_jobs TO candor_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON import_rows, import_rejections TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ix_facts_audience`);
    await q.query(`DROP INDEX IF EXISTS ix_consent_states_purpose`);
    await q.query(`CREATE INDEX ix_consent_states_purpose ON consent_states (brand_id, purpose_key, subject_id) WHERE granted`);
    for (const table of ['import_rejections', 'import_rows', 'import_jobs']) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}

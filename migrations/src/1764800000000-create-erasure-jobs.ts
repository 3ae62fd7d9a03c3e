import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk erasure: a job per upload, its lines resolved to subjects at upload time (so no external id
 * is staged beyond the upload's own transaction), and the lines that were rejected with their reasons.
 * Also indexes the per-subject tables that erasure deletes from but had no index by subject.
 */
export class CreateErasureJobs1764800000000 implements MigrationInterface {
  name = 'CreateErasureJobs1764800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE erasure_jobs (
        brand_id uuid NOT NULL,
        job_id uuid NOT NULL,
        status text NOT NULL,
        actor text NOT NULL,
        -- Non-empty lines received, and the number of the last one (lines keep their numbers).
        total_lines integer NOT NULL,
        -- Runs in two passes over the job's lines in line order (1: erase, 2: complete the privacy
        -- requests once the ledger was verified); a chunk's work and this checkpoint commit together.
        phase smallint NOT NULL DEFAULT 1,
        done_through integer NOT NULL DEFAULT 0,
        erased integer NOT NULL DEFAULT 0,
        already_erased integer NOT NULL DEFAULT 0,
        rows_rejected integer NOT NULL DEFAULT 0,
        -- The brand's whole consent ledger, verified once after the last subject was erased.
        ledger_verified boolean,
        ledger_events integer,
        error text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz,
        CONSTRAINT pk_erasure_jobs PRIMARY KEY (brand_id, job_id),
        CONSTRAINT fk_erasure_jobs_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id),
        CONSTRAINT ck_erasure_jobs_status CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        CONSTRAINT ck_erasure_jobs_phase CHECK (phase IN (1, 2))
      )
    `);
    await q.query(`CREATE INDEX ix_erasure_jobs_open ON erasure_jobs (brand_id, lease_until) WHERE status IN ('queued', 'running')`);

    // One row per accepted line: the subject it names and the id its privacy request gets.
    await q.query(`
      CREATE TABLE erasure_job_items (
        brand_id uuid NOT NULL,
        job_id uuid NOT NULL,
        line integer NOT NULL,
        subject_id uuid NOT NULL,
        request_id uuid NOT NULL,
        CONSTRAINT pk_erasure_job_items PRIMARY KEY (brand_id, job_id, line),
        CONSTRAINT fk_erasure_job_items_job FOREIGN KEY (brand_id, job_id) REFERENCES erasure_jobs (brand_id, job_id) ON DELETE CASCADE,
        CONSTRAINT fk_erasure_job_items_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id)
      )
    `);

    await q.query(`
      CREATE TABLE erasure_job_rejections (
        brand_id uuid NOT NULL,
        job_id uuid NOT NULL,
        line integer NOT NULL,
        reason text NOT NULL,
        CONSTRAINT pk_erasure_job_rejections PRIMARY KEY (brand_id, job_id, line),
        CONSTRAINT fk_erasure_job_rejections_job FOREIGN KEY (brand_id, job_id) REFERENCES erasure_jobs (brand_id, job_id) ON DELETE CASCADE
      )
    `);

    // Erasure deletes by subject, set-wise; these tables had no index that starts with the subject.
    await q.query(`CREATE INDEX ix_sessions_subject ON sessions (brand_id, subject_id)`);
    await q.query(`CREATE INDEX ix_sign_in_tokens_subject ON sign_in_tokens (brand_id, subject_id)`);
    await q.query(`CREATE INDEX ix_contacts_subject ON contacts (brand_id, subject_id)`);

    for (const table of ['erasure_jobs', 'erasure_job_items', 'erasure_job_rejections']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON erasure_jobs TO candor_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON erasure_job_items TO candor_app`);
    await q.query(`GRANT SELECT, INSERT ON erasure_job_rejections TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const index of ['ix_sessions_subject', 'ix_sign_in_tokens_subject', 'ix_contacts_subject']) await q.query(`DROP INDEX IF EXISTS ${index}`);
    for (const table of ['erasure_job_rejections', 'erasure_job_items', 'erasure_jobs']) await q.query(`DROP TABLE IF EXISTS ${table}`);
  }
}

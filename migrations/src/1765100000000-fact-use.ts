import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a customer lets each purpose use (issue 13, item 5).
 *
 * - `fact_use`: per subject and purpose, the customer's own choice — `declared-only` ("use only
 *   what I told you") or `all` ("also what you observed or inferred") — and when it was made. No
 *   row: the purpose's default (declared-only for a purpose that rests on consent, all otherwise;
 *   see api/src/modules/fact-use/fact-use.ts). Audience queries read it by subject and purpose.
 * - `questions.ask_before_use`: an observed or inferred fact under the question's fact key is
 *   never used; only the customer's declared answer counts.
 */
export class FactUse1765100000000 implements MigrationInterface {
  name = 'FactUse1765100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE questions ADD COLUMN ask_before_use boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE fact_use (
        brand_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        use text NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_fact_use PRIMARY KEY (brand_id, subject_id, purpose_key),
        CONSTRAINT fk_fact_use_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id),
        CONSTRAINT fk_fact_use_purpose FOREIGN KEY (brand_id, purpose_key) REFERENCES purposes (brand_id, purpose_key),
        CONSTRAINT ck_fact_use_use CHECK (use IN ('declared-only', 'all'))
      )
    `);
    await q.query(`ALTER TABLE fact_use ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE fact_use FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY pol_fact_use_tenant ON fact_use
      USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
    `);
    // DELETE: erasure removes the subject's choices with the rest of their data.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON fact_use TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS fact_use`);
    await q.query(`ALTER TABLE questions DROP COLUMN IF EXISTS ask_before_use`);
  }
}

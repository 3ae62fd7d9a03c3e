import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One person across silos (issue 17): a subject has many identifiers, and two records of one person
 * can be merged.
 *
 * - `subject_identifiers`: more identifiers of a subject (an email, a phone, another system's id),
 *   sealed under the subject's data key like its email and phone; found only by keyed hash
 *   (`value_hash`, whose kind names the type and system, so one unique key per brand covers them).
 * - `subjects.merged_into` / `merged_at`: a record merged into another stays (the ledger's foreign
 *   keys and its own consent events point at it) but answers 410 with the survivor's id.
 * - `subject_merges`: what each merge did, for the person (Activity, export) and to answer a repeat.
 * - `consent_events.cites_hash`: a merge event names the merged record's last event for the purpose
 *   (its hash), covered by the merge event's own hash, so the chain proves both histories.
 * - `privacy_requests.key_subject_id`: a request moved to the survivor keeps its notes sealed under
 *   the key they were written with (the merged record's; erased with the survivor).
 */
export class IdentifyAndMergeSubjects1765120000000 implements MigrationInterface {
  name = 'IdentifyAndMergeSubjects1765120000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subjects ADD COLUMN merged_into uuid, ADD COLUMN merged_at timestamptz`);
    // No self-referencing foreign key (it would make `subjects` circular for data-only dumps):
    // `subject_merges` references both records of every merge.
    await q.query(`
      ALTER TABLE subjects
        ADD CONSTRAINT ck_subjects_merged CHECK ((merged_into IS NULL) = (merged_at IS NULL) AND merged_into IS DISTINCT FROM subject_id)
    `);
    await q.query(`CREATE INDEX ix_subjects_merged_into ON subjects (brand_id, merged_into) WHERE merged_into IS NOT NULL`);

    await q.query(`
      CREATE TABLE subject_identifiers (
        brand_id uuid NOT NULL,
        identifier_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        type text NOT NULL,
        system text,
        value_ct bytea NOT NULL,
        value_hash text NOT NULL,
        origin text NOT NULL,
        merged_from uuid,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_subject_identifiers PRIMARY KEY (brand_id, identifier_id),
        CONSTRAINT uq_subject_identifiers_hash UNIQUE (brand_id, value_hash),
        CONSTRAINT fk_subject_identifiers_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id),
        CONSTRAINT ck_subject_identifiers_type CHECK (type IN ('email', 'phone', 'external')),
        CONSTRAINT ck_subject_identifiers_system CHECK (system IS NULL OR type = 'external'),
        CONSTRAINT ck_subject_identifiers_origin CHECK (origin IN ('api', 'merge', 'import'))
      )
    `);
    await q.query(`CREATE INDEX ix_subject_identifiers_subject ON subject_identifiers (brand_id, subject_id, created_at)`);

    await q.query(`
      CREATE TABLE subject_merges (
        brand_id uuid NOT NULL,
        merge_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        merged_subject_id uuid NOT NULL,
        merged_at timestamptz NOT NULL,
        actor text NOT NULL,
        outcome jsonb NOT NULL,
        CONSTRAINT pk_subject_merges PRIMARY KEY (brand_id, merge_id),
        CONSTRAINT uq_subject_merges_merged UNIQUE (brand_id, merged_subject_id),
        CONSTRAINT fk_subject_merges_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id),
        CONSTRAINT fk_subject_merges_merged FOREIGN KEY (brand_id, merged_subject_id) REFERENCES subjects (brand_id, subject_id)
      )
    `);
    await q.query(`CREATE INDEX ix_subject_merges_subject ON subject_merges (brand_id, subject_id, merged_at)`);

    await q.query(`ALTER TABLE consent_events ADD COLUMN cites_hash text`);
    await q.query(`ALTER TABLE privacy_requests ADD COLUMN key_subject_id uuid`);

    for (const table of ['subject_identifiers', 'subject_merges']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON subject_identifiers, subject_merges TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS subject_merges`);
    await q.query(`DROP TABLE IF EXISTS subject_identifiers`);
    await q.query(`ALTER TABLE privacy_requests DROP COLUMN IF EXISTS key_subject_id`);
    await q.query(`ALTER TABLE consent_events DROP COLUMN IF EXISTS cites_hash`);
    await q.query(`DROP INDEX IF EXISTS ix_subjects_merged_into`);
    await q.query(`ALTER TABLE subjects DROP CONSTRAINT IF EXISTS ck_subjects_merged`);
    await q.query(`ALTER TABLE subjects DROP COLUMN IF EXISTS merged_at, DROP COLUMN IF EXISTS merged_into`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Preference topics are sealed under the subject's data key (`topics_ct`, a JSON array; issue 12,
 * item 7). No SQL filters on them (audiences and decisions read channels and quiet hours only), so
 * no hash is needed; the import merge compares them after opening. Existing rows are sealed by the
 * API when it starts (PreferenceSealingBackfill), which empties `topics`: the master key is not
 * available to migrations.
 */
export class SealPreferenceTopics1764940000000 implements MigrationInterface {
  name = 'SealPreferenceTopics1764940000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE preferences ADD COLUMN topics_ct bytea`);
    await q.query(`ALTER TABLE preferences ALTER COLUMN topics DROP NOT NULL, ALTER COLUMN topics DROP DEFAULT`);
    // Sealed or still plaintext (waiting for the backfill), never both or neither.
    await q.query(`ALTER TABLE preferences ADD CONSTRAINT ck_preferences_sealed CHECK ((topics_ct IS NULL) <> (topics IS NULL))`);
    await q.query(`CREATE INDEX ix_preferences_unsealed ON preferences (brand_id) WHERE topics_ct IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM preferences WHERE topics_ct IS NOT NULL`);
    if (n > 0) throw new Error(`${n} preference rows have sealed topics; reverting SealPreferenceTopics1764940000000 would lose them`);
    await q.query(`DROP INDEX IF EXISTS ix_preferences_unsealed`);
    await q.query(`ALTER TABLE preferences DROP CONSTRAINT ck_preferences_sealed`);
    await q.query(`ALTER TABLE preferences DROP COLUMN topics_ct`);
    await q.query(`ALTER TABLE preferences ALTER COLUMN topics SET DEFAULT '{}', ALTER COLUMN topics SET NOT NULL`);
  }
}

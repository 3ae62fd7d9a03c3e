import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Suppression reasons are sealed under the subject's data key (`reason_ct`; issue 12, item 7): they
 * are only ever read back as text (a decision's `suppressed:<reason>`), never filtered on, so no
 * hash is needed. Existing rows are sealed by the API when it starts (SuppressionSealingBackfill),
 * which empties `reason`: the master key is not available to migrations.
 */
export class SealSuppressionReasons1764920000000 implements MigrationInterface {
  name = 'SealSuppressionReasons1764920000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE suppressions ADD COLUMN reason_ct bytea`);
    await q.query(`ALTER TABLE suppressions ALTER COLUMN reason DROP NOT NULL`);
    // Sealed or still plaintext (waiting for the backfill), never both or neither.
    await q.query(`ALTER TABLE suppressions ADD CONSTRAINT ck_suppressions_sealed CHECK ((reason_ct IS NULL) <> (reason IS NULL))`);
    await q.query(`CREATE INDEX ix_suppressions_unsealed ON suppressions (brand_id) WHERE reason_ct IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM suppressions WHERE reason_ct IS NOT NULL`);
    if (n > 0) throw new Error(`${n} suppression reasons are sealed; reverting SealSuppressionReasons1764920000000 would lose them`);
    await q.query(`DROP INDEX IF EXISTS ix_suppressions_unsealed`);
    await q.query(`ALTER TABLE suppressions DROP CONSTRAINT ck_suppressions_sealed`);
    await q.query(`ALTER TABLE suppressions DROP COLUMN reason_ct`);
    await q.query(`ALTER TABLE suppressions ALTER COLUMN reason SET NOT NULL`);
  }
}

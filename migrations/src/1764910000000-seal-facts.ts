import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Facts are crypto-shredded like emails (issue 12, item 7): a fact's value and source are sealed
 * under the subject's data key (`value_ct`, `source_ct`), and SQL compares values only by a keyed
 * hash per brand and fact key (`value_hash`), so that erasure, which destroys the key, leaves no
 * readable value in old row versions, index pages, WAL or backups.
 *
 * The master key is not available here, so existing rows cannot be sealed by this migration: the
 * API seals them when it starts (FactSealingBackfill: batched, idempotent, safe with several
 * processes), and empties their plaintext columns, which therefore become nullable. The indexes
 * and statistics over the plaintext value are replaced by the same ones over the hash, so no index
 * page keeps a value from here on.
 */
export class SealFacts1764910000000 implements MigrationInterface {
  name = 'SealFacts1764910000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE facts ADD COLUMN value_ct bytea, ADD COLUMN value_hash text, ADD COLUMN source_ct bytea`);
    await q.query(`ALTER TABLE facts ALTER COLUMN value DROP NOT NULL, ALTER COLUMN source DROP NOT NULL`);
    // A row is either sealed (all three) or still plaintext, waiting for the backfill.
    await q.query(`
      ALTER TABLE facts ADD CONSTRAINT ck_facts_sealed CHECK (
        (value_ct IS NOT NULL AND value_hash IS NOT NULL AND source_ct IS NOT NULL AND value IS NULL AND source IS NULL)
        OR (value_ct IS NULL AND value_hash IS NULL AND source_ct IS NULL AND value IS NOT NULL AND source IS NOT NULL))
    `);
    await q.query(`DROP STATISTICS IF EXISTS st_facts_key_value`);
    await q.query(`DROP INDEX IF EXISTS ix_facts_key_value`);
    await q.query(`DROP INDEX IF EXISTS ix_facts_audience`);
    await q.query(`CREATE INDEX ix_facts_audience ON facts (brand_id, fact_key, value_hash, subject_id) INCLUDE (category, expires_at) WHERE disputed_at IS NULL`);
    // What the backfill looks for; empty once it has run.
    await q.query(`CREATE INDEX ix_facts_unsealed ON facts (brand_id) WHERE value_ct IS NULL`);
    await q.query(`CREATE STATISTICS st_facts_key_value_hash (mcv, dependencies) ON brand_id, fact_key, value_hash FROM facts`);
    await q.query(`ANALYZE facts`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // Sealed values cannot be opened without the master key: going back would lose them.
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM facts WHERE value_ct IS NOT NULL`);
    if (n > 0) throw new Error(`${n} facts are sealed; reverting SealFacts1764910000000 would lose their values`);
    await q.query(`DROP STATISTICS IF EXISTS st_facts_key_value_hash`);
    await q.query(`DROP INDEX IF EXISTS ix_facts_unsealed`);
    await q.query(`DROP INDEX IF EXISTS ix_facts_audience`);
    await q.query(`ALTER TABLE facts DROP CONSTRAINT ck_facts_sealed`);
    await q.query(`ALTER TABLE facts DROP COLUMN value_ct, DROP COLUMN value_hash, DROP COLUMN source_ct`);
    await q.query(`ALTER TABLE facts ALTER COLUMN value SET NOT NULL, ALTER COLUMN source SET NOT NULL`);
    await q.query(`CREATE INDEX ix_facts_key_value ON facts (brand_id, fact_key, value, subject_id)`);
    await q.query(`CREATE INDEX ix_facts_audience ON facts (brand_id, fact_key, value, subject_id) INCLUDE (category, expires_at) WHERE disputed_at IS NULL`);
    await q.query(`CREATE STATISTICS st_facts_key_value (mcv, dependencies) ON brand_id, fact_key, value FROM facts`);
  }
}

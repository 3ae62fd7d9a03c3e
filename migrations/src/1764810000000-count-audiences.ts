import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exact audience counts over millions of subjects (docs/benchmarks.md shows the plan).
 *
 * - Every row-level security policy calls `candor_current_brand()`, which was created without a
 *   parallel marking and so counted as PARALLEL UNSAFE: that made every query of the tenant scope
 *   unsafe for parallel workers, whatever `max_parallel_workers_per_gather` said. The function only
 *   reads a transaction-local setting, and PostgreSQL hands the leader's settings and role to its
 *   workers, so each worker applies the same brand filter: it is parallel safe.
 * - The planner estimated a fact filter (`fact_key = … AND value = ANY(…)`) from the two columns
 *   separately and came out about half too low at a million subjects, which led it to a quarter of a
 *   million index probes into `consent_states` instead of one hash join. Extended statistics on the
 *   brand, key and value together (most common combinations) give it the real numbers.
 */
export class CountAudiences1764810000000 implements MigrationInterface {
  name = 'CountAudiences1764810000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION candor_current_brand() PARALLEL SAFE`);
    await q.query(`CREATE STATISTICS st_facts_key_value (mcv, dependencies) ON brand_id, fact_key, value FROM facts`);
    await q.query(`ANALYZE facts`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP STATISTICS IF EXISTS st_facts_key_value`);
    await q.query(`ALTER FUNCTION candor_current_brand() PARALLEL UNSAFE`);
  }
}

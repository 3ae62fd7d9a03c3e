import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables whose due work the background jobs look for across brands. */
const TABLES = ['webhook_deliveries', 'import_jobs', 'erasure_jobs', 'facts', 'purposes'];

/**
 * Background work is found across brands in one statement instead of one transaction per brand
 * and tick (with 10,000 idle brands the old loop kept PostgreSQL at a whole core). The function
 * answers only ids — which brands have due webhook deliveries, expired facts or retention rules,
 * which import and erasure jobs nobody holds — and the work itself is then done under each
 * brand's tenant scope, as before.
 *
 * It runs as its owner (SECURITY DEFINER) and sees across brands through policies that admit only
 * the owner, and only while the function has raised `app.due_work`: the app role cannot read
 * these rows across brands, and an unscoped query of the owner still sees nothing. The kinds'
 * conditions mirror the jobs' own (`LeasedJobTable.unfinished` and friends); the due-work
 * journey test checks that each kind finds exactly what its job would take.
 */
export class FindDueWork1765090000000 implements MigrationInterface {
  name = 'FindDueWork1765090000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`
        CREATE POLICY pol_${table}_due_work ON ${table} FOR SELECT TO CURRENT_USER
        USING (current_setting('app.due_work', true) = 'on')`);
    }
    // A brand's expired facts are found by time across brands.
    await q.query(`CREATE INDEX ix_facts_expiry_due ON facts (expires_at) WHERE expires_at IS NOT NULL`);
    await q.query(`
      CREATE FUNCTION candor_due_work(kind text, max_rows integer)
      RETURNS TABLE (brand_id uuid, item_id uuid)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      BEGIN
        PERFORM set_config('app.due_work', 'on', true);
        IF kind = 'webhook-deliveries' THEN
          RETURN QUERY SELECT d.brand_id, NULL::uuid FROM webhook_deliveries d
            WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
            GROUP BY d.brand_id ORDER BY min(d.next_attempt_at) LIMIT max_rows;
        ELSIF kind = 'imports' THEN
          RETURN QUERY SELECT j.brand_id, j.import_id FROM import_jobs j
            WHERE j.status = 'merging' AND (j.lease_until IS NULL OR j.lease_until < now())
            ORDER BY j.created_at LIMIT max_rows;
        ELSIF kind = 'erasure-jobs' THEN
          RETURN QUERY SELECT j.brand_id, j.job_id FROM erasure_jobs j
            WHERE j.status IN ('queued', 'running') AND (j.lease_until IS NULL OR j.lease_until < now())
            ORDER BY j.created_at LIMIT max_rows;
        ELSIF kind = 'expired-facts' THEN
          RETURN QUERY SELECT DISTINCT f.brand_id, NULL::uuid FROM facts f
            WHERE f.expires_at IS NOT NULL AND f.expires_at <= now() LIMIT max_rows;
        ELSIF kind = 'retention' THEN
          RETURN QUERY SELECT DISTINCT p.brand_id, NULL::uuid FROM purposes p
            WHERE p.retention_days IS NOT NULL LIMIT max_rows;
        ELSE
          RAISE EXCEPTION 'unknown kind of due work: %', kind;
        END IF;
        PERFORM set_config('app.due_work', 'off', true);
      END
      $fn$`);
    await q.query(`REVOKE ALL ON FUNCTION candor_due_work(text, integer) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION candor_due_work(text, integer) TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS candor_due_work(text, integer)`);
    await q.query(`DROP INDEX IF EXISTS ix_facts_expiry_due`);
    for (const table of TABLES) await q.query(`DROP POLICY IF EXISTS pol_${table}_due_work ON ${table}`);
  }
}

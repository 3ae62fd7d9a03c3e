import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hash-chains the audit log. The chain lives beside the log (`audit_chain`, insert-only) so that
 * entries written before this migration are chained by the application on the next write, without
 * ever updating an audit row. One head row per brand serialises appends.
 */
export class ChainAuditLog1764650000000 implements MigrationInterface {
  name = 'ChainAuditLog1764650000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_chain (
        brand_id uuid NOT NULL,
        seq bigint NOT NULL,
        audit_id uuid NOT NULL,
        prev_hash text,
        hash text NOT NULL,
        CONSTRAINT pk_audit_chain PRIMARY KEY (brand_id, seq),
        CONSTRAINT uq_audit_chain_entry UNIQUE (brand_id, audit_id),
        CONSTRAINT fk_audit_chain_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);
    await q.query(`
      CREATE TABLE audit_heads (
        brand_id uuid NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0,
        last_hash text,
        CONSTRAINT pk_audit_heads PRIMARY KEY (brand_id),
        CONSTRAINT fk_audit_heads_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);
    await q.query(`
      CREATE TRIGGER tg_audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain
      FOR EACH ROW EXECUTE FUNCTION candor_forbid_change()
    `);
    await q.query(`
      CREATE TRIGGER tg_audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION candor_forbid_change()
    `);
    for (const table of ['audit_chain', 'audit_heads']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    await q.query(`GRANT SELECT, INSERT ON audit_chain TO candor_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON audit_heads TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS tg_audit_log_no_truncate ON audit_log`);
    await q.query(`DROP TABLE IF EXISTS audit_heads`);
    await q.query(`DROP TABLE IF EXISTS audit_chain`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Staff accounts per brand (admin, compliance, viewer), their sign-in links and sessions. */
export class CreateStaff1764660000000 implements MigrationInterface {
  name = 'CreateStaff1764660000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE staff_members (
        brand_id uuid NOT NULL,
        staff_id uuid NOT NULL,
        email_hash text NOT NULL,
        email_ct bytea NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        created_at timestamptz NOT NULL,
        disabled_at timestamptz,
        CONSTRAINT pk_staff_members PRIMARY KEY (brand_id, staff_id),
        CONSTRAINT uq_staff_members_email UNIQUE (brand_id, email_hash),
        CONSTRAINT fk_staff_members_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id),
        CONSTRAINT ck_staff_members_role CHECK (role IN ('admin', 'compliance', 'viewer'))
      )
    `);
    // Sign-in links and sessions of staff, as SHA-256 hashes only.
    await q.query(`
      CREATE TABLE staff_credentials (
        brand_id uuid NOT NULL,
        credential_id uuid NOT NULL,
        token_hash text NOT NULL,
        staff_id uuid NOT NULL,
        kind text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_staff_credentials PRIMARY KEY (brand_id, credential_id),
        CONSTRAINT uq_staff_credentials_hash UNIQUE (token_hash),
        CONSTRAINT fk_staff_credentials_staff FOREIGN KEY (brand_id, staff_id) REFERENCES staff_members (brand_id, staff_id),
        CONSTRAINT ck_staff_credentials_kind CHECK (kind IN ('sign_in_link', 'session'))
      )
    `);
    for (const table of ['staff_members', 'staff_credentials']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
    await q.query(`
      CREATE POLICY pol_staff_members_tenant ON staff_members
      USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
    `);
    await q.query(`
      CREATE POLICY pol_staff_credentials_tenant ON staff_credentials
      USING (brand_id = candor_current_brand() OR token_hash = current_setting('app.token_hash', true))
      WITH CHECK (brand_id = candor_current_brand())
    `);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON staff_members, staff_credentials TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS staff_credentials`);
    await q.query(`DROP TABLE IF EXISTS staff_members`);
  }
}

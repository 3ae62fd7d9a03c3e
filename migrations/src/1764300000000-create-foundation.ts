import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foundation schema: brands and their credentials, purposes and notices, subjects with
 * encrypted identifiers, the consent ledger with its projection, idempotency keys and the audit log.
 *
 * Every table is keyed by `brand_id` first and has row-level security forced, so the application
 * role (`candor_app`) sees only the brand set for the current transaction (`app.brand_id`). The
 * migration runs as the database owner; the API switches to `candor_app` inside every transaction.
 */
export class CreateFoundation1764300000000 implements MigrationInterface {
  name = 'CreateFoundation1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: create the application role only when it is missing, and let the
    // connecting (migrating) user switch to it with SET ROLE.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'candor_app') THEN
          CREATE ROLE candor_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END
      $$;
    `);
    await q.query(`
      DO $$
      BEGIN
        IF NOT pg_has_role(current_user, 'candor_app', 'MEMBER') THEN
          EXECUTE format('GRANT candor_app TO %I', current_user);
        END IF;
      END
      $$;
    `);
    await q.query(`GRANT USAGE ON SCHEMA public TO candor_app`);

    await q.query(`
      CREATE FUNCTION candor_current_brand() RETURNS uuid
      LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('app.brand_id', true), '')::uuid $$
    `);
    await q.query(`
      CREATE FUNCTION candor_forbid_change() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$
    `);

    await q.query(`
      CREATE TABLE brands (
        brand_id uuid NOT NULL,
        slug text NOT NULL,
        name text NOT NULL,
        default_locale text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_brands PRIMARY KEY (brand_id),
        CONSTRAINT uq_brands_slug UNIQUE (slug)
      )
    `);

    await q.query(`
      CREATE TABLE api_keys (
        brand_id uuid NOT NULL,
        api_key_id uuid NOT NULL,
        name text NOT NULL,
        key_hash text NOT NULL,
        key_prefix text NOT NULL,
        scopes text[] NOT NULL,
        purposes text[],
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT pk_api_keys PRIMARY KEY (brand_id, api_key_id),
        CONSTRAINT uq_api_keys_key_hash UNIQUE (key_hash),
        CONSTRAINT fk_api_keys_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);

    await q.query(`
      CREATE TABLE purposes (
        brand_id uuid NOT NULL,
        purpose_key text NOT NULL,
        name jsonb NOT NULL,
        legal_basis text NOT NULL,
        data_categories text[] NOT NULL,
        channels text[] NOT NULL DEFAULT '{}',
        sale_or_share boolean NOT NULL DEFAULT false,
        dpv_term text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_purposes PRIMARY KEY (brand_id, purpose_key),
        CONSTRAINT fk_purposes_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id),
        CONSTRAINT ck_purposes_legal_basis CHECK (legal_basis IN ('consent', 'legitimate_interest', 'contract', 'legal_obligation'))
      )
    `);

    await q.query(`
      CREATE TABLE notices (
        brand_id uuid NOT NULL,
        purpose_key text NOT NULL,
        version integer NOT NULL,
        notice_id uuid NOT NULL,
        text jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_notices PRIMARY KEY (brand_id, purpose_key, version),
        CONSTRAINT uq_notices_id UNIQUE (brand_id, notice_id),
        CONSTRAINT fk_notices_purpose FOREIGN KEY (brand_id, purpose_key) REFERENCES purposes (brand_id, purpose_key),
        CONSTRAINT ck_notices_version CHECK (version >= 1)
      )
    `);

    await q.query(`
      CREATE TABLE subjects (
        brand_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        external_id text NOT NULL,
        email_ct bytea,
        email_hash text,
        phone_ct bytea,
        phone_hash text,
        locale text,
        timezone text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_subjects PRIMARY KEY (brand_id, subject_id),
        CONSTRAINT uq_subjects_external_id UNIQUE (brand_id, external_id),
        CONSTRAINT fk_subjects_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);
    await q.query(`CREATE INDEX ix_subjects_email_hash ON subjects (brand_id, email_hash) WHERE email_hash IS NOT NULL`);
    await q.query(`CREATE INDEX ix_subjects_phone_hash ON subjects (brand_id, phone_hash) WHERE phone_hash IS NOT NULL`);

    // The subject's data key lives apart from the subject so that erasure can destroy it alone.
    await q.query(`
      CREATE TABLE subject_keys (
        brand_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        wrapped_key bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_subject_keys PRIMARY KEY (brand_id, subject_id),
        CONSTRAINT fk_subject_keys_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE
      )
    `);

    // One hash chain per brand: writers lock this row (SELECT ... FOR UPDATE), which serialises
    // ledger appends per brand on PostgreSQL and on the embedded database alike.
    await q.query(`
      CREATE TABLE ledger_heads (
        brand_id uuid NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0,
        last_hash text,
        CONSTRAINT pk_ledger_heads PRIMARY KEY (brand_id),
        CONSTRAINT fk_ledger_heads_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);

    await q.query(`
      CREATE TABLE consent_events (
        brand_id uuid NOT NULL,
        consent_event_id uuid NOT NULL,
        seq bigint NOT NULL,
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        granted boolean NOT NULL,
        notice_version integer,
        source text NOT NULL,
        actor text NOT NULL,
        captured_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        expires_at timestamptz,
        evidence_ct bytea,
        prev_hash text,
        hash text NOT NULL,
        CONSTRAINT pk_consent_events PRIMARY KEY (brand_id, consent_event_id),
        CONSTRAINT uq_consent_events_seq UNIQUE (brand_id, seq),
        CONSTRAINT fk_consent_events_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id),
        CONSTRAINT fk_consent_events_purpose FOREIGN KEY (brand_id, purpose_key) REFERENCES purposes (brand_id, purpose_key)
      )
    `);
    await q.query(`CREATE INDEX ix_consent_events_subject ON consent_events (brand_id, subject_id, seq)`);
    await q.query(`
      CREATE TRIGGER tg_consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events
      FOR EACH ROW EXECUTE FUNCTION candor_forbid_change()
    `);
    await q.query(`
      CREATE TRIGGER tg_consent_events_no_truncate BEFORE TRUNCATE ON consent_events
      FOR EACH STATEMENT EXECUTE FUNCTION candor_forbid_change()
    `);
    await q.query(`
      CREATE TRIGGER tg_notices_immutable BEFORE UPDATE OR DELETE ON notices
      FOR EACH ROW EXECUTE FUNCTION candor_forbid_change()
    `);

    // Current consent per subject and purpose: a projection of the ledger, written in the same
    // transaction as each event.
    await q.query(`
      CREATE TABLE consent_states (
        brand_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        granted boolean NOT NULL,
        notice_version integer,
        source text NOT NULL,
        consent_event_id uuid NOT NULL,
        captured_at timestamptz NOT NULL,
        expires_at timestamptz,
        updated_at timestamptz NOT NULL,
        CONSTRAINT pk_consent_states PRIMARY KEY (brand_id, subject_id, purpose_key),
        CONSTRAINT fk_consent_states_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id),
        CONSTRAINT fk_consent_states_event FOREIGN KEY (brand_id, consent_event_id) REFERENCES consent_events (brand_id, consent_event_id)
      )
    `);
    await q.query(`CREATE INDEX ix_consent_states_purpose ON consent_states (brand_id, purpose_key, subject_id) WHERE granted`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        brand_id uuid NOT NULL,
        scope text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        status_code integer NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_idempotency_keys PRIMARY KEY (brand_id, scope, idempotency_key),
        CONSTRAINT fk_idempotency_keys_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);

    await q.query(`
      CREATE TABLE audit_log (
        brand_id uuid NOT NULL,
        audit_id uuid NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        details jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT pk_audit_log PRIMARY KEY (brand_id, audit_id),
        CONSTRAINT fk_audit_log_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);
    await q.query(`CREATE INDEX ix_audit_log_at ON audit_log (brand_id, at)`);
    await q.query(`
      CREATE TRIGGER tg_audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION candor_forbid_change()
    `);

    // Row-level security: forced on every tenant table, so even the owner is filtered.
    const tenantTables = [
      'brands', 'api_keys', 'purposes', 'notices', 'subjects', 'subject_keys', 'ledger_heads',
      'consent_events', 'consent_states', 'idempotency_keys', 'audit_log',
    ];
    for (const table of tenantTables) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
    for (const table of tenantTables.filter((t) => t !== 'brands' && t !== 'api_keys')) {
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    // A brand is also found by its public slug (sign-in pages name the brand by slug), but only
    // when the transaction asks for exactly that slug.
    await q.query(`
      CREATE POLICY pol_brands_tenant ON brands
      USING (brand_id = candor_current_brand() OR slug = current_setting('app.brand_slug', true))
      WITH CHECK (brand_id = candor_current_brand())
    `);
    // An API key is resolved before its brand is known: the transaction names the SHA-256 of the
    // presented key, which only its holder can compute, and sees that one row.
    await q.query(`
      CREATE POLICY pol_api_keys_tenant ON api_keys
      USING (brand_id = candor_current_brand() OR key_hash = current_setting('app.key_hash', true))
      WITH CHECK (brand_id = candor_current_brand())
    `);

    // The application role may read and write, but never rewrite history.
    await q.query(`GRANT SELECT, INSERT, UPDATE ON brands, api_keys, purposes, subjects, ledger_heads, consent_states TO candor_app`);
    await q.query(`GRANT DELETE ON subjects, consent_states TO candor_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON subject_keys, idempotency_keys TO candor_app`);
    await q.query(`GRANT SELECT, INSERT ON notices, consent_events, audit_log TO candor_app`);
    await q.query(`GRANT EXECUTE ON FUNCTION candor_current_brand() TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_log', 'idempotency_keys', 'consent_states', 'consent_events', 'ledger_heads',
      'subject_keys', 'subjects', 'notices', 'purposes', 'api_keys', 'brands',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS candor_forbid_change()`);
    await q.query(`DROP FUNCTION IF EXISTS candor_current_brand()`);
  }
}

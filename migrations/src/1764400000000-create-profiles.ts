import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Zero-party profiles: facts with provenance, channel preferences, progressive-profiling
 * questions, customer sign-in tokens and sessions, the access log customers see, contacts and
 * suppression windows for contact decisions, and consent conflicts (Global Privacy Control).
 */
export class CreateProfiles1764400000000 implements MigrationInterface {
  name = 'CreateProfiles1764400000000';

  public async up(q: QueryRunner): Promise<void> {
    // Set when a subject is erased; the row stays (without personal data) so its id answers 410.
    await q.query(`ALTER TABLE subjects ADD COLUMN erased_at timestamptz`);

    await q.query(`
      CREATE TABLE facts (
        brand_id uuid NOT NULL,
        fact_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        fact_key text NOT NULL,
        value text NOT NULL,
        category text NOT NULL,
        provenance text NOT NULL,
        source text NOT NULL,
        collected_at timestamptz NOT NULL,
        expires_at timestamptz,
        disputed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_facts PRIMARY KEY (brand_id, fact_id),
        CONSTRAINT fk_facts_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE,
        CONSTRAINT ck_facts_provenance CHECK (provenance IN ('declared', 'observed', 'inferred'))
      )
    `);
    await q.query(`CREATE INDEX ix_facts_subject ON facts (brand_id, subject_id, fact_key)`);
    // Audience filters: subjects holding a given key = value.
    await q.query(`CREATE INDEX ix_facts_key_value ON facts (brand_id, fact_key, value, subject_id)`);
    await q.query(`CREATE INDEX ix_facts_expiry ON facts (brand_id, expires_at) WHERE expires_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE preferences (
        brand_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        channels jsonb NOT NULL DEFAULT '{}',
        quiet_hours jsonb,
        topics text[] NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_preferences PRIMARY KEY (brand_id, subject_id),
        CONSTRAINT fk_preferences_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE
      )
    `);

    await q.query(`
      CREATE TABLE questions (
        brand_id uuid NOT NULL,
        question_key text NOT NULL,
        text jsonb NOT NULL,
        fact_key text NOT NULL,
        category text NOT NULL,
        options jsonb NOT NULL,
        multiple boolean NOT NULL DEFAULT false,
        position integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_questions PRIMARY KEY (brand_id, question_key),
        CONSTRAINT fk_questions_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);
    await q.query(`
      CREATE TABLE question_responses (
        brand_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        question_key text NOT NULL,
        status text NOT NULL,
        responded_at timestamptz NOT NULL,
        CONSTRAINT pk_question_responses PRIMARY KEY (brand_id, subject_id, question_key),
        CONSTRAINT fk_question_responses_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE,
        CONSTRAINT fk_question_responses_question FOREIGN KEY (brand_id, question_key) REFERENCES questions (brand_id, question_key),
        CONSTRAINT ck_question_responses_status CHECK (status IN ('answered', 'dismissed'))
      )
    `);

    // One-time sign-in tokens (magic links, brand-issued portal links) and customer sessions,
    // both stored as SHA-256 hashes only.
    await q.query(`
      CREATE TABLE sign_in_tokens (
        brand_id uuid NOT NULL,
        token_id uuid NOT NULL,
        token_hash text NOT NULL,
        subject_id uuid NOT NULL,
        kind text NOT NULL,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_sign_in_tokens PRIMARY KEY (brand_id, token_id),
        CONSTRAINT uq_sign_in_tokens_hash UNIQUE (token_hash),
        CONSTRAINT fk_sign_in_tokens_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE,
        CONSTRAINT ck_sign_in_tokens_kind CHECK (kind IN ('magic_link', 'portal_link'))
      )
    `);
    await q.query(`
      CREATE TABLE sessions (
        brand_id uuid NOT NULL,
        session_id uuid NOT NULL,
        token_hash text NOT NULL,
        subject_id uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_sessions PRIMARY KEY (brand_id, session_id),
        CONSTRAINT uq_sessions_hash UNIQUE (token_hash),
        CONSTRAINT fk_sessions_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE
      )
    `);

    await q.query(`
      CREATE TABLE access_log (
        brand_id uuid NOT NULL,
        access_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        actor_name text,
        kind text NOT NULL,
        purpose_key text,
        fields text[] NOT NULL,
        CONSTRAINT pk_access_log PRIMARY KEY (brand_id, access_id),
        CONSTRAINT fk_access_log_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE
      )
    `);
    await q.query(`CREATE INDEX ix_access_log_subject ON access_log (brand_id, subject_id, at DESC)`);

    await q.query(`
      CREATE TABLE contacts (
        brand_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        channel text NOT NULL,
        at timestamptz NOT NULL,
        marketing boolean NOT NULL,
        CONSTRAINT pk_contacts PRIMARY KEY (brand_id, contact_id),
        CONSTRAINT fk_contacts_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE
      )
    `);
    await q.query(`CREATE INDEX ix_contacts_recent ON contacts (brand_id, subject_id, channel, at DESC) WHERE marketing`);

    await q.query(`
      CREATE TABLE suppressions (
        brand_id uuid NOT NULL,
        suppression_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        reason text NOT NULL,
        until timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_suppressions PRIMARY KEY (brand_id, suppression_id),
        CONSTRAINT fk_suppressions_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE
      )
    `);
    await q.query(`CREATE INDEX ix_suppressions_active ON suppressions (brand_id, subject_id, until DESC)`);

    await q.query(`
      CREATE TABLE consent_conflicts (
        brand_id uuid NOT NULL,
        conflict_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        signal text NOT NULL,
        signal_event_id uuid NOT NULL,
        overridden_event_id uuid NOT NULL,
        detected_at timestamptz NOT NULL,
        resolved_at timestamptz,
        resolution text,
        CONSTRAINT pk_consent_conflicts PRIMARY KEY (brand_id, conflict_id),
        CONSTRAINT fk_consent_conflicts_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE,
        CONSTRAINT ck_consent_conflicts_resolution CHECK (resolution IS NULL OR resolution IN ('confirmed_withdrawal', 'regranted'))
      )
    `);
    await q.query(`CREATE INDEX ix_consent_conflicts_subject ON consent_conflicts (brand_id, subject_id, purpose_key)`);

    const tables = [
      'facts', 'preferences', 'questions', 'question_responses', 'sign_in_tokens', 'sessions',
      'access_log', 'contacts', 'suppressions', 'consent_conflicts',
    ];
    for (const table of tables) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
    for (const table of tables.filter((t) => t !== 'sign_in_tokens' && t !== 'sessions')) {
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    // A presented token is resolved before its brand is known: the transaction names its SHA-256.
    for (const table of ['sign_in_tokens', 'sessions']) {
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand() OR token_hash = current_setting('app.token_hash', true))
        WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    // Background jobs visit every brand in turn; brand rows hold no personal data.
    await q.query(`
      CREATE POLICY pol_brands_enumerate ON brands FOR SELECT
      USING (current_setting('app.all_brands', true) = 'on')
    `);

    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON facts, preferences, question_responses, sign_in_tokens, sessions, suppressions, consent_conflicts TO candor_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON questions TO candor_app`);
    // Access records and contacts are history: added and, on erasure, deleted — never rewritten.
    await q.query(`GRANT SELECT, INSERT, DELETE ON access_log, contacts TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS pol_brands_enumerate ON brands`);
    for (const table of [
      'consent_conflicts', 'suppressions', 'contacts', 'access_log', 'sessions', 'sign_in_tokens',
      'question_responses', 'questions', 'preferences', 'facts',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`ALTER TABLE subjects DROP COLUMN IF EXISTS erased_at`);
  }
}

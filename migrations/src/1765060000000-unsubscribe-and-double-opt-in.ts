import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a sender owes a recipient, part 1.
 *
 * - `consent_states.unsubscribe_generation`: one-click unsubscribe links are sealed tokens that
 *   carry this number; bumping it revokes every link issued so far for that subject and purpose.
 *   It sits in the row the contact decision already reads, so issuing a link costs no extra query.
 * - `purposes.double_opt_in`: a grant through the brand API waits for the person's confirmation.
 * - `consent_confirmations`: one row per confirmation email — the grant asked for (notice version,
 *   source, sealed evidence), the link's SHA-256, when it expires, and how it ended. Nothing here
 *   is in force: the grant enters the ledger only when the person confirms.
 */
export class UnsubscribeAndDoubleOptIn1765060000000 implements MigrationInterface {
  name = 'UnsubscribeAndDoubleOptIn1765060000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_states ADD COLUMN unsubscribe_generation integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE purposes ADD COLUMN double_opt_in boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE consent_confirmations (
        brand_id uuid NOT NULL,
        confirmation_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        purpose_key text NOT NULL,
        token_hash text NOT NULL,
        notice_version integer,
        source text NOT NULL,
        requested_by text NOT NULL,
        captured_at timestamptz NOT NULL,
        requested_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        consent_expires_at timestamptz,
        evidence_ct bytea,
        locale text NOT NULL,
        mailed_at timestamptz,
        mail_failed_at timestamptz,
        resolved_at timestamptz,
        resolution text,
        consent_event_id uuid,
        CONSTRAINT pk_consent_confirmations PRIMARY KEY (brand_id, confirmation_id),
        CONSTRAINT uq_consent_confirmations_hash UNIQUE (token_hash),
        CONSTRAINT fk_consent_confirmations_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id),
        CONSTRAINT fk_consent_confirmations_purpose FOREIGN KEY (brand_id, purpose_key) REFERENCES purposes (brand_id, purpose_key),
        CONSTRAINT ck_consent_confirmations_resolution CHECK (resolution IN ('confirmed', 'granted', 'withdrawn')),
        CONSTRAINT ck_consent_confirmations_resolved CHECK ((resolved_at IS NULL) = (resolution IS NULL)),
        CONSTRAINT ck_consent_confirmations_locale CHECK (locale IN ('en', 'nb', 'da', 'pl', 'hu'))
      )
    `);
    // Open requests of one subject and purpose: the decision's "pending-confirmation" and the no-spam window.
    await q.query(`
      CREATE INDEX ix_consent_confirmations_open ON consent_confirmations (brand_id, subject_id, purpose_key, requested_at DESC)
      WHERE resolved_at IS NULL
    `);
    await q.query(`ALTER TABLE consent_confirmations ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE consent_confirmations FORCE ROW LEVEL SECURITY`);
    // The confirmation page knows only the token: its hash makes exactly that row visible, as for sign-in tokens.
    await q.query(`
      CREATE POLICY pol_consent_confirmations_tenant ON consent_confirmations
      USING (brand_id = candor_current_brand() OR token_hash = current_setting('app.token_hash', true))
      WITH CHECK (brand_id = candor_current_brand())
    `);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON consent_confirmations TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS consent_confirmations`);
    await q.query(`ALTER TABLE purposes DROP COLUMN IF EXISTS double_opt_in`);
    await q.query(`ALTER TABLE consent_states DROP COLUMN IF EXISTS unsubscribe_generation`);
  }
}

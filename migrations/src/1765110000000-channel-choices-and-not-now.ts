import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The person's own rhythm (issue 14, items 3–6).
 *
 * - `purposes.marketing`: which purposes are marketing. Suppressions ("not now") and frequency
 *   caps bind marketing only; service messages (contract, legal obligation) and customer care go
 *   on. Existing purposes get the rule new ones get by default: consent-based ones are marketing,
 *   contract and legal-obligation ones are not, and a legitimate-interest purpose is marketing
 *   unless its DPV term names a service (customer care, service provision…). Contacts recorded
 *   before this follow their purpose, so customer-care replies stop counting towards caps.
 * - `preferences.purposes`: the channels the person chose per purpose (`{ "order_updates":
 *   { "channels": ["sms"] } }`), beside the channels' own settings.
 * - `suppressions.ended_at`: a "not now" window ended early (the cart was bought); the row stays,
 *   so the brand can list what it set.
 * - `preference_changes`: who changed a subject's preferences, how and when, and which settings
 *   (names only: values stay in `preferences`), for the person's Activity. Erased with the subject.
 */
export class ChannelChoicesAndNotNow1765110000000 implements MigrationInterface {
  name = 'ChannelChoicesAndNotNow1765110000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purposes ADD COLUMN marketing boolean`);
    await q.query(`
      UPDATE purposes SET marketing = CASE
        WHEN legal_basis IN ('contract', 'legal_obligation') THEN false
        WHEN legal_basis = 'consent' THEN true
        ELSE coalesce(dpv_term, '') NOT IN ('dpv:CustomerCare', 'dpv:CustomerManagement', 'dpv:ServiceProvision', 'dpv:CommunicationForCustomerCare')
      END`);
    await q.query(`ALTER TABLE purposes ALTER COLUMN marketing SET NOT NULL`);
    await q.query(`ALTER TABLE purposes ADD CONSTRAINT ck_purposes_marketing CHECK (NOT (marketing AND legal_basis IN ('contract', 'legal_obligation')))`);
    // Contacts are history (the app may not update them); the migration brings their flag in line once.
    await q.query(`
      UPDATE contacts c SET marketing = p.marketing
      FROM purposes p
      WHERE p.brand_id = c.brand_id AND p.purpose_key = c.purpose_key AND c.marketing <> p.marketing`);

    await q.query(`ALTER TABLE preferences ADD COLUMN purposes jsonb`);
    await q.query(`ALTER TABLE suppressions ADD COLUMN ended_at timestamptz`);
    // The brand's list of a subject's suppressions, newest first.
    await q.query(`CREATE INDEX ix_suppressions_subject_created ON suppressions (brand_id, subject_id, created_at DESC, suppression_id DESC)`);

    await q.query(`
      CREATE TABLE preference_changes (
        brand_id uuid NOT NULL,
        change_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        version integer NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        actor_name text,
        source text NOT NULL,
        fields text[] NOT NULL,
        CONSTRAINT pk_preference_changes PRIMARY KEY (brand_id, change_id),
        CONSTRAINT fk_preference_changes_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id) ON DELETE CASCADE
      )
    `);
    await q.query(`CREATE INDEX ix_preference_changes_subject ON preference_changes (brand_id, subject_id, at DESC, change_id DESC)`);
    await q.query(`ALTER TABLE preference_changes ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE preference_changes FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY pol_preference_changes_tenant ON preference_changes
      USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
    `);
    // History: added and, on erasure, deleted — never rewritten.
    await q.query(`GRANT SELECT, INSERT, DELETE ON preference_changes TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS preference_changes`);
    await q.query(`DROP INDEX IF EXISTS ix_suppressions_subject_created`);
    await q.query(`ALTER TABLE suppressions DROP COLUMN IF EXISTS ended_at`);
    await q.query(`ALTER TABLE preferences DROP COLUMN IF EXISTS purposes`);
    await q.query(`UPDATE contacts c SET marketing = p.legal_basis NOT IN ('contract', 'legal_obligation') FROM purposes p WHERE p.brand_id = c.brand_id AND p.purpose_key = c.purpose_key`);
    await q.query(`ALTER TABLE purposes DROP CONSTRAINT IF EXISTS ck_purposes_marketing`);
    await q.query(`ALTER TABLE purposes DROP COLUMN IF EXISTS marketing`);
  }
}

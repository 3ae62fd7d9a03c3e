import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure receipts: one per erasure request whose customer had an email address, reachable by the
 * customer through an unguessable link (only its SHA-256 is stored). A receipt holds nothing
 * personal — the request it belongs to, the language to show it in, when it was issued — so it
 * survives the erasure it proves.
 */
export class CreateErasureReceipts1764930000000 implements MigrationInterface {
  name = 'CreateErasureReceipts1764930000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE erasure_receipts (
        brand_id uuid NOT NULL,
        receipt_id uuid NOT NULL,
        request_id uuid NOT NULL,
        token_hash text NOT NULL,
        locale text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_erasure_receipts PRIMARY KEY (brand_id, receipt_id),
        CONSTRAINT uq_erasure_receipts_hash UNIQUE (token_hash),
        CONSTRAINT uq_erasure_receipts_request UNIQUE (brand_id, request_id),
        CONSTRAINT fk_erasure_receipts_request FOREIGN KEY (brand_id, request_id) REFERENCES privacy_requests (brand_id, request_id),
        CONSTRAINT ck_erasure_receipts_locale CHECK (locale IN ('en', 'nb', 'da', 'pl', 'hu'))
      )
    `);
    await q.query(`ALTER TABLE erasure_receipts ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE erasure_receipts FORCE ROW LEVEL SECURITY`);
    // The receipt page knows only the token: its hash makes exactly that row visible, as for sign-in tokens.
    await q.query(`
      CREATE POLICY pol_erasure_receipts_tenant ON erasure_receipts
      USING (brand_id = candor_current_brand() OR token_hash = current_setting('app.token_hash', true))
      WITH CHECK (brand_id = candor_current_brand())
    `);
    await q.query(`GRANT SELECT, INSERT ON erasure_receipts TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS erasure_receipts`);
  }
}

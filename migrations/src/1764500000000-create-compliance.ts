import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance: privacy requests with their audited history, tombstones of erased subjects, the
 * transactional outbox with webhook endpoints and per-endpoint deliveries, and retention periods.
 */
export class CreateCompliance1764500000000 implements MigrationInterface {
  name = 'CreateCompliance1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE purposes ADD COLUMN retention_days integer`);

    await q.query(`
      CREATE TABLE privacy_requests (
        brand_id uuid NOT NULL,
        request_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        type text NOT NULL,
        jurisdiction text NOT NULL,
        channel text NOT NULL,
        status text NOT NULL,
        received_at timestamptz NOT NULL,
        acknowledge_by timestamptz,
        acknowledged_at timestamptz,
        due_at timestamptz NOT NULL,
        extended_at timestamptz,
        extension_reason text,
        completed_at timestamptz,
        certificate jsonb,
        CONSTRAINT pk_privacy_requests PRIMARY KEY (brand_id, request_id),
        CONSTRAINT fk_privacy_requests_subject FOREIGN KEY (brand_id, subject_id) REFERENCES subjects (brand_id, subject_id),
        CONSTRAINT ck_privacy_requests_type CHECK (type IN ('access', 'erasure', 'rectification', 'restriction', 'objection')),
        CONSTRAINT ck_privacy_requests_jurisdiction CHECK (jurisdiction IN ('gdpr', 'ccpa')),
        CONSTRAINT ck_privacy_requests_status CHECK (status IN ('received', 'in_progress', 'completed', 'rejected'))
      )
    `);
    await q.query(`CREATE INDEX ix_privacy_requests_open ON privacy_requests (brand_id, due_at) WHERE status IN ('received', 'in_progress')`);
    await q.query(`CREATE INDEX ix_privacy_requests_subject ON privacy_requests (brand_id, subject_id)`);
    await q.query(`
      CREATE TABLE privacy_request_events (
        brand_id uuid NOT NULL,
        event_id uuid NOT NULL,
        request_id uuid NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        status text NOT NULL,
        note text,
        CONSTRAINT pk_privacy_request_events PRIMARY KEY (brand_id, event_id),
        CONSTRAINT fk_privacy_request_events_request FOREIGN KEY (brand_id, request_id) REFERENCES privacy_requests (brand_id, request_id)
      )
    `);
    await q.query(`CREATE INDEX ix_privacy_request_events_request ON privacy_request_events (brand_id, request_id, at)`);
    await q.query(`
      CREATE TRIGGER tg_privacy_request_events_append_only BEFORE UPDATE OR DELETE ON privacy_request_events
      FOR EACH ROW EXECUTE FUNCTION candor_forbid_change()
    `);

    // Keyed hashes of an erased subject's normalised identifiers: they stop a re-import from
    // resurrecting the subject, and hold nothing that identifies anyone.
    await q.query(`
      CREATE TABLE tombstones (
        brand_id uuid NOT NULL,
        kind text NOT NULL,
        hash text NOT NULL,
        subject_id uuid NOT NULL,
        erased_at timestamptz NOT NULL,
        CONSTRAINT pk_tombstones PRIMARY KEY (brand_id, kind, hash)
      )
    `);

    await q.query(`
      CREATE TABLE webhook_endpoints (
        brand_id uuid NOT NULL,
        endpoint_id uuid NOT NULL,
        name text NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        secret_ct bytea NOT NULL,
        status text NOT NULL DEFAULT 'active',
        disabled_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_webhook_endpoints PRIMARY KEY (brand_id, endpoint_id),
        CONSTRAINT fk_webhook_endpoints_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id),
        CONSTRAINT ck_webhook_endpoints_status CHECK (status IN ('active', 'disabled'))
      )
    `);
    // Outbox payloads carry ids, never personal data, so erasure leaves nothing behind in them.
    await q.query(`
      CREATE TABLE outbox_events (
        brand_id uuid NOT NULL,
        event_id uuid NOT NULL,
        type text NOT NULL,
        subject_id uuid,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_outbox_events PRIMARY KEY (brand_id, event_id),
        CONSTRAINT fk_outbox_events_brand FOREIGN KEY (brand_id) REFERENCES brands (brand_id)
      )
    `);
    await q.query(`CREATE INDEX ix_outbox_events_subject ON outbox_events (brand_id, subject_id, created_at) WHERE subject_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        brand_id uuid NOT NULL,
        delivery_id uuid NOT NULL,
        endpoint_id uuid NOT NULL,
        event_id uuid NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        last_status_code integer,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL,
        CONSTRAINT pk_webhook_deliveries PRIMARY KEY (brand_id, delivery_id),
        CONSTRAINT uq_webhook_deliveries_event UNIQUE (brand_id, endpoint_id, event_id),
        CONSTRAINT fk_webhook_deliveries_endpoint FOREIGN KEY (brand_id, endpoint_id) REFERENCES webhook_endpoints (brand_id, endpoint_id),
        CONSTRAINT fk_webhook_deliveries_event FOREIGN KEY (brand_id, event_id) REFERENCES outbox_events (brand_id, event_id),
        CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled'))
      )
    `);
    await q.query(`CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (brand_id, next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_webhook_deliveries_event ON webhook_deliveries (brand_id, event_id)`);

    const tables = ['privacy_requests', 'privacy_request_events', 'tombstones', 'webhook_endpoints', 'outbox_events', 'webhook_deliveries'];
    for (const table of tables) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY pol_${table}_tenant ON ${table}
        USING (brand_id = candor_current_brand()) WITH CHECK (brand_id = candor_current_brand())
      `);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON privacy_requests, webhook_endpoints, webhook_deliveries TO candor_app`);
    await q.query(`GRANT SELECT, INSERT ON privacy_request_events, tombstones, outbox_events TO candor_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['webhook_deliveries', 'outbox_events', 'webhook_endpoints', 'tombstones', 'privacy_request_events', 'privacy_requests']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`ALTER TABLE purposes DROP COLUMN IF EXISTS retention_days`);
  }
}

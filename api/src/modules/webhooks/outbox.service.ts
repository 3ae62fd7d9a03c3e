import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { WebhookEventType } from './webhook.entity';

/**
 * The transactional outbox: an event is written in the same transaction as the change it
 * describes (no change without its event, no event without its change), and fanned out at once
 * to a pending delivery per subscribed endpoint. Payloads carry ids, never personal data.
 */
@Injectable()
export class OutboxService {
  async emit(
    em: EntityManager,
    brandId: string,
    type: WebhookEventType,
    data: Record<string, unknown>,
    subjectId: string | null = null,
  ): Promise<string> {
    const [id] = await this.emitMany(em, brandId, type, [{ data, subjectId }]);
    return id;
  }

  /** Many events of one type at once (bulk imports): two set-wise statements, whatever the count. */
  async emitMany(
    em: EntityManager,
    brandId: string,
    type: WebhookEventType,
    events: ReadonlyArray<{ data: Record<string, unknown>; subjectId: string | null }>,
  ): Promise<string[]> {
    if (!events.length) return [];
    const createdAt = new Date();
    const ids = events.map(() => randomUUID());
    const payloads = events.map((e) => JSON.stringify({ type, timestamp: createdAt.toISOString(), data: e.data }));
    await em.query(
      `INSERT INTO outbox_events (brand_id, event_id, type, subject_id, payload, created_at)
       SELECT $1, id, $2, subject_id, payload, $3 FROM unnest($4::uuid[], $5::uuid[], $6::jsonb[]) AS x(id, subject_id, payload)`,
      [brandId, type, createdAt, ids, events.map((e) => e.subjectId), payloads],
    );
    await em.query(
      `INSERT INTO webhook_deliveries (brand_id, delivery_id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
       SELECT e.brand_id, gen_random_uuid(), e.endpoint_id, x.id, 'pending', 0, $3, $3
       FROM webhook_endpoints e, unnest($4::uuid[]) WITH ORDINALITY AS x(id, ord)
       WHERE e.brand_id = $1 AND e.status = 'active' AND $2 = ANY(e.events)
       ORDER BY x.ord`,
      [brandId, type, createdAt, ids],
    );
    return ids;
  }

  /**
   * Many events of one type whose rows the caller has already put in its transaction (bulk imports
   * COPY them into a temporary table): `rows` is a query yielding `(ord, event_id, subject_id, data)`,
   * `data` being each event's JSON. The same two set-wise statements as `emitMany` and the same
   * payload (`{ type, timestamp, data }`), without sending every payload as a parameter.
   */
  async emitStaged(em: EntityManager, brandId: string, type: WebhookEventType, rows: string): Promise<void> {
    const createdAt = new Date();
    await em.query(
      `INSERT INTO outbox_events (brand_id, event_id, type, subject_id, payload, created_at)
       SELECT $1, x.event_id, $2, x.subject_id, jsonb_build_object('type', $2::text, 'timestamp', $4::text, 'data', x.data), $3
       FROM (${rows}) AS x ORDER BY x.ord`,
      [brandId, type, createdAt, createdAt.toISOString()],
    );
    await em.query(
      `INSERT INTO webhook_deliveries (brand_id, delivery_id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
       SELECT e.brand_id, gen_random_uuid(), e.endpoint_id, x.event_id, 'pending', 0, $3, $3
       FROM webhook_endpoints e, (${rows}) AS x
       WHERE e.brand_id = $1 AND e.status = 'active' AND $2 = ANY(e.events)
       ORDER BY x.ord`,
      [brandId, type, createdAt],
    );
  }
}

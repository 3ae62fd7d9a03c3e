import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { OutboxEventEntity, WebhookEventType } from './webhook.entity';

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
    const id = randomUUID();
    const createdAt = new Date();
    const payload = { type, timestamp: createdAt.toISOString(), data };
    await em.getRepository(OutboxEventEntity).insert({ brandId, id, type, subjectId, payload, createdAt });
    await em.query(
      `INSERT INTO webhook_deliveries (brand_id, delivery_id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
       SELECT e.brand_id, gen_random_uuid(), e.endpoint_id, $2, 'pending', 0, $4, $4
       FROM webhook_endpoints e
       WHERE e.brand_id = $1 AND e.status = 'active' AND $3 = ANY(e.events)`,
      [brandId, id, type, createdAt],
    );
    return id;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, MAX_PAGE_SIZE, Page, PageQuery } from '../../common/http/pagination';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { AuditService } from '../audit/audit.service';
import { CreatedWebhookResponse, CreateWebhookDto, DeliveryQuery, DeliveryResponse, PropagationResponse, WebhookResponse } from './dto/webhook.dto';
import { resolvedProblem, urlProblem } from './ssrf-guard';
import { WebhookEndpointEntity } from './webhook.entity';
import { WebhookSecrets } from './webhook-secrets.service';

/** Webhook endpoints a brand registers, and their delivery history. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly db: TenantDb,
    private readonly secrets: WebhookSecrets,
    private readonly audit: AuditService,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
    private readonly cursors: Cursors,
  ) {}

  async create(caller: BrandActor, input: CreateWebhookDto): Promise<CreatedWebhookResponse> {
    const policy = { httpsOnly: this.config.env === 'production', allowHosts: new Set(this.config.webhookAllowHosts) };
    const problem = urlProblem(input.url, policy) ?? (await resolvedProblem(input.url, policy));
    if (problem) throw DomainError.validation([{ path: 'url', message: problem }]);
    return this.db.run(caller.brandId, async (em) => {
      const id = randomUUID();
      const secret = this.secrets.generate();
      const endpoint = em.getRepository(WebhookEndpointEntity).create({
        brandId: caller.brandId,
        id,
        name: input.name ?? new URL(input.url).hostname,
        url: input.url,
        events: input.events,
        secretCt: this.secrets.seal(secret, id),
        status: 'active',
        disabledReason: null,
        createdAt: new Date(),
      });
      await em.getRepository(WebhookEndpointEntity).insert(endpoint);
      await this.audit.record(em, caller.brandId, caller, 'webhook.created', id, { events: input.events });
      return { ...toResponse(endpoint), secret };
    });
  }

  /** The brand's endpoints, oldest first, one page at a time. */
  list(caller: BrandActor, query: PageQuery): Promise<Page<WebhookResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const all = (await em.getRepository(WebhookEndpointEntity).find({ where: { brandId: caller.brandId }, order: { createdAt: 'ASC' } })).map(toResponse);
      return this.cursors.pageOf({ list: 'webhooks', brandId: caller.brandId }, all, query, (w) => `${w.createdAt}|${w.id}`);
    });
  }

  disable(caller: BrandActor, id: string): Promise<void> {
    return this.db.run(caller.brandId, async (em) => {
      const result = await em.getRepository(WebhookEndpointEntity).update({ brandId: caller.brandId, id }, { status: 'disabled', disabledReason: 'deleted by the brand' });
      if (!result.affected) throw DomainError.notFound('webhook', id);
      await em.query(`UPDATE webhook_deliveries SET status = 'cancelled' WHERE brand_id = $1 AND endpoint_id = $2 AND status = 'pending'`, [caller.brandId, id]);
      await this.audit.record(em, caller.brandId, caller, 'webhook.disabled', id);
    });
  }

  /**
   * Propagation receipts: for each consent change of the customer, which downstream systems
   * confirmed it and when (or are still trying, or failed).
   */
  propagation(brandId: string, subjectId: string, query: PageQuery): Promise<Page<PropagationResponse>> {
    return this.db.run(brandId, async (em) => {
      const rows: Array<{ event_id: string; type: string; payload: { data: Record<string, unknown> }; created_at: Date; name: string | null; status: string | null; delivered_at: Date | null; attempts: number | null }> =
        await em.query(
          `SELECT o.event_id, o.type, o.payload, o.created_at, e.name, d.status, d.delivered_at, d.attempts
           FROM outbox_events o
           LEFT JOIN webhook_deliveries d ON d.brand_id = o.brand_id AND d.event_id = o.event_id
           LEFT JOIN webhook_endpoints e ON e.brand_id = d.brand_id AND e.endpoint_id = d.endpoint_id
           WHERE o.brand_id = $1 AND o.subject_id = $2 AND o.type = 'consent.changed'
           ORDER BY o.created_at DESC, e.name
           LIMIT 500`,
          [brandId, subjectId],
        );
      const byEvent = new Map<string, PropagationResponse>();
      for (const r of rows) {
        let entry = byEvent.get(r.event_id);
        if (!entry) {
          entry = {
            eventId: r.event_id,
            type: r.type,
            purpose: String(r.payload.data.purpose ?? ''),
            granted: Boolean(r.payload.data.granted),
            at: new Date(r.created_at).toISOString(),
            reached: [],
          };
          byEvent.set(r.event_id, entry);
        }
        if (r.name) {
          entry.reached.push({ system: r.name, status: r.status!, confirmedAt: r.delivered_at ? new Date(r.delivered_at).toISOString() : null, attempts: r.attempts ?? 0 });
        }
      }
      return this.cursors.pageOf({ list: 'my-propagation', brandId, parent: subjectId }, [...byEvent.values()], query, (e) => `${e.at}|${e.eventId}`, 'desc');
    });
  }

  deliveries(caller: BrandActor, endpointId: string, query: DeliveryQuery): Promise<Page<DeliveryResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      if (!(await em.getRepository(WebhookEndpointEntity).existsBy({ brandId: caller.brandId, id: endpointId }))) {
        throw DomainError.notFound('webhook', endpointId);
      }
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const scope = { list: 'webhook-deliveries', brandId: caller.brandId, parent: endpointId } as const;
      const after = this.cursors.decode(scope, query.cursor, { at: 'timestamp', id: 'uuid' });
      const params: unknown[] = [caller.brandId, endpointId, limit + 1];
      let where = '';
      if (query.status) {
        params.push(query.status);
        where += ` AND d.status = $${params.length}`;
      }
      if (after) {
        params.push(after.at, after.id);
        where += ` AND (d.created_at, d.delivery_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
      }
      const rows: Array<Record<string, never>> = await em.query(
        `SELECT d.*, o.type FROM webhook_deliveries d JOIN outbox_events o ON o.brand_id = d.brand_id AND o.event_id = d.event_id
         WHERE d.brand_id = $1 AND d.endpoint_id = $2 ${where}
         ORDER BY d.created_at DESC, d.delivery_id DESC LIMIT $3`,
        params,
      );
      const page = rows.slice(0, limit);
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
      const last = page[page.length - 1];
      return {
        data: page.map((r) => ({
          id: r.delivery_id,
          eventId: r.event_id,
          type: r.type,
          status: r.status,
          attempts: r.attempts,
          lastStatusCode: r.last_status_code,
          lastError: r.last_error,
          deliveredAt: iso(r.delivered_at),
          nextAttemptAt: iso(r.next_attempt_at)!,
          createdAt: iso(r.created_at)!,
        })),
        nextCursor: rows.length > limit ? this.cursors.encode(scope, { at: iso(last.created_at)!, id: last.delivery_id }) : null,
      };
    });
  }
}

function toResponse(e: WebhookEndpointEntity): WebhookResponse {
  return { id: e.id, name: e.name, url: e.url, events: e.events, status: e.status, disabledReason: e.disabledReason, createdAt: e.createdAt.toISOString() };
}

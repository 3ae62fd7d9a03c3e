import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { TenantDb } from '../../common/database/tenant-db.service';
import { findDueWork } from '../../common/jobs/due-work';
import { WebhookSecrets } from './webhook-secrets.service';
import { guardedLookup, SsrfPolicy, urlProblem } from './ssrf-guard';

const BATCH = 20;
const LEASE_MS = 30_000;
const TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 10;

interface ClaimedDelivery {
  delivery_id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  url: string;
  secret_ct: Buffer;
  payload: Record<string, unknown>;
  created_at: Date;
}

export interface DeliveryOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/** Exponential backoff with full jitter: base · 2^(attempt−1), capped at an hour, times a random 0.5–1.5. */
export function retryDelayMs(attempt: number, baseMs: number, random = Math.random): number {
  const capped = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 3600_000);
  return Math.round(capped * (0.5 + random()));
}

/**
 * Delivers webhooks from the outbox. Any number of API processes run this worker: each claims due
 * deliveries with `FOR UPDATE SKIP LOCKED` and a short lease, so one delivery is attempted by one
 * process at a time; the HTTP call happens outside the database transaction.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly policy: SsrfPolicy;

  constructor(
    private readonly db: TenantDb,
    private readonly secrets: WebhookSecrets,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
  ) {
    this.policy = { httpsOnly: config.env === 'production', allowHosts: new Set(config.webhookAllowHosts) };
  }

  onApplicationBootstrap(): void {
    if (this.config.webhookPollMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.config.webhookPollMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.deliverDue();
    } catch (error) {
      this.logger.warn({ err: error }, 'webhook delivery round failed; will retry');
    } finally {
      this.running = false;
    }
  }

  /**
   * One round: finds the brands with due deliveries (one statement across brands, so an idle round
   * costs the same for any number of brands), then in each claims them, sends them and records the
   * outcome. Returns how many were attempted.
   */
  async deliverDue(): Promise<number> {
    let attempted = 0;
    for (const { brandId } of await findDueWork(this.db, 'webhook-deliveries')) {
      const claimed = await this.claim(brandId);
      // Endpoints in parallel; one endpoint's deliveries in order, stopping at a 410.
      const byEndpoint = new Map<string, ClaimedDelivery[]>();
      for (const d of claimed) byEndpoint.set(d.endpoint_id, [...(byEndpoint.get(d.endpoint_id) ?? []), d]);
      await Promise.all(
        [...byEndpoint.values()].map(async (queue) => {
          for (const d of queue) {
            attempted++;
            const outcome = await this.send(d);
            await this.record(brandId, d, outcome);
            if (outcome.statusCode === 410) break;
          }
        }),
      );
    }
    return attempted;
  }

  private claim(brandId: string): Promise<ClaimedDelivery[]> {
    return this.db.run(brandId, async (em) => {
      const rows: ClaimedDelivery[] = await em.query(
        `WITH due AS (
           SELECT d.delivery_id FROM webhook_deliveries d
           WHERE d.brand_id = $1 AND d.status = 'pending' AND d.next_attempt_at <= now()
             AND (d.lease_until IS NULL OR d.lease_until < now())
           ORDER BY d.next_attempt_at, d.created_at
           LIMIT ${BATCH}
           FOR UPDATE SKIP LOCKED
         )
         UPDATE webhook_deliveries d SET lease_until = now() + interval '${LEASE_MS} milliseconds', attempts = d.attempts + 1
         FROM due, webhook_endpoints e, outbox_events o
         WHERE d.brand_id = $1 AND d.delivery_id = due.delivery_id
           AND e.brand_id = d.brand_id AND e.endpoint_id = d.endpoint_id
           AND o.brand_id = d.brand_id AND o.event_id = d.event_id
         RETURNING d.delivery_id, d.endpoint_id, d.event_id, d.attempts, e.url, e.secret_ct, o.payload, o.created_at`,
        [brandId],
      );
      const claimed = (Array.isArray(rows[0]) ? rows[0] : rows) as ClaimedDelivery[];
      // RETURNING has no order: restore the events' order so each endpoint hears them as they happened.
      return claimed.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
    });
  }

  /** POSTs one signed delivery. Redirects are not followed; any 2xx counts as delivered. */
  send(d: ClaimedDelivery): Promise<DeliveryOutcome> {
    const problem = urlProblem(d.url, this.policy);
    if (problem) return Promise.resolve({ ok: false, statusCode: null, error: `URL ${problem}` });
    const url = new URL(d.url);
    const body = JSON.stringify(d.payload);
    const timestamp = new Date();
    const signature = new Webhook(this.secrets.reveal(d.secret_ct, d.endpoint_id)).sign(d.event_id, timestamp, body);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(
        url,
        {
          method: 'POST',
          timeout: TIMEOUT_MS,
          lookup: guardedLookup(url.hostname, this.policy),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Candor-Webhooks/1',
            'webhook-id': d.event_id,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signature,
          },
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, statusCode: status, error: status >= 300 && status < 400 ? 'redirects are not followed' : null });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (error) => resolve({ ok: false, statusCode: null, error: error.message }));
      req.end(body);
    });
  }

  private record(brandId: string, d: ClaimedDelivery, outcome: DeliveryOutcome): Promise<void> {
    return this.db.run(brandId, async (em) => {
      if (outcome.ok) {
        await em.query(
          `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), lease_until = NULL, last_status_code = $3, last_error = NULL
           WHERE brand_id = $1 AND delivery_id = $2`,
          [brandId, d.delivery_id, outcome.statusCode],
        );
        return;
      }
      if (outcome.statusCode === 410) {
        // The receiver says this endpoint is gone for good: stop sending it anything.
        await em.query(
          `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'receiver answered 410 Gone' WHERE brand_id = $1 AND endpoint_id = $2`,
          [brandId, d.endpoint_id],
        );
        await em.query(
          `UPDATE webhook_deliveries SET status = CASE WHEN delivery_id = $3 THEN 'failed' ELSE 'cancelled' END,
             lease_until = NULL, last_status_code = CASE WHEN delivery_id = $3 THEN 410 ELSE last_status_code END
           WHERE brand_id = $1 AND endpoint_id = $2 AND status = 'pending'`,
          [brandId, d.endpoint_id, d.delivery_id],
        );
        this.logger.warn({ endpointId: d.endpoint_id }, 'webhook endpoint disabled after 410');
        return;
      }
      const giveUp = d.attempts >= MAX_ATTEMPTS;
      await em.query(
        `UPDATE webhook_deliveries SET status = $3, next_attempt_at = now() + ($4 || ' milliseconds')::interval,
           lease_until = NULL, last_status_code = $5, last_error = $6
         WHERE brand_id = $1 AND delivery_id = $2`,
        [brandId, d.delivery_id, giveUp ? 'failed' : 'pending', String(retryDelayMs(d.attempts, this.config.webhookRetryBaseMs)), outcome.statusCode, outcome.error?.slice(0, 500) ?? null],
      );
    });
  }
}

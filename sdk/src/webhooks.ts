import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { CreateWebhookDto } from './generated/types.gen.js';

export { WebhookVerificationError };

/** The events a webhook endpoint can subscribe to (from the OpenAPI document). */
export type CandorWebhookEventType = CreateWebhookDto['events'][number];

/** A delivery's payload. Payloads carry ids, purposes and keys, never personal data. */
export interface CandorWebhookEvent<T extends string = CandorWebhookEventType> {
  /** The event id (`webhook-id`): the same on every redelivery, so use it to process each event once. */
  id: string;
  type: T;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: Record<string, unknown>;
}

/** Request headers as a framework hands them over: a Fetch `Headers`, or Node's `req.headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/**
 * Verifies a Candor webhook delivery and returns its event. Candor signs the Standard Webhooks way
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>` over
 * `id.timestamp.body`, with the endpoint's `whsec_…` secret), so this is the `standardwebhooks`
 * package's check: a wrong signature, a missing header or a timestamp more than five minutes
 * away throws `WebhookVerificationError`.
 *
 * Pass the body exactly as received (the raw text or bytes), not a re-serialised object: any
 * change to a byte fails the signature.
 */
export function verifyWebhook(secret: string, headers: WebhookHeaders, body: string | Uint8Array): CandorWebhookEvent {
  const payload = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const wanted = { 'webhook-id': header(headers, 'webhook-id'), 'webhook-timestamp': header(headers, 'webhook-timestamp'), 'webhook-signature': header(headers, 'webhook-signature') };
  const event = new Webhook(secret).verify(payload, wanted) as Omit<CandorWebhookEvent, 'id'>;
  return { id: wanted['webhook-id'], type: event.type, timestamp: event.timestamp, data: event.data ?? {} };
}

function header(headers: WebhookHeaders, name: string): string {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? '';
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

/**
 * A downstream system for tests: a real HTTP server on 127.0.0.1. `respond` decides each answer;
 * `accepted` holds the deliveries it answered 2xx, `seen` every attempt.
 */
export class WebhookReceiver {
  readonly seen: ReceivedWebhook[] = [];
  readonly accepted: ReceivedWebhook[] = [];
  respond: (hook: ReceivedWebhook, attempt: number) => number = () => 200;
  private server!: Server;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const hook: ReceivedWebhook = { path: req.url ?? '/', id: String(req.headers['webhook-id']), headers: req.headers, body, payload: JSON.parse(body) };
        this.seen.push(hook);
        const status = this.respond(hook, this.seen.filter((h) => h.id === hook.id && h.path === hook.path).length);
        if (status >= 200 && status < 300) this.accepted.push(hook);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Verifies a delivery's Standard Webhooks signature with the endpoint's secret; throws if wrong. */
  static verify(hook: ReceivedWebhook, secret: string): unknown {
    return new Webhook(secret).verify(hook.body, {
      'webhook-id': String(hook.headers['webhook-id']),
      'webhook-timestamp': String(hook.headers['webhook-timestamp']),
      'webhook-signature': String(hook.headers['webhook-signature']),
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

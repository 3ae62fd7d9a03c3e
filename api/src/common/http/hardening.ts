import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { CandorConfig } from '../../config/config';
import { DomainError } from '../errors/domain-error';
import { ProblemFilter } from '../errors/problem.filter';
import { type CredentialLookup, RateLimiter } from './rate-limits';

/**
 * HTTP hardening that every request gets before any routing — request id, security headers, no
 * caching of personal data, per-credential rate limits and a deadline — in one place, the
 * `HttpEdge`. It works on Node's own request and response, so it serves both the Express/Nest
 * pipeline and the answers given without it (the contact-decision fast path): no route can be
 * reached around it.
 */

/** pino-http types `id` on Node's request; the edge sets it. */
export type EdgeRequest = IncomingMessage;
type Header = readonly [name: string, value: string];

const problems = new ProblemFilter();
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Routes an orchestrator polls anonymously and often: never limited. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

/** The path of a request URL, without its query string. */
export function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/** Writes `error` as the problem document ProblemFilter would, outside Nest's filters. */
export function writeProblem(req: EdgeRequest, res: ServerResponse, error: DomainError): void {
  if (res.headersSent) return;
  const problem = problems.toProblem(error, req as never);
  const body = JSON.stringify(problem);
  res.statusCode = problem.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * The headers a helmet configuration sets. Helmet's headers depend only on its options, never on
 * the request, so they are worked out once (by running the middleware against a recorder) and then
 * set on every response without helmet's per-request chain of eleven middleware calls.
 */
export function helmetHeaders(options: Parameters<typeof helmet>[0]): Header[] {
  const headers: Header[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
    getHeader: () => undefined,
  };
  let finished = false;
  helmet(options)({ headers: {}, method: 'GET', url: '/' } as never, recorder as never, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

/**
 * Security headers. The API answers JSON, so its policy allows nothing to load or frame it;
 * Swagger UI at /docs gets the allowances its page needs (its own scripts and styles, inline
 * styles, data: images).
 */
const API_HEADERS = helmetHeaders({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-site' },
});
const DOCS_HEADERS = helmetHeaders({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
    },
  },
});

/**
 * What every request passes before routing:
 * - an id (a sane `X-Request-Id` is kept, otherwise a new one), on the request for logs and problem
 *   documents and echoed in the response;
 * - security headers (helmet's, worked out once) and `Cache-Control: no-store` on every /v1
 *   response — most carry personal data or credentials, and none may be kept by a browser or a
 *   shared cache (a route may still set its own policy);
 * - the rate limit;
 * - a deadline: a response not started within `requestTimeoutMs` becomes 503 `unavailable` with
 *   `Retry-After`, so a stuck database or a slow client never holds a caller forever. The work
 *   itself may still finish; writes are safe to retry with `Idempotency-Key`. NDJSON uploads (the
 *   routes the OpenAPI document marks as taking `application/x-ndjson`) are exempt: a large file
 *   takes as long as the network needs. They are bounded instead by `NdjsonUploads` — a byte cap,
 *   an idle timeout while the body arrives, and per-brand slots — and hold no transaction while
 *   the body arrives.
 */
export class HttpEdge {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly config: Pick<CandorConfig, 'rateLimit' | 'rateLimitWindowSeconds' | 'requestTimeoutMs' | 'portalSecret'>,
    private readonly onAbandoned: (req: EdgeRequest) => void = () => undefined,
    private readonly isStreamedUpload: (method: string | undefined, path: string) => boolean = () => false,
    /** Resolves a credential for the limit (verified credentials count against themselves). */
    lookup: CredentialLookup = async () => null,
  ) {
    this.limiter = new RateLimiter(config, lookup);
  }

  /**
   * Applies the protections; resolves false when the edge has answered the request itself (429).
   * The limit resolves the request's credential first (see rate-limits.ts), so it is asynchronous;
   * the deadline already runs while it does.
   */
  async admit(req: EdgeRequest, res: ServerResponse): Promise<boolean> {
    const path = pathOf(req.url);
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const docs = path === '/docs' || path.startsWith('/docs/');
    for (const [name, value] of docs ? DOCS_HEADERS : API_HEADERS) res.setHeader(name, value);
    if (path.startsWith('/v1/')) res.setHeader('Cache-Control', 'no-store');
    this.startDeadline(req, res, path);
    if (UNLIMITED.has(path)) return true;
    const limited = await this.limiter.admit(req, res);
    if (!limited) return !res.headersSent;
    writeProblem(req, res, limited);
    return false;
  }

  private startDeadline(req: EdgeRequest, res: ServerResponse, path: string): void {
    const ms = this.config.requestTimeoutMs;
    if (ms <= 0 || this.isStreamedUpload(req.method, path)) return;
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      this.onAbandoned(req);
      res.setHeader('Retry-After', '1');
      writeProblem(req, res, new DomainError('unavailable', `The request took longer than ${ms} ms and was abandoned. Try again.`));
    }, ms);
    timer.unref();
    const done = () => clearTimeout(timer);
    res.once('finish', done);
    res.once('close', done);
  }
}

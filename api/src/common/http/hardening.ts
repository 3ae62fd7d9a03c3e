import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { CandorConfig } from '../../config/config';
import { DomainError } from '../errors/domain-error';
import { ProblemFilter } from '../errors/problem.filter';

/**
 * HTTP hardening that runs before any route: per-credential rate limits, a deadline for every
 * request, security headers, and no caching of responses that can carry personal data.
 */

const problems = new ProblemFilter();

/** Writes `error` as the problem document ProblemFilter would, from middleware that runs before Nest's filters. */
function sendProblem(req: Request, res: Response, error: DomainError): void {
  if (res.headersSent) return;
  const problem = problems.toProblem(error, req);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** Routes an orchestrator polls anonymously and often: never limited. */
const UNLIMITED = new Set(['/healthz', '/readyz']);

/**
 * Fixed-window request limits per credential (the SHA-256 of the bearer token, so a flood of
 * made-up keys is limited like any other), or per client address without one. Answers carry the
 * IETF `RateLimit-Policy` and `RateLimit` fields; over the limit → 429 `too-many-requests` with
 * `Retry-After`. Counters live in this process: with several processes each counts on its own.
 */
export function rateLimit(config: Pick<CandorConfig, 'rateLimit' | 'rateLimitWindowSeconds'>): RequestHandler {
  const limit = config.rateLimit;
  const windowMs = config.rateLimitWindowSeconds * 1000;
  const policy = `"per-credential";q=${limit};w=${config.rateLimitWindowSeconds}`;
  let windowStart = 0;
  let counts = new Map<string, number>();
  return (req: Request, res: Response, next: NextFunction) => {
    if (limit <= 0 || UNLIMITED.has(req.path)) return next();
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      // A new window for everyone: starting afresh also drops the counters of callers gone quiet.
      windowStart = now;
      counts = new Map();
    }
    const authorization = req.headers.authorization;
    const who = authorization
      ? `c:${createHash('sha256').update(authorization).digest('base64url').slice(0, 22)}`
      : `a:${req.socket.remoteAddress ?? 'unknown'}`;
    const used = (counts.get(who) ?? 0) + 1;
    counts.set(who, used);
    const resetSeconds = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit', `"per-credential";r=${Math.max(0, limit - used)};t=${resetSeconds}`);
    if (used > limit) {
      res.setHeader('Retry-After', String(resetSeconds));
      return sendProblem(req, res, new DomainError('too-many-requests', `This credential may make ${limit} requests every ${config.rateLimitWindowSeconds} s. Try again in ${resetSeconds} s.`));
    }
    next();
  };
}

/**
 * A deadline for every request: a response not started within `requestTimeoutMs` becomes 503
 * `unavailable` with `Retry-After`, so a stuck database or a slow client never holds a caller
 * forever. The work itself may still finish; writes are safe to retry with `Idempotency-Key`.
 */
export function requestTimeout(config: Pick<CandorConfig, 'requestTimeoutMs'>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    // A bulk import streams a body of any length: its time is bounded by the upload, not by us.
    if (config.requestTimeoutMs <= 0 || (req.method === 'POST' && req.path === '/v1/imports')) return next();
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res.setHeader('Retry-After', '1');
      sendProblem(req, res, new DomainError('unavailable', `The request took longer than ${config.requestTimeoutMs} ms and was abandoned. Try again.`));
    }, config.requestTimeoutMs);
    timer.unref();
    const done = () => clearTimeout(timer);
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

/**
 * Security headers (helmet). The API answers JSON, so its policy allows nothing to load or frame
 * it; Swagger UI at /docs gets the allowances its page needs (its own scripts and styles, inline
 * styles, data: images).
 */
export function securityHeaders(): RequestHandler {
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  const docs = helmet({
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
  return (req, res, next) => (req.path === '/docs' || req.path.startsWith('/docs/') ? docs(req, res, next) : api(req, res, next));
}

/**
 * `Cache-Control: no-store` on every /v1 response: most carry personal data or credentials, and
 * none may be kept by a browser or a shared cache. A route may still set its own policy.
 */
export function noStore(req: Request, res: Response, next: NextFunction): void {
  if (req.path.startsWith('/v1/')) res.setHeader('Cache-Control', 'no-store');
  next();
}

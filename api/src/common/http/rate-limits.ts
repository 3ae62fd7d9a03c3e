import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Actor } from '../authz/actor';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { DomainError } from '../errors/domain-error';
import { normaliseEmail } from '../crypto/crypto.service';

/**
 * Request limits (rate-limiter-flexible's in-memory limiter; counters live in this process, so with
 * several processes each counts on its own).
 *
 * Who a request counts against:
 * - a *verified* credential (an API key, a customer or staff session, the operator key) counts
 *   against itself — after the credential has been resolved, so made-up credentials cannot open
 *   buckets of their own;
 * - anonymous requests and requests whose credential is unknown count against the client address.
 *   The address is the socket's, or — only when the request carries the portal's shared secret
 *   (`CANDOR_PORTAL_SECRET`) — the visitor's address the portal forwards, so each portal visitor
 *   has a bucket of their own and nobody else can pick their own address;
 * - sign-in emails (`POST /v1/auth/magic-links`, `POST /v1/auth/staff-links`) count in addition
 *   against the target email (a keyed hash of it, never the address itself), so no one can flood
 *   one person's inbox from many addresses; past that limit the answer is still 202 and no email
 *   goes out, so nobody can lock another person out of sign-in.
 */

/** The header carrying the portal's shared secret. */
export const PORTAL_SECRET_HEADER = 'x-candor-portal-secret';
/** The header in which the portal forwards its visitor's address (trusted only with the secret). */
export const CLIENT_ADDRESS_HEADER = 'x-candor-client-address';

/**
 * A request that has been through the edge: what its credential resolved to (an actor, or null for
 * an unknown one), for the guard to reuse. Absent when the lookup failed (the guard then tries again
 * and answers the failure itself).
 */
export interface VerifiedRequest extends IncomingMessage {
  verifiedCredential?: { authorization: string; actor: Actor | null };
}

/**
 * The client address a request is limited by: the forwarded visitor address when the request
 * proves it comes from the portal (the shared secret, compared in constant time), otherwise the
 * socket's address. A forwarded address without the secret is ignored.
 */
export function clientAddress(req: IncomingMessage, portalSecret: Buffer | null): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  const forwarded = req.headers[CLIENT_ADDRESS_HEADER];
  const secret = req.headers[PORTAL_SECRET_HEADER];
  if (!portalSecret || typeof forwarded !== 'string' || typeof secret !== 'string') return socketAddress;
  const given = Buffer.from(secret, 'utf8');
  if (given.length !== portalSecret.length || !timingSafeEqual(given, portalSecret)) return socketAddress;
  const address = forwarded.trim();
  return address.length <= 45 && isIP(address) ? address : socketAddress;
}

/** The bucket of a verified credential: its id, never the secret. */
export function credentialBucket(actor: Actor): string {
  switch (actor.kind) {
    case 'operator':
      return 'operator';
    case 'apiKey':
      return `key:${actor.keyId}`;
    case 'customer':
      return `session:${actor.sessionId}`;
    case 'staff':
      return `staff-session:${actor.sessionId}`;
    case 'system':
      return `system:${actor.name}`;
  }
}

/** Resolves an `Authorization` header into the actor it proves, or null (absent, malformed, unknown). */
export type CredentialLookup = (authorization: string) => Promise<Actor | null>;

/** The result of one counted request: whether it may proceed and what the headers say. */
interface Counted {
  allowed: boolean;
  remaining: number;
  resetSeconds: number;
}

async function count(limiter: RateLimiterMemory, key: string): Promise<Counted> {
  try {
    const res = await limiter.consume(key);
    return { allowed: true, remaining: res.remainingPoints, resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    return { allowed: false, remaining: 0, resetSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
  }
}

/**
 * The edge's request limit: `rateLimit` requests per `rateLimitWindowSeconds` per verified
 * credential, or per client address for everything else. Answers carry the IETF
 * `RateLimit-Policy` and `RateLimit` fields; over the limit → 429 `too-many-requests` with
 * `Retry-After`.
 */
export class RateLimiter {
  private readonly limiter: RateLimiterMemory | null;
  private readonly policy: string;
  private readonly portalSecret: Buffer | null;

  constructor(
    private readonly config: Pick<CandorConfig, 'rateLimit' | 'rateLimitWindowSeconds' | 'portalSecret'>,
    private readonly lookup: CredentialLookup,
  ) {
    this.limiter = config.rateLimit > 0 ? new RateLimiterMemory({ points: config.rateLimit, duration: config.rateLimitWindowSeconds }) : null;
    this.policy = `"per-credential";q=${config.rateLimit};w=${config.rateLimitWindowSeconds}`;
    this.portalSecret = config.portalSecret ? Buffer.from(config.portalSecret, 'utf8') : null;
  }

  /** The bucket a request counts against (resolving its credential, which the guard then reuses). */
  async bucketOf(req: VerifiedRequest): Promise<string> {
    const authorization = req.headers.authorization;
    if (authorization) {
      const actor = await this.lookup(authorization).then(
        (found) => {
          req.verifiedCredential = { authorization, actor: found };
          return found;
        },
        () => null, // a failed lookup (database down) counts as no credential; the guard answers it
      );
      if (actor) return credentialBucket(actor);
    }
    return `address:${clientAddress(req, this.portalSecret)}`;
  }

  /** Counts the request; returns the problem to answer with when it is over the limit. */
  async admit(req: VerifiedRequest, res: ServerResponse): Promise<DomainError | null> {
    if (!this.limiter) return null;
    const counted = await count(this.limiter, await this.bucketOf(req));
    if (res.headersSent) return null;
    res.setHeader('RateLimit-Policy', this.policy);
    res.setHeader('RateLimit', `"per-credential";r=${counted.remaining};t=${counted.resetSeconds}`);
    if (counted.allowed) return null;
    res.setHeader('Retry-After', String(counted.resetSeconds));
    return new DomainError(
      'too-many-requests',
      `This credential (or, without one, this address) may make ${this.config.rateLimit} requests every ${this.config.rateLimitWindowSeconds} s. Try again in ${counted.resetSeconds} s.`,
      { retryAfter: counted.resetSeconds },
    );
  }
}

/**
 * Sign-in emails per target email: `signInLimit` links per `signInWindowSeconds`. Past the limit
 * the request is still answered 202 exactly as for any other address (no account enumeration, and
 * nobody can lock someone else out of sign-in by asking for their links), but no further email is
 * sent: the links already sent stay valid. The key is an HMAC of the normalised address under a key
 * made at process start (the counters live only in this process), so the limiter's memory never
 * holds an email address.
 */
@Injectable()
export class SignInLimiter {
  private readonly logger = new Logger('SignInLimiter');
  private readonly limiter: RateLimiterMemory | null;
  private readonly hashKey = randomBytes(32);

  constructor(@Inject(CANDOR_CONFIG) private readonly config: CandorConfig) {
    this.limiter = config.signInLimit > 0 ? new RateLimiterMemory({ points: config.signInLimit, duration: config.signInWindowSeconds }) : null;
  }

  /**
   * Counts a sign-in email for `email`; true when it may be sent, false past the limit (logged,
   * without the address). Never throws a limit: the caller answers the same either way.
   */
  async mayEmail(kind: 'customer' | 'staff', email: string): Promise<boolean> {
    if (!this.limiter) return true;
    const key = createHmac('sha256', this.hashKey).update(`${kind}\0${normaliseEmail(email)}`).digest('base64url');
    const counted = await count(this.limiter, key);
    if (counted.allowed) return true;
    this.logger.warn(
      { kind, limit: this.config.signInLimit, windowSeconds: this.config.signInWindowSeconds, resetSeconds: counted.resetSeconds },
      'sign-in email not sent: per-email limit reached',
    );
    return false;
  }
}

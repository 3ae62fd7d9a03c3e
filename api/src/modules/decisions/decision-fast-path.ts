import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pinoHttp, { HttpLogger, startTime } from 'pino-http';
import { abilityFor } from '../../common/authz/abilities';
import type { Actor, BrandActor } from '../../common/authz/actor';
import { purposeAllowed } from '../../common/authz/personal-data';
import { ApiKeyResolver } from '../../common/authz/api-key-resolver.service';
import { pinoHttpOptions } from '../../common/http/logging';
import { KEY_PATTERN } from '../../common/http/validators';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { Channel, CHANNELS } from '../purposes/purpose-catalogue';
import { MetricsService } from '../metrics/metrics.service';
import { DecisionsService } from './decisions.service';
import type { ContactCheckDto } from './dto/decision.dto';

const QUERY_FIELDS = ['subjectId', 'purpose', 'channel'] as const;
const ROUTE = '/v1/decisions/contact';
const PREFIX = `${ROUTE}?`;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The contact decision is the call brands make before every message, so its ordinary case is
 * answered here, in front of Express: after the HTTP edge (request id, security headers, no-store,
 * rate limit, deadline — `HttpEdge`, which every request passes) and before Express's router, Nest's
 * guard, pipes, interceptors and controller. A brand key that may read decisions and a query that
 * passes `ContactCheckDto`'s rules go straight to `DecisionsService.decide` (the same service,
 * query and policy as the controller); the request is logged as any other (the same pino-http
 * options) and counted in the same metrics.
 *
 * Anything else — another route, no or unknown credential, a missing scope, an invalid query, an
 * unknown subject or purpose, any error — is handed to Express unchanged, which answers it exactly
 * as before (guard, validation pipe, problem+json). The fast path only ever answers 200, so the two
 * cannot disagree about errors; it saves the framework's per-request work on the hot path
 * (see docs/benchmarks.md).
 */
@Injectable()
export class DecisionFastPath {
  /** Whether a resolved key may read decisions; actors are cached by the resolver, so this holds. */
  private readonly mayDecide = new WeakMap<Actor, boolean>();
  private readonly log: HttpLogger;

  constructor(
    private readonly keys: ApiKeyResolver,
    private readonly decisions: DecisionsService,
    private readonly metrics: MetricsService,
    @Inject(CANDOR_CONFIG) config: CandorConfig,
  ) {
    this.log = pinoHttp(pinoHttpOptions(config));
  }

  /**
   * Takes the request when it is a decision query (returns true, and answers it or hands it to
   * `fallback`), or returns false at once for any other request.
   */
  serve(req: IncomingMessage, res: ServerResponse, fallback: Handler): boolean {
    if (req.method !== 'GET' || !req.url?.startsWith(PREFIX)) return false;
    this.answer(req, res).then(
      (answered) => answered || fallback(req, res),
      () => fallback(req, res),
    );
    return true;
  }

  /** Answers the ordinary case and returns true, or returns false to hand the request on. */
  private async answer(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const started = process.hrtime.bigint();
    const receivedAt = Date.now();
    const check = parseCheck(req.url!.slice(PREFIX.length));
    if (!check) return false;
    const token = /^Bearer\s+(cnd_\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    const actor = await this.keys.resolve(token);
    // The route's purpose decision (see the controller's @ReadsPersonalData) holds here too: a key
    // limited to other purposes is handed to the full pipeline, whose guard answers 403.
    if (!actor || !this.allowed(actor) || !purposeAllowed(actor, check.purpose)) return false;
    let decision;
    try {
      decision = await this.decisions.decide(actor as BrandActor, check);
    } catch {
      return false; // unknown subject or purpose, or a failure: the full pipeline answers it
    }
    if (res.headersSent) return true; // the request deadline answered first
    // Request logs at info (and above); pino-http serialises its bindings per request, so it is
    // only called when it would write the line.
    if (this.log.logger.isLevelEnabled('info')) {
      (res as ServerResponse & { [startTime]: number })[startTime] = receivedAt; // the line's responseTime covers the whole answer
      this.log(req, res);
    }
    const body = JSON.stringify(decision);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    // Nest's interceptors never see this request: count it as the metrics interceptor would.
    this.metrics.requests.inc({ method: 'GET', route: ROUTE, status: '200' });
    this.metrics.duration.observe({ method: 'GET', route: ROUTE }, Number(process.hrtime.bigint() - started) / 1e9);
    return true;
  }

  private allowed(actor: Actor): boolean {
    let may = this.mayDecide.get(actor);
    if (may === undefined) {
      may = abilityFor(actor).can('read', 'Decision');
      this.mayDecide.set(actor, may);
    }
    return may;
  }
}

/**
 * The query as a `ContactCheckDto` when it has exactly the three fields, once each, and each passes
 * the check its DTO decorator makes (the same validator functions, without class-validator's
 * per-request metadata walk); otherwise null, and the validation pipe will name what is wrong. A
 * check that names a `mention` is not the ordinary case: the controller answers it, through the
 * same `DecisionsService`.
 */
export function parseCheck(search: string): ContactCheckDto | null {
  const params = new URLSearchParams(search);
  const plain: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of params) {
    if (!(QUERY_FIELDS as readonly string[]).includes(name) || name in plain) return null;
    plain[name] = value;
    count++;
  }
  if (count !== QUERY_FIELDS.length) return null;
  const { subjectId, purpose, channel } = plain;
  if (!isUUID(subjectId, 'all') || !KEY_PATTERN.test(purpose) || !(CHANNELS as readonly string[]).includes(channel)) return null;
  return { subjectId, purpose, channel: channel as Channel };
}

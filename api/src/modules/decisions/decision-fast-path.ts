import { Injectable, NestMiddleware } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { NextFunction, Request, Response } from 'express';
import { abilityFor } from '../../common/authz/abilities';
import type { Actor, BrandActor } from '../../common/authz/actor';
import { ApiKeyResolver } from '../../common/authz/api-key-resolver.service';
import { KEY_PATTERN } from '../../common/http/validators';
import { Channel, CHANNELS } from '../purposes/purpose-catalogue';
import { MetricsService } from '../metrics/metrics.service';
import { DecisionsService } from './decisions.service';
import type { ContactCheckDto } from './dto/decision.dto';

const QUERY_FIELDS = ['subjectId', 'purpose', 'channel'] as const;

/**
 * The contact decision is the call brands make before every message, so its ordinary case is
 * answered by this middleware on `GET /v1/decisions/contact`, before Nest's guard, pipes,
 * interceptors and controller: a brand key that may read decisions and a query that passes
 * `ContactCheckDto`'s rules go straight to `DecisionsService.decide` (the same service, query and
 * policy as the controller). It runs after the application-wide middleware — request id, security
 * headers, no-store, rate limits, request deadline, request log — so those apply as to any route.
 *
 * Anything else — no or unknown credential, a missing scope, an invalid query, an unknown subject
 * or purpose, any error — is passed on to the full pipeline unchanged, which answers it exactly as
 * before (guard, validation pipe, problem+json). The middleware only ever answers 200, so the two
 * cannot disagree about errors; it saves the framework's per-request work on the hot path
 * (see docs/benchmarks.md).
 */
@Injectable()
export class DecisionFastPath implements NestMiddleware {
  /** Whether a resolved key may read decisions; actors are cached by the resolver, so this holds. */
  private readonly mayDecide = new WeakMap<Actor, boolean>();

  constructor(
    private readonly keys: ApiKeyResolver,
    private readonly decisions: DecisionsService,
    private readonly metrics: MetricsService,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    this.answer(req, res).then(
      (answered) => answered || next(),
      () => next(),
    );
  }

  /** Answers the ordinary case and returns true, or returns false to hand the request on. */
  private async answer(req: Request, res: Response): Promise<boolean> {
    if (req.method !== 'GET') return false;
    const started = process.hrtime.bigint();
    const queryAt = req.originalUrl.indexOf('?');
    const check = queryAt < 0 ? null : parseCheck(req.originalUrl.slice(queryAt + 1));
    if (!check) return false;
    const token = /^Bearer\s+(cnd_\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return false;
    const actor = await this.keys.resolve(token);
    if (!actor || !this.allowed(actor)) return false;
    let decision;
    try {
      decision = await this.decisions.decide(actor as BrandActor, check);
    } catch {
      return false; // unknown subject or purpose, or a failure: the full pipeline answers it
    }
    if (res.headersSent) return true; // the request deadline answered first
    const body = JSON.stringify(decision);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    // Nest's interceptors never see this request: count it as the metrics interceptor would.
    this.metrics.requests.inc({ method: 'GET', route: '/v1/decisions/contact', status: '200' });
    this.metrics.duration.observe({ method: 'GET', route: '/v1/decisions/contact' }, Number(process.hrtime.bigint() - started) / 1e9);
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
 * per-request metadata walk); otherwise null, and the validation pipe will name what is wrong.
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

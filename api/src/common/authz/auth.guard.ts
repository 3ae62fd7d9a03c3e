import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { StaffService } from '../../modules/staff/staff.service';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { CANDOR_CONFIG } from '../../config/config.module';
import type { CandorConfig } from '../../config/config';
import { DomainError } from '../errors/domain-error';
import { abilityFor, Action, Resource, scopesGranting } from './abilities';
import type { Actor } from './actor';
import { ApiKeyResolver } from './api-key-resolver.service';
import { PUBLIC_ROUTE, REQUIRED_PERMISSION } from './decorators';
import { enforcePurpose, PERSONAL_DATA, PurposeSource } from './personal-data';
import { SessionResolver } from './session-resolver.service';

/**
 * The global guard: resolves the bearer credential into an actor, then asks that actor's CASL
 * ability for the permission the route declares. Routes declare either `@Public()` or `@Can()`;
 * a route that declares neither is closed to everyone.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly adminKey: Buffer;

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyResolver,
    private readonly sessions: SessionResolver,
    private readonly moduleRef: ModuleRef,
    @Inject(CANDOR_CONFIG) config: CandorConfig,
  ) {
    this.adminKey = Buffer.from(config.adminKey, 'utf8');
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const actor = await this.authenticate(req);
    req.actor = actor;

    const permission = this.reflector.getAllAndOverride<{ action: Action; resource: Resource }>(REQUIRED_PERMISSION, targets);
    if (!permission) throw new DomainError('insufficient-scope', 'This route is not open to any credential.');
    if (!abilityFor(actor).can(permission.action, permission.resource)) {
      const scopes = scopesGranting(permission.action, permission.resource);
      throw new DomainError(
        'insufficient-scope',
        actor.kind === 'operator'
          ? 'The operator key may only create brands; use a brand API key for this.'
          : actor.kind === 'customer'
            ? 'A customer session can only reach the /v1/me routes.'
            : actor.kind === 'staff'
              ? `Your role (${actor.role}) does not allow this.`
            : `This needs a key with ${scopes.length ? `the ${scopes.map((s) => `"${s}"`).join(' or ')} scope` : 'another kind of credential'}.`,
        { requiredScopes: scopes },
      );
    }
    const personal = this.reflector.get<PurposeSource | undefined>(PERSONAL_DATA, ctx.getHandler());
    if (personal) enforcePurpose(actor, personal, req);
    return true;
  }

  private async authenticate(req: Request): Promise<Actor> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new DomainError('unauthenticated', 'Send a credential as "Authorization: Bearer <key>".');
    const token = match[1];
    const presented = Buffer.from(token, 'utf8');
    if (presented.length === this.adminKey.length && timingSafeEqual(presented, this.adminKey)) {
      return { kind: 'operator' };
    }
    if (token.startsWith('cnd_')) {
      const actor = await this.apiKeys.resolve(token);
      if (actor) return actor;
    }
    if (token.startsWith('cst_')) {
      const actor = await this.sessions.resolve(token);
      if (actor) return actor;
    }
    if (token.startsWith('sss_')) {
      const actor = await this.moduleRef.get(StaffService, { strict: false }).resolve(token);
      if (actor) return actor;
    }
    throw new DomainError('unauthenticated', 'The credential is unknown or has been revoked.');
  }
}

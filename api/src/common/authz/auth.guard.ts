import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import type { VerifiedRequest } from '../http/rate-limits';
import { abilityFor, Action, Resource, scopesGranting } from './abilities';
import type { Actor } from './actor';
import { CredentialResolver } from './credential-resolver.service';
import { PUBLIC_ROUTE, REQUIRED_PERMISSION } from './decorators';
import { enforcePurpose, PERSONAL_DATA, PurposeSource } from './personal-data';

/**
 * The global guard: resolves the bearer credential into an actor, then asks that actor's CASL
 * ability for the permission the route declares. Routes declare either `@Public()` or `@Can()`;
 * a route that declares neither is closed to everyone.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialResolver,
  ) {}

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
    if (!CredentialResolver.isBearer(header)) throw new DomainError('unauthenticated', 'Send a credential as "Authorization: Bearer <key>".');
    // The edge resolved this request's credential for the rate limit: the same answer, not a second lookup.
    const verified = (req as unknown as VerifiedRequest).verifiedCredential;
    const actor = verified?.authorization === header ? verified.actor : await this.credentials.resolve(header);
    if (actor) return actor;
    throw new DomainError('unauthenticated', 'The credential is unknown or has been revoked.');
  }
}

import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Action, Resource } from './abilities';
import type { Actor } from './actor';

export const PUBLIC_ROUTE = 'candor:public';
export const REQUIRED_PERMISSION = 'candor:permission';

/** The route needs no credential. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The caller's ability must allow `action` on `resource` (otherwise 403; no credential: 401). */
export const Can = (action: Action, resource: Resource) =>
  applyDecorators(SetMetadata(REQUIRED_PERMISSION, { action, resource }), ApiBearerAuth());

/** The authenticated caller of this request. */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<Request>();
  if (!req.actor) throw new Error('Caller used on a route without authentication');
  return req.actor;
});

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

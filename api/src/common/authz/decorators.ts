import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Action, Resource } from './abilities';
import type { Actor } from './actor';

export const PUBLIC_ROUTE = 'candor:public';
export const REQUIRED_PERMISSION = 'candor:permission';

/** OpenAPI extensions the document builder (common/http/openapi.ts) turns into `security` and the access line of each description. */
export const ACCESS_EXTENSION = 'x-candor-access';
export const PUBLIC_EXTENSION = 'x-candor-public';

/** The route needs no credential. */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension(PUBLIC_EXTENSION, true));

/** The caller's ability must allow `action` on `resource` (otherwise 403; no credential: 401). */
export const Can = (action: Action, resource: Resource) =>
  applyDecorators(SetMetadata(REQUIRED_PERMISSION, { action, resource }), ApiExtension(ACCESS_EXTENSION, { action, resource }));

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

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import { ConsentLedgerService } from '../consents/consent-ledger.service';

/**
 * Global Privacy Control: a customer request carrying `Sec-GPC: 1` (exactly "1") withdraws every
 * sale-or-share purpose before the request is handled, so the response already reflects it.
 */
@Injectable()
export class GpcInterceptor implements NestInterceptor {
  constructor(private readonly ledger: ConsentLedgerService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (req.actor?.kind !== 'customer' || req.headers['sec-gpc'] !== '1') return next.handle();
    return from(this.ledger.applyGlobalPrivacyControl(req.actor)).pipe(switchMap(() => next.handle()));
  }
}

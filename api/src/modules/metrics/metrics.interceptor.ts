import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { MetricsService } from './metrics.service';

/**
 * Counts every routed request by its route template (`/v1/subjects/:id`, never the concrete path,
 * which would hold ids) once the response is finished, whatever its outcome.
 */
@Injectable()
export class MetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const started = process.hrtime.bigint();
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.metrics.duration.observe({ method: req.method, route }, seconds);
    });
    return next.handle();
  }
}

import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { CANDOR_CONFIG } from '../../config/config.module';
import type { CandorConfig } from '../../config/config';
import { MetricsService } from './metrics.service';

@Controller()
export class MetricsController {
  private readonly tokenDigest: Buffer | null;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
  ) {
    this.tokenDigest = config.metricsToken ? digest(config.metricsToken) : null;
  }

  /**
   * Prometheus exposition format: platform-wide traffic, so not public. With
   * `CANDOR_METRICS_TOKEN` set it needs `Authorization: Bearer <token>` (401 otherwise); without
   * it, it is open in development and tests and does not exist (404) in production.
   */
  @Get('metrics')
  @Public()
  @ApiExcludeEndpoint()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (this.tokenDigest) {
      const presented = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!presented || !timingSafeEqual(digest(presented), this.tokenDigest)) {
        throw new DomainError('unauthenticated', 'Send the metrics token as "Authorization: Bearer <token>".');
      }
    } else if (this.config.env === 'production') {
      throw new DomainError('not-found', 'There is no such resource.');
    }
    res.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

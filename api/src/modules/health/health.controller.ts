import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/authz/decorators';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { ApiOp } from '../../common/http/openapi.decorators';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly db: TenantDb) {}

  /** Liveness: the process is up and serving HTTP. */
  @Get('healthz')
  @ApiOp({ id: 'getHealth', summary: 'Liveness', description: 'Answers 200 while the process serves HTTP. Never rate-limited.' })
  @Public()
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers. A load balancer should stop routing here while it does not. */
  @Get('readyz')
  @ApiOp({
    id: 'getReadiness',
    summary: 'Readiness',
    description: 'Answers 200 while the database answers, 503 while it does not: a load balancer should stop routing here then. Never rate-limited.',
  })
  @Public()
  @ApiOkResponse({ schema: { type: 'object', properties: { status: { type: 'string', example: 'ready' }, database: { type: 'string', example: 'up' } } } })
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable (problem+json).' })
  async ready(): Promise<{ status: 'ready'; database: 'up' }> {
    if (!(await this.db.ping())) throw new DomainError('unavailable', 'The database is not reachable.', { database: 'down' });
    return { status: 'ready', database: 'up' };
  }
}

import { Body, Controller, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiProblems } from '../../common/http/openapi.decorators';
import { RetentionRun, RetentionService } from './retention.service';

export class RetentionPeriodDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Days a fact may be kept after collection; null keeps it until consent is withdrawn.', minimum: 1, maximum: 3650 })
  // Required, as documented: null clears the period; a missing field (say, a body that was not
  // JSON) must not silently clear it.
  @ValidateIf((_o, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(3650)
  days: number | null;
}

@ApiTags('compliance')
@Controller('v1')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Put('purposes/:key/retention')
  @Can('create', 'Purpose')
  @ApiOkResponse({ schema: { type: 'object', properties: { purpose: { type: 'string' }, retentionDays: { type: ['integer', 'null'] } } } })
  @ApiProblems(401, 403, 404, 422)
  set(@Caller() caller: BrandActor, @Param('key') key: string, @Body() body: RetentionPeriodDto): Promise<{ purpose: string; retentionDays: number | null }> {
    return this.retention.setPeriod(caller, key, body.days ?? null);
  }

  @Post('retention/run')
  @HttpCode(200)
  @Can('update', 'PrivacyRequest')
  @ApiOkResponse({ description: 'Purges what has outlived its retention now (the job also runs every 6 hours).' })
  @ApiProblems(401, 403)
  run(@Caller() caller: BrandActor): Promise<RetentionRun> {
    return this.retention.run(caller);
  }
}

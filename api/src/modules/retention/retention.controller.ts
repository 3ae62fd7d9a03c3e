import { Body, Controller, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
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
  @ApiOp({
    id: 'setRetentionPeriod',
    summary: 'Set a purpose\'s retention period',
    description: 'Days a fact may be kept after collection for this purpose; null keeps it until consent is withdrawn.',
    example: {"days": 365},
  })
  @Can('create', 'Purpose')
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['purpose', 'retentionDays'],
      additionalProperties: false,
      properties: { purpose: { type: 'string' }, retentionDays: { type: ['integer', 'null'], minimum: 1, maximum: 3650 } },
    } as never,
  })
  @ApiProblems(401, 403, 404, 422)
  set(@Caller() caller: BrandActor, @Param('key') key: string, @Body() body: RetentionPeriodDto): Promise<{ purpose: string; retentionDays: number | null }> {
    return this.retention.setPeriod(caller, key, body.days ?? null);
  }

  @Post('retention/run')
  @ApiOp({
    id: 'runRetention',
    summary: 'Purge what outlived its retention',
    description: 'Runs the retention job for the brand now (it also runs every 6 hours) and says what it purged per data category.',
  })
  @HttpCode(200)
  @Can('update', 'PrivacyRequest')
  @ApiOkResponse({
    description: 'What was purged, per data category.',
    schema: {
      type: 'object',
      required: ['purged', 'ranAt'],
      additionalProperties: false,
      properties: {
        purged: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 }, description: 'Facts purged per data category (categories with none are left out).', example: { interests: 2 } },
        ranAt: { type: 'string', format: 'date-time' },
      },
    },
  })
  @ApiProblems(401, 403)
  run(@Caller() caller: BrandActor): Promise<RetentionRun> {
    return this.retention.run(caller);
  }
}

import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { ImportJobResponse } from './dto/import.dto';
import { ImportsService } from './imports.service';

@ApiTags('imports')
@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post()
  @HttpCode(202)
  @Can('create', 'ImportJob')
  @ApiConsumes('application/x-ndjson')
  @ApiBody({
    description:
      'One JSON object per line, of any length: `{"type":"subject","externalId":"m-1","email":"…"}`, ' +
      '`{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"capturedAt":"…"}`, ' +
      '`{"type":"fact","externalId":"m-1","key":"…","value":"…","category":"…","provenance":"declared","source":"…"}`, ' +
      '`{"type":"preference","externalId":"m-1","channels":{…}}`. Each line follows the rules of its single-record route.',
    schema: { type: 'string' },
  })
  @ApiAcceptedResponse({ type: ImportJobResponse, description: 'Every line is staged; merging runs on. Poll the Location.' })
  @ApiProblems(401, 403, 413, 415, 422)
  async create(@Caller() caller: BrandActor, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ImportJobResponse> {
    const job = await this.imports.upload(caller, req.headers['content-type'], req);
    res.setHeader('Location', `/v1/imports/${job.id}`);
    return job;
  }

  @Get(':id')
  @Can('read', 'ImportJob')
  @ApiOkResponse({ type: ImportJobResponse })
  @ApiProblems(401, 403, 404)
  get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('import')) id: string): Promise<ImportJobResponse> {
    return this.imports.status(caller, id);
  }
}

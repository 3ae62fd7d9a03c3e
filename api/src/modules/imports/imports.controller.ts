import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiNdjsonUpload, ApiProblems } from '../../common/http/openapi.decorators';
import { NdjsonUploads } from '../../common/http/uploads';
import { notFoundOnBadUuid } from '../../common/http/params';
import { ImportJobResponse } from './dto/import.dto';
import { IMPORT_MEDIA_TYPE, ImportsService } from './imports.service';

@ApiTags('imports')
@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly uploads: NdjsonUploads,
    private readonly imports: ImportsService,
  ) {}

  @Post()
  @HttpCode(202)
  @Can('create', 'ImportJob')
  @ApiNdjsonUpload(
    'One JSON object per line, up to CANDOR_UPLOAD_LIMIT in all (512 MiB by default): `{"type":"subject","externalId":"m-1","email":"…"}`, ' +
    '`{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"capturedAt":"…"}`, ' +
    '`{"type":"fact","externalId":"m-1","key":"…","value":"…","category":"…","provenance":"declared","source":"…"}`, ' +
    '`{"type":"preference","externalId":"m-1","channels":{…}}`. Each line follows the rules of its single-record route.',
  )
  @ApiAcceptedResponse({ type: ImportJobResponse, description: 'Every line is staged; merging runs on. Poll the Location.' })
  @ApiProblems(401, 403, 422)
  async create(@Caller() caller: BrandActor, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ImportJobResponse> {
    const job = await this.uploads.receive(caller.brandId, req, res, IMPORT_MEDIA_TYPE, (body) => this.imports.upload(caller, body));
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

import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiNdjsonUpload, ApiProblems } from '../../common/http/openapi.decorators';
import { NdjsonUploads } from '../../common/http/uploads';
import { notFoundOnBadUuid } from '../../common/http/params';
import { ImportJobResponse } from './dto/import.dto';
import { LINE_KINDS } from './import-lines';
import { IMPORT_MEDIA_TYPE, ImportsService } from './imports.service';

@ApiTags('imports')
@Controller('v1/imports')
export class ImportsController {
  constructor(
    private readonly uploads: NdjsonUploads,
    private readonly imports: ImportsService,
  ) {}

  @Post()
  @ApiOp({
    id: 'createImport',
    summary: 'Start a bulk import',
    description: 'Streams an NDJSON file of subjects, consents, facts, preferences, identifiers and merges. Every line is checked and staged before the answer; merging runs on in the background (poll `Location`). Re-running the same file duplicates nothing.',
  })
  @HttpCode(202)
  @Can('create', 'ImportJob')
  @ApiNdjsonUpload(
    'One JSON object per line, up to CANDOR_UPLOAD_LIMIT in all (512 MiB by default): `{"type":"subject","externalId":"m-1","email":"…"}`, ' +
    '`{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"capturedAt":"…"}`, ' +
    '`{"type":"fact","externalId":"m-1","key":"…","value":"…","category":"…","provenance":"declared","source":"…"}`, ' +
    '`{"type":"preference","externalId":"m-1","channels":{…}}`, `{"type":"identifier","externalId":"m-1","identifierType":"external","system":"loyalty","value":"…"}`, ' +
    '`{"type":"merge","externalId":"m-1","fromExternalId":"m-2"}`. Each line follows the rules of its single-record route; identifier and merge lines ' +
    'are merged after the chunk\'s other lines, in line order, and a line may name a merged record by its old external id.',
    {
      type: 'object',
      required: ['type', 'externalId'],
      properties: {
        type: { enum: [...LINE_KINDS] },
        externalId: { type: 'string', minLength: 1, maxLength: 200, description: 'The subject the line is about.' },
      },
      description:
        'Plus the fields of the single-record route of its type: subject → CreateSubjectDto, consent → CaptureConsentDto ' +
        '(`capturedAt` required, no `evidence`), fact → BrandFactDto, preference → `channels`, `quietHours` and `topics` of UpdatePreferencesDto (what a line leaves out stays as it was), identifier → AddIdentifierDto ' +
        '(its `type` named `identifierType`), merge → `fromExternalId` (MergeSubjectsDto by external id). At most 64 KiB per line.',
    },
    '{"type":"subject","externalId":"member-1042","email":"ingrid@example.com"}\n' +
      '{"type":"consent","externalId":"member-1042","purpose":"email_marketing","granted":true,"capturedAt":"2026-03-02T09:30:00Z"}\n',
  )
  @ApiAcceptedResponse({ type: ImportJobResponse, description: 'Every line is staged; merging runs on. Poll the Location.' })
  @ApiProblems(401, 403, 422)
  async create(@Caller() caller: BrandActor, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ImportJobResponse> {
    const job = await this.uploads.receive(caller.brandId, req, res, IMPORT_MEDIA_TYPE, (body) => this.imports.upload(caller, body));
    res.setHeader('Location', `/v1/imports/${job.id}`);
    return job;
  }

  @Get(':id')
  @ApiOp({ id: 'getImport', summary: 'Get an import\'s progress', description: 'Status, counts, progress and the first 1000 rejected lines.' })
  @Can('read', 'ImportJob')
  @ApiOkResponse({ type: ImportJobResponse })
  @ApiProblems(401, 403, 404)
  get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('import')) id: string): Promise<ImportJobResponse> {
    return this.imports.status(caller, id);
  }
}

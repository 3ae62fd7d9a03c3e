import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiNdjsonUpload, ApiProblems } from '../../common/http/openapi.decorators';
import { NdjsonUploads } from '../../common/http/uploads';
import { notFoundOnBadUuid } from '../../common/http/params';
import { ErasureJobResponse } from './dto/erasure-job.dto';
import { ERASURE_MEDIA_TYPE, ErasureJobsService } from './erasure-jobs.service';

@ApiTags('compliance')
@Controller('v1/erasure-jobs')
export class ErasureJobsController {
  constructor(
    private readonly uploads: NdjsonUploads,
    private readonly jobs: ErasureJobsService,
  ) {}

  @Post()
  @ApiOp({
    id: 'createErasureJob',
    summary: 'Start a bulk erasure',
    description: 'Streams an NDJSON file naming subjects to erase. Every line is checked and staged before the answer; erasure runs on in the background (poll `Location`).',
  })
  @HttpCode(202)
  @Can('create', 'ErasureJob')
  @ApiNdjsonUpload(
    'One JSON object per line, up to CANDOR_UPLOAD_LIMIT in all (512 MiB by default), each naming one subject of this brand to erase: `{"subjectId":"<uuid>"}` or ' +
    '`{"externalId":"m-1"}`. Each erased subject gets a completed erasure privacy request with its certificate, as a single erasure does.',
    {
      oneOf: [
        { type: 'object', required: ['subjectId'], additionalProperties: false, properties: { subjectId: { type: 'string', format: 'uuid' } } },
        { type: 'object', required: ['externalId'], additionalProperties: false, properties: { externalId: { type: 'string', minLength: 1, maxLength: 200 } } },
      ],
    },
    '{"externalId":"member-1042"}\n{"subjectId":"0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10"}\n',
  )
  @ApiAcceptedResponse({ type: ErasureJobResponse, description: 'Every line is checked and staged; erasure runs on in the background. Poll the Location.' })
  @ApiProblems(401, 403, 422)
  async create(@Caller() caller: BrandActor, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ErasureJobResponse> {
    const job = await this.uploads.receive(caller.brandId, req, res, ERASURE_MEDIA_TYPE, (body) => this.jobs.upload(caller, body));
    res.setHeader('Location', `/v1/erasure-jobs/${job.id}`);
    return job;
  }

  @Get(':id')
  @ApiOp({ id: 'getErasureJob', summary: 'Get a bulk erasure\'s progress', description: 'Status, counts, progress and the first 1000 rejected lines.' })
  @Can('read', 'ErasureJob')
  @ApiOkResponse({ type: ErasureJobResponse })
  @ApiProblems(401, 403, 404)
  get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('erasure job')) id: string): Promise<ErasureJobResponse> {
    return this.jobs.status(caller, id);
  }
}

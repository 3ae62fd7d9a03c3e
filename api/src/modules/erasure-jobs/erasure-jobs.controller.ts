import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiNdjsonUpload, ApiProblems } from '../../common/http/openapi.decorators';
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
  @HttpCode(202)
  @Can('create', 'ErasureJob')
  @ApiNdjsonUpload(
    'One JSON object per line, up to CANDOR_UPLOAD_LIMIT in all (512 MiB by default), each naming one subject of this brand to erase: `{"subjectId":"<uuid>"}` or ' +
    '`{"externalId":"m-1"}`. Each erased subject gets a completed erasure privacy request with its certificate, as a single erasure does.',
  )
  @ApiAcceptedResponse({ type: ErasureJobResponse, description: 'Every line is checked and staged; erasure runs on in the background. Poll the Location.' })
  @ApiProblems(401, 403, 422)
  async create(@Caller() caller: BrandActor, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ErasureJobResponse> {
    const job = await this.uploads.receive(caller.brandId, req, res, ERASURE_MEDIA_TYPE, (body) => this.jobs.upload(caller, body));
    res.setHeader('Location', `/v1/erasure-jobs/${job.id}`);
    return job;
  }

  @Get(':id')
  @Can('read', 'ErasureJob')
  @ApiOkResponse({ type: ErasureJobResponse })
  @ApiProblems(401, 403, 404)
  get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('erasure job')) id: string): Promise<ErasureJobResponse> {
    return this.jobs.status(caller, id);
  }
}

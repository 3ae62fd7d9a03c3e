import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import { CataloguePurposeResponse, CreatePurposeDto, NoticeResponse, PublishNoticeDto, PurposeResponse } from './dto/purpose.dto';
import { PurposesService } from './purposes.service';

@ApiTags('configuration')
@Controller('v1')
export class PurposesController {
  constructor(private readonly purposes: PurposesService) {}

  @Post('purposes')
  @Can('create', 'Purpose')
  @ApiCreatedResponse({ type: PurposeResponse })
  @ApiProblems(401, 403, 409, 422)
  create(@Caller() caller: BrandActor, @Body() body: CreatePurposeDto): Promise<PurposeResponse> {
    return this.purposes.create(caller, body);
  }

  @Get('purposes')
  @Can('read', 'Purpose')
  @ApiPage(PurposeResponse)
  @ApiProblems(401, 403)
  async list(@Caller() caller: BrandActor): Promise<{ data: PurposeResponse[]; nextCursor: null }> {
    return { data: await this.purposes.list(caller), nextCursor: null };
  }

  @Get('purposes/:key')
  @Can('read', 'Purpose')
  @ApiOkResponse({ type: PurposeResponse })
  @ApiProblems(401, 403, 404)
  get(@Caller() caller: BrandActor, @Param('key') key: string): Promise<PurposeResponse> {
    return this.purposes.get(caller, key);
  }

  @Post('purposes/:key/notices')
  @Can('create', 'Notice')
  @ApiCreatedResponse({ type: NoticeResponse, description: 'A new immutable notice version (versions count up from 1).' })
  @ApiProblems(401, 403, 404, 422)
  publishNotice(@Caller() caller: BrandActor, @Param('key') key: string, @Body() body: PublishNoticeDto): Promise<NoticeResponse> {
    return this.purposes.publishNotice(caller, key, body.text);
  }

  @Get('purposes/:key/notices')
  @Can('read', 'Notice')
  @ApiPage(NoticeResponse)
  @ApiProblems(401, 403, 404)
  async listNotices(@Caller() caller: BrandActor, @Param('key') key: string): Promise<{ data: NoticeResponse[]; nextCursor: null }> {
    return { data: await this.purposes.listNotices(caller, key), nextCursor: null };
  }

  @Get('purpose-catalogue')
  @Can('read', 'Purpose')
  @ApiPage(CataloguePurposeResponse)
  @ApiProblems(401, 403)
  catalogue(): { data: CataloguePurposeResponse[]; nextCursor: null } {
    return { data: this.purposes.catalogue(), nextCursor: null };
  }

  @Post('purpose-catalogue/:key/adopt')
  @Can('create', 'Purpose')
  @ApiCreatedResponse({ type: PurposeResponse, description: 'The purpose, with the catalogue notice published as version 1.' })
  @ApiProblems(401, 403, 404, 409)
  adopt(@Caller() caller: BrandActor, @Param('key') key: string): Promise<PurposeResponse> {
    return this.purposes.adopt(caller, key);
  }
}

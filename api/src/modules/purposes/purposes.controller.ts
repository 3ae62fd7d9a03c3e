import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../common/http/pagination';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import { CataloguePurposeResponse, CreatePurposeDto, NoticeResponse, PublishNoticeDto, PurposeResponse } from './dto/purpose.dto';
import { PurposesService } from './purposes.service';

@ApiTags('configuration')
@Controller('v1')
export class PurposesController {
  constructor(private readonly purposes: PurposesService) {}

  @Post('purposes')
  @ApiOp({
    id: 'createPurpose',
    summary: 'Define a purpose',
    description: 'Why data is processed: its legal basis, the data categories it may use, the channels it communicates on, and whether it sells or shares data (Global Privacy Control withdraws those). Publish a notice before capturing consent for it.',
    example: {"key": "email_marketing", "name": {"en": "Newsletters by email", "nb": "Nyhetsbrev på e-post"}, "legalBasis": "consent", "dataCategories": ["contact", "interests"], "channels": ["email"]},
  })
  @Can('create', 'Purpose')
  @ApiCreatedResponse({ type: PurposeResponse })
  @ApiProblems(401, 403, 409, 422)
  create(@Caller() caller: BrandActor, @Body() body: CreatePurposeDto): Promise<PurposeResponse> {
    return this.purposes.create(caller, body);
  }

  @Get('purposes')
  @ApiOp({ id: 'listPurposes', summary: 'List purposes', description: 'The brand\'s purposes with their latest notice version, by key.' })
  @Can('read', 'Purpose')
  @ApiPage(PurposeResponse)
  @ApiProblems(401, 403)
  list(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<PurposeResponse>> {
    return this.purposes.list(caller, query);
  }

  @Get('purposes/:key')
  @ApiOp({ id: 'getPurpose', summary: 'Get a purpose', description: 'One purpose by key.' })
  @Can('read', 'Purpose')
  @ApiOkResponse({ type: PurposeResponse })
  @ApiProblems(401, 403, 404)
  get(@Caller() caller: BrandActor, @Param('key') key: string): Promise<PurposeResponse> {
    return this.purposes.get(caller, key);
  }

  @Post('purposes/:key/notices')
  @ApiOp({
    id: 'publishNotice',
    summary: 'Publish a notice version',
    description: 'The exact text (per language) customers see when they consent. Versions count up from 1 and never change once published; consent events point at the version agreed to.',
    example: {"text": {"en": "We will email you our newsletter about once a month.", "nb": "Vi sender deg nyhetsbrevet vårt omtrent én gang i måneden."}},
  })
  @Can('create', 'Notice')
  @ApiCreatedResponse({ type: NoticeResponse, description: 'A new immutable notice version (versions count up from 1).' })
  @ApiProblems(401, 403, 404, 422)
  publishNotice(@Caller() caller: BrandActor, @Param('key') key: string, @Body() body: PublishNoticeDto): Promise<NoticeResponse> {
    return this.purposes.publishNotice(caller, key, body.text);
  }

  @Get('purposes/:key/notices')
  @ApiOp({ id: 'listNotices', summary: 'List a purpose\'s notice versions', description: 'Every published version, oldest first.' })
  @Can('read', 'Notice')
  @ApiPage(NoticeResponse)
  @ApiProblems(401, 403, 404)
  listNotices(@Caller() caller: BrandActor, @Param('key') key: string, @Query() query: PageQuery): Promise<Page<NoticeResponse>> {
    return this.purposes.listNotices(caller, key, query);
  }

  @Get('purpose-catalogue')
  @ApiOp({
    id: 'listCataloguePurposes',
    summary: 'List the purpose catalogue',
    description: 'Ready-made purposes mapped to W3C DPV terms, with notices in five languages, that a brand can adopt as they are.',
  })
  @Can('read', 'Purpose')
  @ApiPage(CataloguePurposeResponse)
  @ApiProblems(401, 403)
  catalogue(@Caller() caller: BrandActor, @Query() query: PageQuery): Page<CataloguePurposeResponse> {
    return this.purposes.catalogue(caller.brandId, query);
  }

  @Post('purpose-catalogue/:key/adopt')
  @ApiOp({ id: 'adoptCataloguePurpose', summary: 'Adopt a catalogue purpose', description: 'Creates the purpose from the catalogue and publishes its notice as version 1.' })
  @Can('create', 'Purpose')
  @ApiCreatedResponse({ type: PurposeResponse, description: 'The purpose, with the catalogue notice published as version 1.' })
  @ApiProblems(401, 403, 404, 409)
  adopt(@Caller() caller: BrandActor, @Param('key') key: string): Promise<PurposeResponse> {
    return this.purposes.adopt(caller, key);
  }
}

import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import type { Page } from '../../common/http/pagination';
import { AudiencesService } from './audiences.service';
import { AudienceCountResponse, AudienceDefinitionDto, AudienceMemberResponse, AudienceQueryDto } from './dto/audience.dto';

@ApiTags('audiences')
@Controller('v1/audiences')
export class AudiencesController {
  constructor(private readonly audiences: AudiencesService) {}

  @Post('query')
  @ApiOp({
    id: 'queryAudience',
    summary: 'Page through an audience',
    description: 'Subjects with standing consent for the purpose (and not opted out of the channel), filtered by facts. Every member listed is recorded in their access log.',
    example: {"purpose": "email_marketing", "channel": "email", "limit": 50},
  })
  @HttpCode(200)
  @Can('read', 'Audience')
  @ApiPage(AudienceMemberResponse)
  @ApiProblems(401, 403, 422)
  @ReadsPersonalData({ kind: 'body', name: 'purpose' })
  query(@Caller() caller: BrandActor, @Body() body: AudienceQueryDto): Promise<Page<AudienceMemberResponse>> {
    return this.audiences.query(caller, body);
  }

  @Post('count')
  @ApiOp({
    id: 'countAudience',
    summary: 'Count an audience',
    description: 'The exact number of members `queryAudience` would page through now. Names no one.',
    example: {"purpose": "email_marketing", "channel": "email"},
  })
  @HttpCode(200)
  @Can('read', 'Audience')
  @ApiOkResponse({
    type: AudienceCountResponse,
    description: 'Exact and current: the members `POST /v1/audiences/query` would page through now. Names no member, so nothing is added to access logs.',
  })
  @ApiProblems(401, 403, 422)
  @ReadsPersonalData({ kind: 'body', name: 'purpose' }, { notLogged: 'a count, not any one customer\'s data' })
  count(@Caller() caller: BrandActor, @Body() body: AudienceDefinitionDto): Promise<AudienceCountResponse> {
    return this.audiences.count(caller, body);
  }
}

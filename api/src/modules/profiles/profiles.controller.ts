import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { ProfileQuery, ProfileResponse } from './dto/profile.dto';
import { ProfilesService } from './profiles.service';

@ApiTags('subjects')
@Controller('v1/subjects/:id/profile')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get()
  @ApiOp({
    id: 'getProfile',
    summary: 'Read a profile for a purpose',
    description:
      'Only the facts whose data category the purpose covers and that the customer lets it use (`factUse`: with "use only what I told you", declared facts only; ' +
      'never an observation or guess under a key an `askBeforeUse` question asks about), and preferences when it communicates on channels or covers the `preferences` data category; ' +
      '403 `consent-required` without standing consent. Each read is recorded in the customer\'s access log.',
  })
  @Can('read', 'Profile')
  @ApiOkResponse({ type: ProfileResponse, description: 'Only what the purpose covers; the read is recorded in the customer\'s access log.' })
  @ApiProblems(401, 403, 404, 422)
  @ReadsPersonalData({ kind: 'query', name: 'purpose' })
  read(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) subjectId: string, @Query() query: ProfileQuery): Promise<ProfileResponse> {
    return this.profiles.read(caller, subjectId, query.purpose);
  }
}

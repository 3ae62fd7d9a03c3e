import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import type { Page } from '../../common/http/pagination';
import { PageQuery } from '../../common/http/pagination';
import { notFoundOnBadUuid } from '../../common/http/params';
import { DecisionsService } from './decisions.service';
import {
  BatchContactDecisionsResponse,
  ContactCheckDto,
  ContactChecksDto,
  ContactDecisionResponse,
  ContactResponse,
  CreateSuppressionDto,
  RecordContactDto,
  SuppressionResponse,
} from './dto/decision.dto';

@ApiTags('decisions')
@Controller('v1')
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @Get('decisions/contact')
  @ApiOp({
    id: 'decideContact',
    summary: 'May I contact this subject?',
    description:
      'Yes or no with the reasons: consent for the purpose, channel opt-in and the channels the person chose for the purpose, frequency cap and ' +
      'suppressions (marketing only), quiet hours in the subject\'s time zone, and erasure. Ask before every message. With `mention`, a service ' +
      'message (an order update) also learns whether it may mention a marketing purpose.',
  })
  @Can('read', 'Decision')
  @ApiOkResponse({ type: ContactDecisionResponse })
  @ApiProblems(401, 403, 404, 410, 422)
  @ReadsPersonalData({ kind: 'query', name: 'purpose' }, { notLogged: 'a yes/no about contacting, asked before every message: it carries no fact or identifier' })
  decide(@Caller() caller: BrandActor, @Query() query: ContactCheckDto): Promise<ContactDecisionResponse> {
    return this.decisions.decide(caller, query);
  }

  @Post('decisions/contact')
  @ApiOp({
    id: 'decideContacts',
    summary: 'Decide many contacts at once',
    description: 'Up to 1000 checks (each may name a `mention`); the answers come in the same order.',
    example: {"checks": [{"subjectId": "0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10", "purpose": "email_marketing", "channel": "email"}]},
  })
  @HttpCode(200)
  @Can('read', 'Decision')
  @ApiOkResponse({ type: BatchContactDecisionsResponse })
  @ApiProblems(401, 403, 422)
  @ReadsPersonalData({ kind: 'bodyList', list: 'checks', name: 'purpose' }, { notLogged: 'yes/no answers about contacting, asked before every message: they carry no fact or identifier' })
  async decideMany(@Caller() caller: BrandActor, @Body() body: ContactChecksDto): Promise<BatchContactDecisionsResponse> {
    return { results: await this.decisions.decideMany(caller, body.checks) };
  }

  @Post('subjects/:id/contacts')
  @ApiOp({
    id: 'recordContact',
    summary: 'Record a message sent',
    description: 'Counts towards the subject\'s frequency caps.',
    example: {"purpose": "email_marketing", "channel": "email"},
  })
  @Can('create', 'Contact')
  @ApiCreatedResponse({ type: ContactResponse, description: 'A message sent, counted for frequency caps.' })
  @ApiProblems(401, 403, 404, 422)
  recordContact(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Body() body: RecordContactDto,
  ): Promise<ContactResponse> {
    return this.decisions.recordContact(caller, subjectId, body);
  }

  @Post('subjects/:id/suppressions')
  @ApiOp({
    id: 'createSuppression',
    summary: 'Suppress marketing until a time',
    description:
      'Marketing decisions say no until `until` (an open cart, a support case…) or until the suppression is ended early (DELETE). ' +
      'Only marketing purposes wait: messages that serve a contract and customer care go on.',
    example: {"reason": "open_cart", "until": "2030-01-01T00:00:00Z"},
  })
  @Can('create', 'Suppression')
  @ApiCreatedResponse({ type: SuppressionResponse, description: 'Marketing decisions say no until `until`.' })
  @ApiProblems(401, 403, 404, 422)
  suppress(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Body() body: CreateSuppressionDto,
  ): Promise<SuppressionResponse> {
    return this.decisions.suppress(caller, subjectId, body);
  }

  @Get('subjects/:id/suppressions')
  @ApiOp({
    id: 'listSuppressions',
    summary: 'List a subject\'s suppressions',
    description: 'Every "not now" window set for the subject, newest first: running, lapsed and ended early (`active` says which hold now).',
  })
  @Can('read', 'Suppression')
  @ApiPage(SuppressionResponse, 'The subject\'s suppressions, newest first.')
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'derived' })
  listSuppressions(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Query() query: PageQuery,
  ): Promise<Page<SuppressionResponse>> {
    return this.decisions.listSuppressions(caller, subjectId, query);
  }

  @Delete('subjects/:id/suppressions/:suppressionId')
  @ApiOp({
    id: 'endSuppression',
    summary: 'End a suppression early',
    description: 'The cart was bought, the case closed: marketing decisions stop waiting for it at once. Ending one that already ended or lapsed changes nothing (204).',
  })
  @HttpCode(204)
  @Can('delete', 'Suppression')
  @ApiNoContentResponse({ description: 'Ended; marketing decisions no longer wait for it.' })
  @ApiProblems(401, 403, 404)
  endSuppression(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Param('suppressionId', notFoundOnBadUuid('suppression')) suppressionId: string,
  ): Promise<void> {
    return this.decisions.endSuppression(caller, subjectId, suppressionId);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can, Public } from '../../common/authz/decorators';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { OneClickUnsubscribeDto, RevokeUnsubscribeLinksQuery, UnsubscribeResultResponse, UnsubscribeStateResponse } from './dto/unsubscribe.dto';
import { UnsubscribeService } from './unsubscribe.service';

@ApiTags('consent')
@Controller('v1')
export class UnsubscribeController {
  constructor(private readonly unsubscribe: UnsubscribeService) {}

  @Get('unsubscribe/:token')
  @Public()
  @ApiOp({
    id: 'getUnsubscribeLink',
    summary: 'Read a one-click unsubscribe link',
    description: 'What the link in an email\'s `List-Unsubscribe` header would withdraw, and whether it already did. Reading it never unsubscribes: mail scanners fetch links.',
  })
  @ApiOkResponse({
    type: UnsubscribeStateResponse,
    description: 'What a one-click unsubscribe link would do, for whoever holds it (no credential). Reading it never unsubscribes: mail scanners fetch links.',
  })
  @ApiProblems(404, 410, 429)
  read(@Param('token') token: string): Promise<UnsubscribeStateResponse> {
    return this.unsubscribe.read(token);
  }

  @Post('unsubscribe/:token')
  @Public()
  @ApiOp({
    id: 'unsubscribeOneClick',
    summary: 'Unsubscribe with one click (RFC 8058)',
    description: 'What a mailbox provider sends for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: withdraws the link\'s one consent (ledger source `one-click-unsubscribe`). No credential: the sealed link is the authority. Repeating it changes nothing.',
    example: { 'List-Unsubscribe': 'One-Click' },
  })
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: OneClickUnsubscribeDto, description: 'RFC 8058: `List-Unsubscribe=One-Click`, form-encoded as mailbox providers send it (JSON also accepted).' })
  @ApiOkResponse({
    type: UnsubscribeResultResponse,
    description: 'The consent is withdrawn (ledger source `one-click-unsubscribe`). No credential: the link is the proof. Repeating it changes nothing.',
  })
  @ApiProblems(404, 410, 422, 429)
  oneClick(@Param('token') token: string, @Body() _body: OneClickUnsubscribeDto): Promise<UnsubscribeResultResponse> {
    return this.unsubscribe.unsubscribe(token);
  }

  @Delete('subjects/:id/unsubscribe-links')
  @Can('delete', 'UnsubscribeLink')
  @ApiOp({
    id: 'revokeUnsubscribeLinks',
    summary: 'Revoke a subject\'s unsubscribe links',
    description: 'Every unsubscribe link issued so far for the subject (or only for `purpose`) stops working (410); the next allowed decision carries a new one.',
  })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Every unsubscribe link issued so far for the subject (or `purpose`) stops working; the next decision carries a new one.' })
  @ApiProblems(401, 403, 404, 422)
  revoke(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Query() query: RevokeUnsubscribeLinksQuery,
  ): Promise<void> {
    return this.unsubscribe.revoke(caller, subjectId, query.purpose);
  }
}

import { Body, Controller, Get, Headers, Param, Put, Res } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { PreferencesResponse, PurposeChannelsDto, UpdateSubjectPreferencesDto } from './dto/preferences.dto';
import { preferencesEtag } from './preference-rules';
import { SubjectPreferencesService } from './subject-preferences.service';

const ETAG_HEADER = { ETag: { description: 'Send it back in If-Match.', schema: { type: 'string' } } } as const;

/**
 * A subject's preferences from the brand's side: what the person tells the call centre or the
 * checkout ("order updates by SMS only"). Versioned like the person's own route (If-Match), and
 * every change is recorded with who made it and how, for the person's Activity.
 */
@ApiTags('subjects')
@ApiExtraModels(PurposeChannelsDto)
@Controller('v1/subjects')
export class SubjectPreferencesController {
  constructor(private readonly preferences: SubjectPreferencesService) {}

  @Get(':id/preferences')
  @ApiOp({
    id: 'getSubjectPreferences',
    summary: 'Get a subject\'s preferences',
    description: 'Channels, the channels chosen per purpose, quiet hours and topics, with an `ETag` to send back in `If-Match` when changing them. The read is in the person\'s access log.',
  })
  @Can('read', 'Preferences')
  @ApiOkResponse({ type: PreferencesResponse, headers: ETAG_HEADER })
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'every' })
  async get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) subjectId: string, @Res({ passthrough: true }) res: Response): Promise<PreferencesResponse> {
    const prefs = await this.preferences.get(caller, subjectId);
    res.setHeader('ETag', preferencesEtag(prefs.version));
    return prefs;
  }

  @Put(':id/preferences')
  @ApiOp({
    id: 'updateSubjectPreferences',
    summary: 'Change a subject\'s preferences',
    description:
      'For the call centre and the checkout: what the person asked for. Changes what the body names and leaves the rest as it was ' +
      '(channels not named keep their setting). Needs `If-Match` with the ETag last read (428 without it; 412 with the current values ' +
      'when someone — the person, too — saved in between). The change is recorded with the key that made it and `source`, and the person ' +
      'sees it in their Activity.',
    example: { purposes: { order_updates: { channels: ['sms'] } }, channels: { push: { optedIn: false, frequency: 'immediately' } }, source: 'call_centre' },
  })
  @Can('update', 'Preferences')
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag from GET /v1/subjects/{id}/preferences.' })
  @ApiOkResponse({ type: PreferencesResponse, headers: ETAG_HEADER })
  @ApiProblems(401, 403, 404, 412, 422, 428)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'a write: it answers the preferences as saved, and the change itself — who, how, when, which settings — is in the person\'s Activity' })
  async put(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateSubjectPreferencesDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PreferencesResponse> {
    const prefs = await this.preferences.update(caller, subjectId, ifMatch, body);
    res.setHeader('ETag', preferencesEtag(prefs.version));
    return prefs;
  }
}

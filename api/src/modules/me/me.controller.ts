import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CustomerActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import type { Page } from '../../common/http/pagination';
import { PageQuery } from '../../common/http/pagination';
import { notFoundOnBadUuid } from '../../common/http/params';
import { KEY_PATTERN } from '../../common/http/validators';
import { DomainError } from '../../common/errors/domain-error';
import { ConsentLedgerService } from '../consents/consent-ledger.service';
import { ConsentEventResponse, ConsentReceiptResponse } from '../consents/dto/consent.dto';
import { CorrectFactDto, CustomerFactDto, FactResponse } from '../facts/dto/fact.dto';
import { FactsService } from '../facts/facts.service';
import { FactUseResponse, SetFactUseDto } from '../fact-use/dto/fact-use.dto';
import { FactUseService } from '../fact-use/fact-use.service';
import { PurposeChannelsDto, UpdatePreferencesDto } from '../preferences/dto/preferences.dto';
import { preferencesEtag } from '../preferences/preference-rules';
import { PreferencesService } from '../preferences/preferences.service';
import { AccessRecordResponse } from '../profiles/dto/profile.dto';
import { ProfilesService } from '../profiles/profiles.service';
import { AnswerQuestionDto, QuestionResponse } from '../questions/dto/question.dto';
import { QuestionsService } from '../questions/questions.service';
import { AskMyRequestDto, ConfirmErasureDto, PrivacyRequestResponse } from '../privacy-requests/dto/privacy-request.dto';
import { ExportService, SubjectExport } from '../privacy-requests/export.service';
import { sendExport } from '../privacy-requests/export-html';
import { EXPORT_CONTENT } from '../privacy-requests/export-schema';
import { PrivacyRequestsService } from '../privacy-requests/privacy-requests.service';
import { PropagationResponse } from '../webhooks/dto/webhook.dto';
import { WebhooksService } from '../webhooks/webhooks.service';
import { AnswerResultResponse, MeResponse, MyDecisionsResponse, MyPreferencesResponse, PreferenceChangeResponse, SetConsentDto } from './dto/me.dto';
import { MeService } from './me.service';

/** The signed-in customer's own data. Every route acts on the caller's subject only. */
@ApiTags('customers')
@ApiExtraModels(PurposeChannelsDto)
@Controller('v1/me')
export class MeController {
  constructor(
    private readonly me: MeService,
    private readonly facts: FactsService,
    private readonly ledger: ConsentLedgerService,
    private readonly preferences: PreferencesService,
    private readonly questions: QuestionsService,
    private readonly profiles: ProfilesService,
    private readonly exports: ExportService,
    private readonly requests: PrivacyRequestsService,
    private readonly webhooks: WebhooksService,
    private readonly factUse: FactUseService,
  ) {}

  @Get()
  @ApiOp({
    id: 'getMe',
    summary: 'Get what the brand knows about me',
    description:
      'The signed-in customer\'s identifiers, facts (each with the purposes that may use it), consents, what each purpose may use (`factUse`), preferences and open privacy-signal conflicts.',
  })
  @Can('read', 'Me')
  @ApiOkResponse({ type: MeResponse })
  @ApiProblems(401, 403)
  overview(@Caller() customer: CustomerActor): Promise<MeResponse> {
    return this.me.overview(customer);
  }

  @Post('facts')
  @ApiOp({
    id: 'addMyFact',
    summary: 'Tell the brand something',
    description: 'A fact declared by the customer.',
    example: {"key": "motivation", "value": "sleep_better", "category": "motivations"},
  })
  @Can('create', 'Me')
  @ApiCreatedResponse({ type: FactResponse, description: 'A declared fact: the customer told you.' })
  @ApiProblems(401, 403, 422)
  addFact(@Caller() customer: CustomerActor, @Body() body: CustomerFactDto): Promise<FactResponse> {
    return this.facts.addMine(customer, body);
  }

  @Patch('facts/:id')
  @ApiOp({ id: 'correctMyFact', summary: 'Correct a fact', description: 'The new value; the fact is now declared by the customer.', example: {"value": "ease_anxiety"} })
  @Can('update', 'Me')
  @ApiOkResponse({ type: FactResponse, description: 'Corrected: now declared by the customer.' })
  @ApiProblems(401, 403, 404, 422)
  correctFact(@Caller() customer: CustomerActor, @Param('id', notFoundOnBadUuid('fact')) id: string, @Body() body: CorrectFactDto): Promise<FactResponse> {
    return this.facts.correctMine(customer, id, body.value);
  }

  @Delete('facts/:id')
  @ApiOp({ id: 'deleteMyFact', summary: 'Delete a fact', description: 'The fact is gone for good.' })
  @HttpCode(204)
  @Can('delete', 'Me')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(401, 403, 404)
  deleteFact(@Caller() customer: CustomerActor, @Param('id', notFoundOnBadUuid('fact')) id: string): Promise<void> {
    return this.facts.deleteMine(customer, id);
  }

  @Put('consents/:purpose')
  @ApiOp({
    id: 'setMyConsent',
    summary: 'Grant or withdraw my consent',
    description: 'Records the customer\'s decision in the ledger (source `portal`) against the latest notice.',
    example: {"granted": false},
  })
  @Can('update', 'Me')
  @ApiOkResponse({ type: ConsentEventResponse, description: 'The ledger event (source "portal").' })
  @ApiProblems(401, 403, 404, 422)
  setConsent(@Caller() customer: CustomerActor, @Param('purpose') purpose: string, @Body() body: SetConsentDto): Promise<ConsentEventResponse> {
    if (!KEY_PATTERN.test(purpose)) throw new DomainError('not-found', 'No purpose with that key exists.');
    return this.ledger.recordCustomerDecision(customer, purpose, body.granted);
  }

  @Put('fact-use/:purpose')
  @ApiOp({
    id: 'setMyFactUse',
    summary: 'Choose what a purpose may use',
    description:
      '`declared-only`: "use only what I told you" — the purpose uses only facts the customer declared. `all`: "also what you observed or inferred". ' +
      'Recommendations, audiences and purpose-scoped profile reads follow it at once; the brand sees it as `factUse` in profile reads. ' +
      'Without a choice a purpose that rests on consent uses only declared facts, any other purpose all (`default` in `GET /v1/me`).',
    example: { use: 'declared-only' },
  })
  @Can('update', 'Me')
  @ApiOkResponse({ type: FactUseResponse, description: 'What the purpose may use now, and when the customer chose it.' })
  @ApiProblems(401, 403, 404, 422)
  setFactUse(@Caller() customer: CustomerActor, @Param('purpose') purpose: string, @Body() body: SetFactUseDto): Promise<FactUseResponse> {
    return this.factUse.setMine(customer, purpose, body.use);
  }

  @Get('consents')
  @ApiOp({ id: 'listMyConsents', summary: 'List my consent history', description: 'Every consent decision about the customer, oldest first, with ledger hashes.' })
  @Can('read', 'Me')
  @ApiPage(ConsentEventResponse, 'Every consent decision about you, oldest first, with ledger hashes.')
  @ApiProblems(401, 403)
  consentHistory(@Caller() customer: CustomerActor, @Query() query: PageQuery): Promise<Page<ConsentEventResponse>> {
    return this.ledger.historyOf(customer, query);
  }

  @Get('consents/receipts/:id')
  @ApiOp({
    id: 'getMyConsentReceipt',
    summary: 'Get a consent receipt',
    description: 'A verifiable receipt for one consent event: the hashed content, the hash and the notice text agreed to.',
  })
  @Can('read', 'Me')
  @ApiOkResponse({ type: ConsentReceiptResponse, description: 'A verifiable receipt for one consent event.' })
  @ApiProblems(401, 403, 404)
  receipt(@Caller() customer: CustomerActor, @Param('id', notFoundOnBadUuid('consent event')) id: string): Promise<ConsentReceiptResponse> {
    return this.ledger.receipt(customer, id);
  }

  @Get('preferences')
  @ApiOp({ id: 'getMyPreferences', summary: 'Get my preferences', description: 'Channels, frequency, quiet hours and topics, with an `ETag` to send back in `If-Match`.' })
  @Can('read', 'Me')
  @ApiOkResponse({ type: MyPreferencesResponse, headers: { ETag: { description: 'Send it back in If-Match.', schema: { type: 'string' } } } })
  @ApiProblems(401, 403)
  async getPreferences(@Caller() customer: CustomerActor, @Res({ passthrough: true }) res: Response): Promise<MyPreferencesResponse> {
    const prefs = await this.me.myPreferences(customer);
    res.setHeader('ETag', preferencesEtag(prefs.version));
    return prefs;
  }

  @Put('preferences')
  @ApiOp({
    id: 'updateMyPreferences',
    summary: 'Change my preferences',
    description:
      'Changes what the body names and leaves the rest as it was: channels not named keep their setting (nobody is opted in by leaving one out), ' +
      'and so do quiet hours, topics and the channels chosen per purpose when left out. Needs `If-Match` with the ETag last read (428 without it). ' +
      'A stale or weak tag answers 412 with the current values, so two tabs — or you and the call centre — never silently overwrite each other.',
    example: {"channels": {"email": {"optedIn": true, "frequency": "monthly"}, "sms": {"optedIn": false, "frequency": "immediately"}}, "quietHours": {"start": "21:00", "end": "07:00"}, "topics": ["sleep"]},
  })
  @Can('update', 'Me')
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag from GET /v1/me/preferences.' })
  @ApiOkResponse({ type: MyPreferencesResponse })
  @ApiProblems(401, 403, 412, 422, 428)
  async putPreferences(
    @Caller() customer: CustomerActor,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdatePreferencesDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MyPreferencesResponse> {
    const prefs = await this.me.updateMyPreferences(customer, ifMatch, body);
    res.setHeader('ETag', preferencesEtag(prefs.version));
    return prefs;
  }

  @Get('preference-changes')
  @ApiOp({
    id: 'listMyPreferenceChanges',
    summary: 'Who changed my preferences?',
    description: 'Every change of the customer\'s preferences, newest first: who made it (the customer, or a brand system such as the call centre), how, when, and which settings.',
  })
  @Can('read', 'Me')
  @ApiPage(PreferenceChangeResponse)
  @ApiProblems(401, 403)
  preferenceChanges(@Caller() customer: CustomerActor, @Query() query: PageQuery): Promise<Page<PreferenceChangeResponse>> {
    return this.me.preferenceChanges(customer, query);
  }

  @Get('decisions')
  @ApiOp({
    id: 'listMyDecisions',
    summary: 'What would the brand be told?',
    description:
      'For each purpose that contacts people, on each of its channels: what Candor would answer the brand asking "may I contact this person now?" ' +
      '(GET /v1/decisions/contact) — computed by the same code, so it cannot disagree — with `until` when a no lifts by itself.',
  })
  @Can('read', 'Me')
  @ApiOkResponse({ type: MyDecisionsResponse })
  @ApiProblems(401, 403)
  async decisions(@Caller() customer: CustomerActor): Promise<MyDecisionsResponse> {
    return { data: await this.me.myDecisions(customer) };
  }

  @Post('privacy-requests')
  @ApiOp({
    id: 'askMyRequest',
    summary: 'Ask for a restriction of processing',
    description:
      'Files a restriction request (GDPR Art. 18) for the brand\'s staff to carry out, with the legal deadline. (Objections to a legitimate-interest ' +
      'purpose are immediate: PUT /v1/me/consents/{purpose} with granted false.)',
    example: {"type": "restriction", "details": "Please stop using my purchase history until you have corrected my address."},
  })
  @Can('create', 'Me')
  @ApiCreatedResponse({ type: PrivacyRequestResponse, description: 'Filed; the brand\'s staff carry it out before `dueAt`.' })
  @ApiProblems(401, 403, 422)
  askRequest(@Caller() customer: CustomerActor, @Body() body: AskMyRequestDto): Promise<PrivacyRequestResponse> {
    return this.requests.askMine(customer, body.type, body.details);
  }

  @Get('questions/next')
  @ApiOp({ id: 'getMyNextQuestion', summary: 'Get my next question', description: 'The next question to answer, or 204 when there is none.' })
  @Can('read', 'Me')
  @ApiOkResponse({ type: QuestionResponse })
  @ApiNoContentResponse({ description: 'Nothing left to ask.' })
  @ApiProblems(401, 403)
  async nextQuestion(@Caller() customer: CustomerActor, @Res({ passthrough: true }) res: Response): Promise<QuestionResponse | undefined> {
    const question = await this.questions.nextMine(customer);
    if (!question) res.status(204);
    return question ?? undefined;
  }

  @Post('questions/:key/answer')
  @ApiOp({
    id: 'answerMyQuestion',
    summary: 'Answer or dismiss a question',
    description: 'Answers become declared facts; a dismissed question is never asked again.',
    example: {"values": ["sleep_better"]},
  })
  @HttpCode(200)
  @Can('update', 'Me')
  @ApiOkResponse({ type: AnswerResultResponse, description: 'Answers become declared facts; a dismissed question is never asked again.' })
  @ApiProblems(401, 403, 404, 422)
  answer(@Caller() customer: CustomerActor, @Param('key') key: string, @Body() body: AnswerQuestionDto): Promise<AnswerResultResponse> {
    return this.questions.answerMine(customer, key, body);
  }

  @Get('export')
  @ApiOp({
    id: 'exportMyData',
    summary: 'Export my data',
    description: 'Everything the brand holds about the customer (the `SubjectExport` schema), or a readable page with `Accept: text/html`.',
  })
  @Can('read', 'Me')
  @ApiOkResponse({ description: 'Everything the brand holds about you; `Accept: text/html` gives a readable page.', content: EXPORT_CONTENT })
  @ApiProblems(401, 403)
  async export(@Caller() customer: CustomerActor, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response): Promise<SubjectExport | string> {
    return sendExport(await this.exports.export(customer, customer.subjectId), accept, res);
  }

  @Post('erasure')
  @ApiOp({ id: 'eraseMe', summary: 'Forget me', description: 'Files an erasure request and carries it out at once; the session ends with it.', example: {"confirm": true} })
  @HttpCode(202)
  @Can('delete', 'Me')
  @ApiAcceptedResponse({ type: PrivacyRequestResponse, description: 'Forget me: the erasure request, carried out at once; the session ends with it.' })
  @ApiProblems(401, 403, 422)
  forgetMe(@Caller() customer: CustomerActor, @Body() body: ConfirmErasureDto): Promise<PrivacyRequestResponse> {
    return this.requests.forgetMe(customer, body.locale);
  }

  @Get('propagation')
  @ApiOp({
    id: 'listMyPropagation',
    summary: 'Where did my choices go?',
    description: 'Each consent change and the downstream systems (webhooks) it reached, with their confirmations.',
  })
  @Can('read', 'Me')
  @ApiPage(PropagationResponse)
  @ApiProblems(401, 403)
  propagation(@Caller() customer: CustomerActor, @Query() query: PageQuery): Promise<Page<PropagationResponse>> {
    return this.webhooks.propagation(customer.brandId, customer.subjectId, query);
  }

  @Get('access-log')
  @ApiOp({
    id: 'listMyAccessLog',
    summary: 'Who read my data?',
    description: 'Every read of the customer\'s data by the brand\'s systems and staff, newest first: who, for which purpose, which fields.',
  })
  @Can('read', 'Me')
  @ApiPage(AccessRecordResponse)
  @ApiProblems(401, 403)
  accessLog(@Caller() customer: CustomerActor, @Query() query: PageQuery): Promise<Page<AccessRecordResponse>> {
    return this.profiles.accessLogOf(customer, query);
  }
}

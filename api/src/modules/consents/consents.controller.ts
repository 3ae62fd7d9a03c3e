import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can, Public } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { CaptureResult, ConsentLedgerService, isPendingConfirmation } from './consent-ledger.service';
import { ConsentConfirmationsService } from './consent-confirmations.service';
import { ConfirmConsentDto, ConsentConfirmationResponse, PendingConfirmationResponse } from './dto/confirmation.dto';
import { CaptureConsentDto, ConsentEventResponse, LedgerVerificationResponse, SubjectConsentsResponse } from './dto/consent.dto';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('consent')
@Controller('v1')
export class ConsentsController {
  constructor(
    private readonly ledger: ConsentLedgerService,
    private readonly confirmations: ConsentConfirmationsService,
  ) {}

  @Post('subjects/:id/consents')
  @ApiOp({
    id: 'captureConsent',
    summary: 'Record a consent decision',
    description: 'Appends a grant or withdrawal to the brand\'s hash-chained ledger, against the notice version the customer saw (the latest when not given). With `Idempotency-Key`, a repeat returns the first result and records nothing twice.',
    example: {"purpose": "email_marketing", "granted": true, "source": "signup-form"},
  })
  @Can('create', 'ConsentEvent')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat with the same key returns the first result.' })
  @ApiCreatedResponse({ type: ConsentEventResponse })
  @ApiAcceptedResponse({
    type: PendingConfirmationResponse,
    description: 'A grant of a purpose with `doubleOptIn`: Candor emails the person a confirmation link; the grant is in force (and in the ledger) once they confirm.',
  })
  @ApiProblems(401, 403, 404, 409, 422)
  async capture(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Body() body: CaptureConsentDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CaptureResult> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw DomainError.validation([{ path: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters' }]);
    }
    const result = await this.ledger.recordDecision(caller, subjectId, body, {
      idempotencyKey,
      requestEvidence: { userAgent: req.headers['user-agent'] },
    });
    if (isPendingConfirmation(result)) res.status(202);
    return result;
  }

  @Get('consent-confirmations/:token')
  @Public()
  @ApiOp({
    id: 'getConsentConfirmation',
    summary: 'Read a double opt-in confirmation',
    description: 'What the link in a confirmation email asks the person to confirm: the purpose, the notice and until when the link works. Reading it changes nothing.',
  })
  @ApiOkResponse({
    type: ConsentConfirmationResponse,
    description: 'What a double opt-in link asks the person to confirm, for whoever holds it (no credential). Reading it changes nothing.',
  })
  @ApiProblems(404)
  readConfirmation(@Param('token') token: string): Promise<ConsentConfirmationResponse> {
    return this.confirmations.read(token);
  }

  @Post('consent-confirmations/:token')
  @Public()
  @ApiOp({
    id: 'confirmConsent',
    summary: 'Confirm a double opt-in grant',
    description: 'The person pressed "Confirm": the pending grant is recorded in the ledger with the confirmation as evidence (source `double-opt-in`). Confirming again changes nothing; an expired link is 410.',
    example: { confirm: true },
  })
  @HttpCode(200)
  @ApiOkResponse({ type: ConsentConfirmationResponse, description: 'The person confirmed: the grant is now in the ledger (source `double-opt-in`). Confirming again changes nothing.' })
  @ApiProblems(404, 409, 410, 422)
  confirm(@Param('token') token: string, @Body() _body: ConfirmConsentDto, @Req() req: Request): Promise<ConsentConfirmationResponse> {
    return this.confirmations.confirm(token, { userAgent: req.headers['user-agent'] });
  }

  @Get('subjects/:id/consents')
  @ApiOp({
    id: 'getSubjectConsents',
    summary: 'Get a subject\'s consents',
    description: 'The current state per purpose and the full history, oldest first. The read is shown in the customer\'s access log.',
  })
  @Can('read', 'ConsentEvent')
  @ApiOkResponse({ type: SubjectConsentsResponse })
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'ownPurposes' })
  forSubject(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) subjectId: string): Promise<SubjectConsentsResponse> {
    return this.ledger.forSubject(caller, subjectId);
  }

  @Get('ledger/verify')
  @ApiOp({ id: 'verifyLedger', summary: 'Verify the consent ledger', description: 'Recomputes every hash of the brand\'s ledger and names the first event that does not verify.' })
  @Can('verify', 'Ledger')
  @ApiOkResponse({ type: LedgerVerificationResponse, description: 'Recomputes the brand\'s hash chain.' })
  @ApiProblems(401, 403)
  verify(@Caller() caller: BrandActor): Promise<LedgerVerificationResponse> {
    return this.ledger.verify(caller);
  }
}

import { Body, Controller, Get, Headers, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { ConsentLedgerService } from './consent-ledger.service';
import { CaptureConsentDto, ConsentEventResponse, LedgerVerificationResponse, SubjectConsentsResponse } from './dto/consent.dto';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('consent')
@Controller('v1')
export class ConsentsController {
  constructor(private readonly ledger: ConsentLedgerService) {}

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
  @ApiProblems(401, 403, 404, 422)
  capture(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Body() body: CaptureConsentDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: Request,
  ): Promise<ConsentEventResponse> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw DomainError.validation([{ path: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters' }]);
    }
    return this.ledger.recordDecision(caller, subjectId, body, {
      idempotencyKey,
      requestEvidence: { userAgent: req.headers['user-agent'] },
    });
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

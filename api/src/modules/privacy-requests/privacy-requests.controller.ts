import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can, Public } from '../../common/authz/decorators';
import { ApiOp, ApiPage, ApiProblems, schemaComponent } from '../../common/http/openapi.decorators';
import { type Page, PageQuery } from '../../common/http/pagination';
import { notFoundOnBadUuid } from '../../common/http/params';
import { AuditService } from '../audit/audit.service';
import { LedgerVerificationResponse } from '../consents/dto/consent.dto';
import { SubjectResponse } from '../subjects/dto/subject.dto';
import { ComplianceService } from './compliance.service';
import { ErasureReceiptsService } from './erasure-receipts.service';
import {
  AuditEntryResponse,
  CreatePrivacyRequestDto,
  ErasureReceiptResponse,
  ExecuteRequestDto,
  ExtendRequestDto,
  PrivacyRequestQuery,
  PrivacyRequestResponse,
  RecordsOfProcessingResponse,
} from './dto/privacy-request.dto';
import { CONSENT_RECORD_SCHEMA } from './consent-records';
import { EXPORT_CONTENT, SUBJECT_EXPORT_SCHEMA } from './export-schema';
import { sendExport } from './export-html';
import { ExportService, SubjectExport } from './export.service';
import { ImportService } from './import.service';
import { PrivacyRequestsService } from './privacy-requests.service';

const CONSENT_RECORD = schemaComponent('ConsentRecord', CONSENT_RECORD_SCHEMA);

@ApiTags('compliance')
@Controller('v1')
export class PrivacyRequestsController {
  constructor(
    private readonly requests: PrivacyRequestsService,
    private readonly exports: ExportService,
    private readonly imports: ImportService,
    private readonly compliance: ComplianceService,
    private readonly audit: AuditService,
    private readonly receipts: ErasureReceiptsService,
  ) {}

  @Get('erasure-receipts/:token')
  @ApiOp({
    id: 'getErasureReceipt',
    summary: 'Read an erasure receipt',
    description: 'For whoever holds the emailed link: what was erased, when, and which downstream systems confirmed. No credential, nothing personal.',
  })
  @Public()
  @ApiOkResponse({
    type: ErasureReceiptResponse,
    description: 'An erasure receipt, for whoever holds the emailed link: no credential, nothing personal. Unknown tokens are 404.',
  })
  @ApiProblems(404)
  receipt(@Param('token') token: string): Promise<ErasureReceiptResponse> {
    return this.receipts.read(token);
  }

  @Post('privacy-requests')
  @ApiOp({
    id: 'filePrivacyRequest',
    summary: 'File a privacy request',
    description: 'Access, erasure, rectification, restriction or objection, with the legal deadline (30 days GDPR, 45 CCPA) from when it was received. Filed by a `compliance` key it counts as verified: access, erasure and objection are carried out at once.',
    example: {"subjectId": "0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10", "type": "access", "jurisdiction": "gdpr"},
  })
  @Can('create', 'PrivacyRequest')
  @ApiCreatedResponse({ type: PrivacyRequestResponse, description: 'Access, erasure and objection are carried out at once.' })
  @ApiProblems(401, 403, 404, 410, 422)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'the customer\'s own request, handled for a legal obligation; they see it in their portal' })
  file(@Caller() caller: BrandActor, @Body() body: CreatePrivacyRequestDto): Promise<PrivacyRequestResponse> {
    return this.requests.file(caller, body);
  }

  @Get('privacy-requests')
  @ApiOp({ id: 'listPrivacyRequests', summary: 'List privacy requests', description: 'By due date, soonest first; filter by `status` or `overdue`.' })
  @Can('read', 'PrivacyRequest')
  @ApiPage(PrivacyRequestResponse)
  @ApiProblems(401, 403, 422)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'the customers\' own requests, handled for a legal obligation; each sees theirs in the portal' })
  list(@Caller() caller: BrandActor, @Query() query: PrivacyRequestQuery): Promise<Page<PrivacyRequestResponse>> {
    return this.requests.list(caller, query);
  }

  @Get('privacy-requests/:id')
  @ApiOp({ id: 'getPrivacyRequest', summary: 'Get a privacy request', description: 'With its history of status changes.' })
  @Can('read', 'PrivacyRequest')
  @ApiOkResponse({ type: PrivacyRequestResponse })
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'the customer\'s own request, handled for a legal obligation; they see it in their portal' })
  get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('privacy request')) id: string): Promise<PrivacyRequestResponse> {
    return this.requests.get(caller, id);
  }

  @Post('privacy-requests/:id/execute')
  @ApiOp({
    id: 'executePrivacyRequest',
    summary: 'Carry out a privacy request',
    description: 'Runs a pending request (a note is required for rectification and restriction).',
    example: {"note": "Corrected the email address as the customer asked."},
  })
  @HttpCode(200)
  @Can('update', 'PrivacyRequest')
  @ApiOkResponse({ type: PrivacyRequestResponse })
  @ApiProblems(401, 403, 404, 409, 422)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'carrying out the customer\'s own request (a legal obligation); the export it makes is logged' })
  execute(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('privacy request')) id: string, @Body() body: ExecuteRequestDto): Promise<PrivacyRequestResponse> {
    return this.requests.execute(caller, id, body.note);
  }

  @Post('privacy-requests/:id/extend')
  @ApiOp({
    id: 'extendPrivacyRequest',
    summary: 'Extend a privacy request\'s deadline',
    description: 'Once, with a reason, before the first deadline passes: up to 60 more days (GDPR) or 45 (CCPA).',
    example: {"reason": "The customer sent three further requests that we are handling together.", "days": 30},
  })
  @HttpCode(200)
  @Can('update', 'PrivacyRequest')
  @ApiOkResponse({ type: PrivacyRequestResponse, description: 'Once, with a reason, before the first deadline passes.' })
  @ApiProblems(401, 403, 404, 409, 422)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'the customer\'s own request, handled for a legal obligation; they see it in their portal' })
  extend(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('privacy request')) id: string, @Body() body: ExtendRequestDto): Promise<PrivacyRequestResponse> {
    return this.requests.extend(caller, id, body.reason, body.days);
  }

  @Get('subjects/:id/export')
  @ApiOp({
    id: 'exportSubject',
    summary: 'Export a subject',
    description: 'Everything held about the subject, machine-readable (the `SubjectExport` schema; also docs/export.schema.json), or a page a person can read with `Accept: text/html`: identifiers, facts, preferences, the consent history with notice texts, the access log and privacy requests.',
  })
  @Can('read', 'Export')
  @ApiOkResponse({ description: 'Everything held about the subject; `Accept: text/html` gives a readable page.', content: EXPORT_CONTENT })
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'every' })
  async export(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubjectExport | string> {
    return sendExport(await this.exports.export(caller, id), accept, res);
  }

  @Post('subjects/import')
  @ApiOp({
    id: 'importSubject',
    summary: 'Import a subject export',
    description: 'Portability: creates the subject of a Candor export (from this or another Candor) in this brand, with its facts, preferences and consent history.',
  })
  @Can('create', 'Import')
  @ApiBody({ required: true, description: 'A subject export, as `exportSubject` or `exportMyData` wrote it.', schema: SUBJECT_EXPORT_SCHEMA })
  @ApiCreatedResponse({ type: SubjectResponse, description: 'The subject created from the export.' })
  @ApiProblems(401, 403, 409, 422)
  import(@Caller() caller: BrandActor, @Body() body: unknown): Promise<SubjectResponse> {
    return this.imports.importExport(caller, body);
  }

  @Get('subjects/:id/consent-records')
  @ApiOp({
    id: 'listConsentRecords',
    summary: 'List a subject\'s consent records',
    description: 'Each consent decision as an ISO/IEC TS 27560-aligned JSON-LD record with W3C DPV terms, oldest first.',
  })
  @Can('read', 'ConsentRecord')
  @ApiOkResponse({
    description: 'Each consent decision as an ISO/IEC TS 27560-aligned JSON-LD record with W3C DPV terms, oldest first.',
    schema: {
      type: 'object',
      required: ['data', 'nextCursor'],
      additionalProperties: false,
      properties: { data: { type: 'array', items: CONSENT_RECORD }, nextCursor: { type: ['string', 'null'] } },
    } as never,
  })
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'every' })
  consentRecords(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) id: string,
    @Query() query: PageQuery,
  ): Promise<Page<Record<string, unknown>>> {
    return this.compliance.consentRecords(caller, id, query);
  }

  @Get('records-of-processing')
  @ApiOp({
    id: 'getRecordsOfProcessing',
    summary: 'Get the record of processing activities',
    description: 'The GDPR Art. 30 record, from the configuration: controller, purposes, data categories, recipients (webhooks) and retention.',
  })
  @Can('read', 'ProcessingRecord')
  @ApiOkResponse({ type: RecordsOfProcessingResponse, description: 'The GDPR Art. 30 record of processing activities, from the configuration.' })
  @ApiProblems(401, 403)
  recordsOfProcessing(@Caller() caller: BrandActor): Promise<RecordsOfProcessingResponse> {
    return this.compliance.recordsOfProcessing(caller);
  }

  @Get('audit-log/verify')
  @ApiOp({ id: 'verifyAuditLog', summary: 'Verify the audit log', description: 'Recomputes the audit log\'s hash chain and names the first bad entry.' })
  @Can('read', 'AuditLog')
  @ApiOkResponse({ type: LedgerVerificationResponse, description: 'Recomputes the audit log\'s hash chain and names the first bad entry.' })
  @ApiProblems(401, 403)
  verifyAuditLog(@Caller() caller: BrandActor): Promise<LedgerVerificationResponse> {
    return this.audit.verify(caller);
  }

  @Get('audit-log')
  @ApiOp({ id: 'listAuditLog', summary: 'List the audit log', description: 'Operator, configuration and compliance actions, newest first.' })
  @Can('read', 'AuditLog')
  @ApiPage(AuditEntryResponse, 'Operator, configuration and compliance actions, newest first.')
  @ApiProblems(401, 403, 422)
  auditLog(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<AuditEntryResponse>> {
    return this.compliance.auditLog(caller, query);
  }
}

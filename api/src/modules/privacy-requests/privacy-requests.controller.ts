import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can, Public } from '../../common/authz/decorators';
import { ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import type { Page } from '../../common/http/pagination';
import { notFoundOnBadUuid } from '../../common/http/params';
import { AuditService } from '../audit/audit.service';
import { LedgerVerificationResponse } from '../consents/dto/consent.dto';
import { SubjectResponse } from '../subjects/dto/subject.dto';
import { ComplianceService } from './compliance.service';
import { ErasureReceiptsService } from './erasure-receipts.service';
import { CreatePrivacyRequestDto, ErasureReceiptResponse, ExecuteRequestDto, ExtendRequestDto, PrivacyRequestQuery, PrivacyRequestResponse } from './dto/privacy-request.dto';
import { sendExport } from './export-html';
import { ExportService, SubjectExport } from './export.service';
import { ImportService } from './import.service';
import { PrivacyRequestsService } from './privacy-requests.service';

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
  @Can('create', 'PrivacyRequest')
  @ApiCreatedResponse({ type: PrivacyRequestResponse, description: 'Access, erasure and objection are carried out at once.' })
  @ApiProblems(401, 403, 404, 422)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'the customer\'s own request, handled for a legal obligation; they see it in their portal' })
  file(@Caller() caller: BrandActor, @Body() body: CreatePrivacyRequestDto): Promise<PrivacyRequestResponse> {
    return this.requests.file(caller, body);
  }

  @Get('privacy-requests')
  @Can('read', 'PrivacyRequest')
  @ApiPage(PrivacyRequestResponse)
  @ApiProblems(401, 403, 422)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'the customers\' own requests, handled for a legal obligation; each sees theirs in the portal' })
  list(@Caller() caller: BrandActor, @Query() query: PrivacyRequestQuery): Promise<Page<PrivacyRequestResponse>> {
    return this.requests.list(caller, query);
  }

  @Get('privacy-requests/:id')
  @Can('read', 'PrivacyRequest')
  @ApiOkResponse({ type: PrivacyRequestResponse })
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'the customer\'s own request, handled for a legal obligation; they see it in their portal' })
  get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('privacy request')) id: string): Promise<PrivacyRequestResponse> {
    return this.requests.get(caller, id);
  }

  @Post('privacy-requests/:id/execute')
  @HttpCode(200)
  @Can('update', 'PrivacyRequest')
  @ApiOkResponse({ type: PrivacyRequestResponse })
  @ApiProblems(401, 403, 404, 409, 422)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'carrying out the customer\'s own request (a legal obligation); the export it makes is logged' })
  execute(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('privacy request')) id: string, @Body() body: ExecuteRequestDto): Promise<PrivacyRequestResponse> {
    return this.requests.execute(caller, id, body.note);
  }

  @Post('privacy-requests/:id/extend')
  @HttpCode(200)
  @Can('update', 'PrivacyRequest')
  @ApiOkResponse({ type: PrivacyRequestResponse, description: 'Once, with a reason, before the first deadline passes.' })
  @ApiProblems(401, 403, 404, 409, 422)
  @ReadsPersonalData({ kind: 'every' }, { notLogged: 'the customer\'s own request, handled for a legal obligation; they see it in their portal' })
  extend(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('privacy request')) id: string, @Body() body: ExtendRequestDto): Promise<PrivacyRequestResponse> {
    return this.requests.extend(caller, id, body.reason, body.days);
  }

  @Get('subjects/:id/export')
  @Can('read', 'Export')
  @ApiProduces('application/json', 'text/html')
  @ApiOkResponse({ description: 'Everything held about the subject (docs/export.schema.json); `Accept: text/html` gives a readable page.' })
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
  @Can('create', 'Import')
  @ApiCreatedResponse({ type: SubjectResponse, description: 'Imports a subject export (portability) into this brand.' })
  @ApiProblems(401, 403, 409, 422)
  import(@Caller() caller: BrandActor, @Body() body: unknown): Promise<SubjectResponse> {
    return this.imports.importExport(caller, body);
  }

  @Get('subjects/:id/consent-records')
  @Can('read', 'ConsentRecord')
  @ApiOkResponse({ description: 'Each consent decision as an ISO/IEC TS 27560-aligned JSON-LD record with W3C DPV terms.' })
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'every' })
  async consentRecords(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) id: string): Promise<{ data: unknown[]; nextCursor: null }> {
    return { data: await this.compliance.consentRecords(caller, id), nextCursor: null };
  }

  @Get('records-of-processing')
  @Can('read', 'ProcessingRecord')
  @ApiOkResponse({ description: 'The GDPR Art. 30 record of processing activities, from the configuration.' })
  @ApiProblems(401, 403)
  recordsOfProcessing(@Caller() caller: BrandActor): Promise<Record<string, unknown>> {
    return this.compliance.recordsOfProcessing(caller);
  }

  @Get('audit-log/verify')
  @Can('read', 'AuditLog')
  @ApiOkResponse({ type: LedgerVerificationResponse, description: 'Recomputes the audit log\'s hash chain and names the first bad entry.' })
  @ApiProblems(401, 403)
  verifyAuditLog(@Caller() caller: BrandActor): Promise<LedgerVerificationResponse> {
    return this.audit.verify(caller);
  }

  @Get('audit-log')
  @Can('read', 'AuditLog')
  @ApiOkResponse({ description: 'Operator, configuration and compliance actions, newest first.' })
  @ApiProblems(401, 403, 422)
  auditLog(@Caller() caller: BrandActor, @Query() query: PrivacyRequestQuery): Promise<Page<Record<string, unknown>>> {
    return this.compliance.auditLog(caller, query);
  }
}

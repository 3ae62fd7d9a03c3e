import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { KEY_PATTERN } from '../../common/http/validators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import type { Page } from '../../common/http/pagination';
import { notFoundOnBadUuid } from '../../common/http/params';
import { AddIdentifierDto, IdentifierQuery, IdentifierResponse, LookupQuery, MergeResponse, MergeSubjectsDto } from './dto/identifier.dto';
import { CreateSubjectDto, SubjectQuery, SubjectResponse } from './dto/subject.dto';
import { SubjectIdentifiersService } from './subject-identifiers.service';
import { SubjectMergeService } from './subject-merge.service';
import { SubjectsService } from './subjects.service';

@ApiTags('subjects')
@Controller('v1/subjects')
export class SubjectsController {
  constructor(
    private readonly subjects: SubjectsService,
    private readonly identifiers: SubjectIdentifiersService,
    private readonly merges: SubjectMergeService,
  ) {}

  @Post()
  @ApiOp({
    id: 'createSubject',
    summary: 'Create (or find) a subject',
    description: 'A customer of the brand, by the brand\'s own `externalId`. Sending the same `externalId` again answers 200 with the existing subject; an erased customer\'s identifiers answer 409 `subject-erased`.',
    example: {"externalId": "member-1042", "email": "ingrid@example.com", "locale": "nb", "timezone": "Europe/Oslo"},
  })
  @Can('create', 'Subject')
  @ApiCreatedResponse({ type: SubjectResponse, description: 'Created.' })
  @ApiOkResponse({ type: SubjectResponse, description: 'A subject with this externalId already existed; it is returned unchanged.' })
  @ApiProblems(401, 403, 409, 422)
  @ReadsPersonalData({ kind: 'identifiers' })
  async create(
    @Caller() caller: BrandActor,
    @Body() body: CreateSubjectDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SubjectResponse> {
    const { created, subject } = await this.subjects.create(caller, body);
    res.status(created ? 201 : 200);
    return subject;
  }

  @Get()
  @ApiOp({
    id: 'listSubjects',
    summary: 'List or find subjects',
    description: 'Subjects by id, or the one with an `externalId`, or those with an `email`. Email and phone are shown only for a purpose that contacts people (see `purpose`).',
  })
  @Can('read', 'Subject')
  @ApiPage(SubjectResponse)
  @ApiProblems(401, 403, 422)
  @ReadsPersonalData({ kind: 'identifiers' })
  list(@Caller() caller: BrandActor, @Query() query: SubjectQuery): Promise<Page<SubjectResponse>> {
    return this.subjects.list(caller, query);
  }

  // Declared before `:id`, which would otherwise take "lookup" for an id.
  @Get('lookup')
  @ApiOp({
    id: 'lookupSubject',
    summary: 'Find the subject an identifier names',
    description:
      'The one subject holding an identifier: one of its identifiers (POST /v1/subjects/{id}/identifiers), or its own email, phone or (`type=external` without `system`) externalId, matched by keyed hash. ' +
      'A merged record\'s identifiers find the survivor. 404 when no subject holds it; 409 `identifier-ambiguous` (with `subjectIds`) when several do — records of one person, to merge. ' +
      'Email and phone are shown as on GET /v1/subjects/{id}, and the read is in the customer\'s access log.',
  })
  @Can('read', 'Subject')
  @ApiOkResponse({ type: SubjectResponse })
  @ApiProblems(401, 403, 404, 409)
  @ReadsPersonalData({ kind: 'identifiers' })
  lookup(@Caller() caller: BrandActor, @Query() query: LookupQuery): Promise<SubjectResponse> {
    return this.subjects.lookup(caller, query);
  }

  @Get(':id')
  @ApiOp({ id: 'getSubject', summary: 'Get a subject', description: 'One subject. An erased subject answers 410 `subject-gone`; a record merged into another answers 410 `subject-merged`, whose `mergedInto` names the survivor.' })
  @Can('read', 'Subject')
  @ApiOkResponse({ type: SubjectResponse })
  @ApiProblems(401, 403, 404, 410)
  @ReadsPersonalData({ kind: 'identifiers' })
  @ApiQuery({ name: 'purpose', required: false, description: 'The purpose this read serves (see GET /v1/subjects).', schema: { type: 'string', pattern: KEY_PATTERN.source } })
  get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) id: string, @Query('purpose') purpose?: string): Promise<SubjectResponse> {
    if (purpose !== undefined && (typeof purpose !== 'string' || !KEY_PATTERN.test(purpose))) {
      throw DomainError.validation([{ path: 'purpose', message: 'must be a purpose key such as "email_marketing"' }]);
    }
    return this.subjects.get(caller, id, purpose);
  }

  @Post(':id/identifiers')
  @ApiOp({
    id: 'addSubjectIdentifier',
    summary: 'Add an identifier to a subject',
    description:
      'Another key the person is known by: an `email`, a `phone`, or an `external` id of another system (`system`, e.g. `loyalty`) or of the brand\'s own `externalId` namespace (no `system`). ' +
      'Sealed under the subject\'s data key and found only by keyed hash (GET /v1/subjects/lookup). Unique per brand, type and system: 409 `identifier-taken` when this or another subject holds it (merge two records of one person instead), ' +
      '409 `subject-erased` when it belonged to an erased person.',
    example: { type: 'external', system: 'loyalty', value: 'L-88213' },
  })
  @Can('update', 'Subject')
  @ApiCreatedResponse({ type: IdentifierResponse, description: 'Added; the value as stored (emails and phones in normal form).' })
  @ApiProblems(401, 403, 404, 409, 410)
  addIdentifier(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) id: string, @Body() body: AddIdentifierDto): Promise<IdentifierResponse> {
    return this.identifiers.add(caller, id, body);
  }

  @Get(':id/identifiers')
  @ApiOp({
    id: 'listSubjectIdentifiers',
    summary: 'List a subject\'s identifiers',
    description: 'Oldest first, with how each was added (a merge names the record it came from). Emails and phones are shown as on GET /v1/subjects/{id} (`purpose`); the read is in the customer\'s access log.',
  })
  @Can('read', 'Subject')
  @ApiPage(IdentifierResponse)
  @ApiProblems(401, 403, 404, 410)
  @ReadsPersonalData({ kind: 'identifiers' })
  listIdentifiers(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) id: string, @Query() query: IdentifierQuery): Promise<Page<IdentifierResponse>> {
    return this.identifiers.list(caller, id, query);
  }

  @Delete(':id/identifiers/:identifierId')
  @HttpCode(204)
  @ApiOp({ id: 'removeSubjectIdentifier', summary: 'Remove an identifier from a subject', description: 'The subject is no longer found by it. The subject\'s own email, phone and externalId are not identifiers here.' })
  @Can('update', 'Subject')
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(401, 403, 404, 410)
  async removeIdentifier(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) id: string,
    @Param('identifierId', notFoundOnBadUuid('identifier')) identifierId: string,
  ): Promise<void> {
    await this.identifiers.remove(caller, id, identifierId);
  }

  @Post(':id/merge')
  @HttpCode(200)
  @ApiOp({
    id: 'mergeSubjects',
    summary: 'Merge another record of the same person into this one',
    description:
      'Folds `fromSubjectId` into this subject in one transaction: its identifiers (and its email, phone and externalId, as identifiers), facts with their provenance (the same key and value held by both collapse to the earliest), ' +
      'preferences (the stricter per channel), access log, privacy requests and feedback. Consent, per purpose: **the more protective decision wins** — if either record withdrew or objected, the person is withdrawn until they grant again — ' +
      'recorded as a ledger event on this subject (source `merge`) that cites the merged record\'s last event for the purpose by its hash. ' +
      'Afterwards the merged id answers 410 `subject-merged` with `mergedInto`, its identifiers find this subject, and `subject.merged` goes to webhooks. ' +
      'Another brand\'s record → 404, an erased one → 409 `subject-erased`, the subject itself → 422. Repeating a merge answers the first one. Needs a key not limited to purposes.',
    example: { fromSubjectId: '0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10' },
  })
  @Can('update', 'Subject')
  @ApiOkResponse({ type: MergeResponse, description: 'Merged (or merged before: the same answer).' })
  @ApiProblems(401, 403, 404, 409, 410)
  merge(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) id: string, @Body() body: MergeSubjectsDto): Promise<MergeResponse> {
    return this.merges.merge(caller, id, body.fromSubjectId);
  }
}

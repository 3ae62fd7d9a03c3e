import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { KEY_PATTERN } from '../../common/http/validators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import type { Page } from '../../common/http/pagination';
import { notFoundOnBadUuid } from '../../common/http/params';
import { CreateSubjectDto, SubjectQuery, SubjectResponse } from './dto/subject.dto';
import { SubjectsService } from './subjects.service';

@ApiTags('subjects')
@Controller('v1/subjects')
export class SubjectsController {
  constructor(private readonly subjects: SubjectsService) {}

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

  @Get(':id')
  @ApiOp({ id: 'getSubject', summary: 'Get a subject', description: 'One subject. An erased subject answers 410.' })
  @Can('read', 'Subject')
  @ApiOkResponse({ type: SubjectResponse })
  @ApiProblems(401, 403, 404)
  @ReadsPersonalData({ kind: 'identifiers' })
  @ApiQuery({ name: 'purpose', required: false, description: 'The purpose this read serves (see GET /v1/subjects).', schema: { type: 'string', pattern: KEY_PATTERN.source } })
  get(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) id: string, @Query('purpose') purpose?: string): Promise<SubjectResponse> {
    if (purpose !== undefined && (typeof purpose !== 'string' || !KEY_PATTERN.test(purpose))) {
      throw DomainError.validation([{ path: 'purpose', message: 'must be a purpose key such as "email_marketing"' }]);
    }
    return this.subjects.get(caller, id, purpose);
  }
}

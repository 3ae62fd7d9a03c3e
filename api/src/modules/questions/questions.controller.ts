import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Body, Controller, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { type Page, PageQuery } from '../../common/http/pagination';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { CreateQuestionDto, DueQuestionResponse, QuestionResponse, UpdateQuestionDto } from './dto/question.dto';
import { KEY_PATTERN } from '../../common/http/validators';
import { DomainError } from '../../common/errors/domain-error';
import { QuestionsService } from './questions.service';

@ApiTags('configuration')
@Controller('v1')
export class QuestionsController {
  constructor(private readonly questions: QuestionsService) {}

  @Post('questions')
  @ApiOp({
    id: 'createQuestion',
    summary: 'Define a question',
    description:
      'A progressive-profiling question: its text and options per language, and the fact its answer fills. Asked one at a time, never again once answered or dismissed. ' +
      'With `askBeforeUse: true`, observed or inferred facts under its fact key are never used: only the customer\'s answer counts. ' +
      'With `after: { factKey, value?, days }` it is a timed follow-up, due for a subject only once such a fact has been known for `days` days.',
    example: {"key": "machine_checkin", "text": {"en": "How is your espresso machine doing?"}, "factKey": "machine_state", "category": "behavior", "options": [{"value": "works_well", "label": {"en": "It works well"}}, {"value": "needs_help", "label": {"en": "It needs some help"}}], "after": {"factKey": "owns", "value": "espresso_machine", "days": 7}},
  })
  @Can('create', 'Question')
  @ApiCreatedResponse({ type: QuestionResponse })
  @ApiProblems(401, 403, 409, 422)
  create(@Caller() caller: BrandActor, @Body() body: CreateQuestionDto): Promise<QuestionResponse> {
    return this.questions.create(caller, body);
  }

  @Patch('questions/:key')
  @ApiOp({
    id: 'updateQuestion',
    summary: 'Change a question',
    description:
      'Its text per language, or `askBeforeUse`: with true, observed or inferred facts under the question\'s fact key are never used ' +
      '(recommendations, audiences, profile reads) — before the customer answered, nothing is assumed; after, the declared answer counts. ' +
      'Or `after`: a trigger `{ factKey, value?, days }` makes it a timed follow-up, null makes it an ordinary question again. ' +
      'Its fact key, category and options stay as they were answered.',
    example: { askBeforeUse: true },
  })
  @Can('update', 'Question')
  @ApiOkResponse({ type: QuestionResponse })
  @ApiProblems(401, 403, 404, 422)
  update(@Caller() caller: BrandActor, @Param('key') key: string, @Body() body: UpdateQuestionDto): Promise<QuestionResponse> {
    if (!KEY_PATTERN.test(key)) throw new DomainError('not-found', 'No question with that key exists.');
    return this.questions.update(caller, key, body);
  }

  @Get('questions')
  @ApiOp({ id: 'listQuestions', summary: 'List questions', description: 'The brand\'s questions in the order they are asked.' })
  @Can('read', 'Question')
  @ApiPage(QuestionResponse)
  @ApiProblems(401, 403)
  list(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<QuestionResponse>> {
    return this.questions.list(caller, query);
  }

  @Get('subjects/:id/questions/next')
  @ApiOp({
    id: 'getNextSubjectQuestion',
    summary: 'Get the next question for a subject',
    description: 'The question to ask this subject next (for example in a welcome email), or 204 when there is nothing left to ask.',
  })
  @ReadsPersonalData({ kind: 'derived' })
  // What a subject has answered is the subject's data: this needs subjects:read, not just the
  // right to read the question catalogue (which customers have, for the portal).
  @Can('read', 'Subject')
  @ApiOkResponse({ type: QuestionResponse, description: 'The next question to ask this subject (e.g. in a welcome email).' })
  @ApiNoContentResponse({ description: 'Nothing left to ask.' })
  @ApiProblems(401, 403, 404)
  async next(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<QuestionResponse | undefined> {
    const question = await this.questions.nextForSubject(caller, subjectId);
    if (!question) res.status(204);
    return question ?? undefined;
  }

  @Get('subjects/:id/questions/due')
  @ApiOp({
    id: 'listDueSubjectQuestions',
    summary: 'List a subject\'s due follow-ups',
    description:
      'The timed follow-up questions (`after`) due for this subject now — not answered or dismissed, their fact not declared — the one waiting longest first, ' +
      'each with `dueSince` and the fact that made it due (`because`). Ordinary questions are not listed: they are due at once (see `getNextSubjectQuestion`). ' +
      'A key limited to purposes sees only follow-ups whose fact a profile read for one of its purposes would show: its purposes cover the fact\'s category, the customer consents to them (or has not objected), and lets them use the fact (an observed or inferred one only under fact use `all`). The read is in the customer\'s access log, naming only the facts shown.',
  })
  // It shows the subject's facts (the reason each is due): subjects:read, as the next question, and logged.
  @ReadsPersonalData({ kind: 'ownPurposes' })
  @Can('read', 'Subject')
  @ApiPage(DueQuestionResponse, 'Due follow-ups, the one waiting longest first; `nextCursor` is null on the last page.')
  @ApiProblems(401, 403, 404, 422)
  due(
    @Caller() caller: BrandActor,
    @Param('id', notFoundOnBadUuid('subject')) subjectId: string,
    @Query() query: PageQuery,
  ): Promise<Page<DueQuestionResponse>> {
    return this.questions.dueForSubject(caller, subjectId, query);
  }
}

import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { CreateQuestionDto, QuestionResponse } from './dto/question.dto';
import { QuestionsService } from './questions.service';

@ApiTags('configuration')
@Controller('v1')
export class QuestionsController {
  constructor(private readonly questions: QuestionsService) {}

  @Post('questions')
  @Can('create', 'Question')
  @ApiCreatedResponse({ type: QuestionResponse })
  @ApiProblems(401, 403, 409, 422)
  create(@Caller() caller: BrandActor, @Body() body: CreateQuestionDto): Promise<QuestionResponse> {
    return this.questions.create(caller, body);
  }

  @Get('questions')
  @Can('read', 'Question')
  @ApiPage(QuestionResponse)
  @ApiProblems(401, 403)
  async list(@Caller() caller: BrandActor): Promise<{ data: QuestionResponse[]; nextCursor: null }> {
    return { data: await this.questions.list(caller), nextCursor: null };
  }

  @Get('subjects/:id/questions/next')
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
}

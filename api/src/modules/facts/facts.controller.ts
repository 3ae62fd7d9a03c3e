import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiProblems } from '../../common/http/openapi.decorators';
import { notFoundOnBadUuid } from '../../common/http/params';
import { BrandFactDto, FactResponse } from './dto/fact.dto';
import { FactsService } from './facts.service';

@ApiTags('subjects')
@Controller('v1/subjects/:id/facts')
export class FactsController {
  constructor(private readonly facts: FactsService) {}

  @Post()
  @ApiOp({
    id: 'recordFact',
    summary: 'Record a fact',
    description: 'A zero-party fact about the subject with its data category and provenance (declared, observed or inferred) and a source in words the customer will see. The customer can see, correct and delete it.',
    example: {"key": "motivation", "value": "sleep_better", "category": "motivations", "provenance": "declared", "source": "welcome question"},
  })
  @Can('create', 'Fact')
  @ApiCreatedResponse({ type: FactResponse })
  @ApiProblems(401, 403, 404, 422)
  record(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('subject')) subjectId: string, @Body() body: BrandFactDto): Promise<FactResponse> {
    return this.facts.recordForSubject(caller, subjectId, body);
  }
}

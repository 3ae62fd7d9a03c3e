import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import { Page, PageQuery } from '../../common/http/pagination';
import { KEY_PATTERN } from '../../common/http/validators';
import { DictionaryService } from './dictionary.service';
import {
  FactKeyResponse,
  LabelResponse,
  ListFactKeysQuery,
  MissingQuery,
  MissingReportResponse,
  PutFactKeyDto,
  PutLabelDto,
} from './dto/dictionary.dto';

/** A key named in a path that is to be written: it must be a key, or nothing is written (422). */
function writableKey(key: string, what: string): string {
  if (!KEY_PATTERN.test(key)) throw DomainError.validation([{ path: 'key', message: `must be a lower-case ${what} key such as "welcome_question"` }]);
  return key;
}

/** A key named in a path that is to be read: one that cannot exist is not found. */
function readableKey(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new DomainError('not-found', 'No fact key with that name is in this brand\'s dictionary.');
  return key;
}

@ApiTags('configuration')
@Controller('v1')
export class DictionaryController {
  constructor(private readonly dictionary: DictionaryService) {}

  @Put('fact-keys/:key')
  @ApiOp({
    id: 'putFactKey',
    summary: 'Declare a fact key',
    description: 'Its data category, its words per language, and optionally its type and values with their words (201 when new, 200 when replaced).',
    example: {"category": "motivations", "label": {"en": "Motivation", "nb": "Motivasjon"}, "type": "choices", "values": [{"value": "sleep_better", "label": {"en": "To sleep better", "nb": "For å sove bedre"}}]},
  })
  @Can('create', 'Dictionary')
  @ApiCreatedResponse({ type: FactKeyResponse, description: 'A new fact key.' })
  @ApiOkResponse({ type: FactKeyResponse, description: 'The fact key, replaced.' })
  @ApiProblems(401, 403, 422)
  async putFactKey(@Caller() caller: BrandActor, @Param('key') key: string, @Body() body: PutFactKeyDto, @Res({ passthrough: true }) res: Response): Promise<FactKeyResponse> {
    const { created, factKey } = await this.dictionary.putFactKey(caller, writableKey(key, 'fact'), body);
    res.status(created ? 201 : 200);
    return factKey;
  }

  @Get('fact-keys')
  @ApiOp({ id: 'listFactKeys', summary: 'List fact keys', description: 'The brand\'s fact keys with their words; `missing` keeps those lacking a language.' })
  @Can('read', 'Dictionary')
  @ApiPage(FactKeyResponse)
  @ApiProblems(401, 403, 422)
  listFactKeys(@Caller() caller: BrandActor, @Query() query: ListFactKeysQuery): Promise<Page<FactKeyResponse>> {
    return this.dictionary.listFactKeys(caller, query);
  }

  @Get('fact-keys/:key')
  @ApiOp({ id: 'getFactKey', summary: 'Get a fact key', description: 'One fact key with its words, type and values.' })
  @Can('read', 'Dictionary')
  @ApiOkResponse({ type: FactKeyResponse })
  @ApiProblems(401, 403, 404)
  getFactKey(@Caller() caller: BrandActor, @Param('key') key: string): Promise<FactKeyResponse> {
    return this.dictionary.getFactKey(caller, readableKey(key));
  }

  @Put('sources/:key')
  @ApiOp({ id: 'putSource', summary: 'Name a source', description: 'Where facts come from, in words per language (201 when new, 200 when renamed).', example: {"label": {"en": "the welcome question", "nb": "velkomstspørsmålet"}} })
  @Can('create', 'Dictionary')
  @ApiCreatedResponse({ type: LabelResponse, description: 'A new source.' })
  @ApiOkResponse({ type: LabelResponse, description: 'The source, renamed.' })
  @ApiProblems(401, 403, 422)
  async putSource(@Caller() caller: BrandActor, @Param('key') key: string, @Body() body: PutLabelDto, @Res({ passthrough: true }) res: Response): Promise<LabelResponse> {
    const { created, label } = await this.dictionary.putLabel(caller, 'source', writableKey(key, 'source'), body);
    res.status(created ? 201 : 200);
    return label;
  }

  @Get('sources')
  @ApiOp({ id: 'listSources', summary: 'List sources', description: 'The brand\'s named sources with their words.' })
  @Can('read', 'Dictionary')
  @ApiPage(LabelResponse)
  @ApiProblems(401, 403, 422)
  listSources(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<LabelResponse>> {
    return this.dictionary.listLabels(caller, 'source', query);
  }

  @Put('topics/:key')
  @ApiOp({ id: 'putTopic', summary: 'Name a topic', description: 'A preference topic in words per language (201 when new, 200 when renamed).', example: {"label": {"en": "Sleep", "nb": "Søvn"}} })
  @Can('create', 'Dictionary')
  @ApiCreatedResponse({ type: LabelResponse, description: 'A new topic.' })
  @ApiOkResponse({ type: LabelResponse, description: 'The topic, renamed.' })
  @ApiProblems(401, 403, 422)
  async putTopic(@Caller() caller: BrandActor, @Param('key') key: string, @Body() body: PutLabelDto, @Res({ passthrough: true }) res: Response): Promise<LabelResponse> {
    const { created, label } = await this.dictionary.putLabel(caller, 'topic', writableKey(key, 'topic'), body);
    res.status(created ? 201 : 200);
    return label;
  }

  @Get('topics')
  @ApiOp({ id: 'listTopics', summary: 'List topics', description: 'The brand\'s preference topics with their words.' })
  @Can('read', 'Dictionary')
  @ApiPage(LabelResponse)
  @ApiProblems(401, 403, 422)
  listTopics(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<LabelResponse>> {
    return this.dictionary.listLabels(caller, 'topic', query);
  }

  @Get('dictionary/missing')
  @ApiOp({ id: 'getMissingTranslations', summary: 'What is not translated yet?', description: 'Per language, the fact keys, values, sources, topics, questions, catalogue texts, purpose names and notices that lack it.' })
  @Can('read', 'Dictionary')
  @ApiOkResponse({ type: MissingReportResponse, description: 'What customers reading in each language meet untranslated.' })
  @ApiProblems(401, 403, 422)
  missing(@Caller() caller: BrandActor, @Query() query: MissingQuery): Promise<MissingReportResponse> {
    return this.dictionary.missing(caller, query.locale);
  }
}

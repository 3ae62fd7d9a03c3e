import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../common/http/pagination';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import {
  BulkCatalogDto,
  CatalogItemResponse,
  ExplanationResponse,
  FeedbackDto,
  FeedbackResponse,
  MyRecommendationsQuery,
  RecommendationsRequestDto,
  RecommendationsResponse,
  SKU_PATTERN,
  UpsertCatalogItemDto,
  ValidateExplanationDto,
} from './dto/recommendation.dto';
import { RecommendationsService } from './recommendations.service';

/** Documents the header every explaining route honours. */
const ACCEPT_LANGUAGE = ApiHeader({
  name: 'Accept-Language',
  required: false,
  description: 'The reader\'s languages with weights ("pl-PL,pl;q=0.9,en;q=0.8"); used when the request names no `locale`.',
});

function checkSku(sku: string): string {
  if (!SKU_PATTERN.test(sku)) throw new DomainError('not-found', 'No catalog item has that SKU (letters, digits, dots, dashes, underscores).');
  return sku;
}

@ApiTags('recommendations')
@Controller('v1')
export class RecommendationsController {
  constructor(private readonly recommendations: RecommendationsService) {}

  @Put('catalog/items/:sku')
  @ApiOp({
    id: 'upsertCatalogItem',
    summary: 'Create or replace a catalogue item',
    description: 'An item the brand may recommend, tagged with the fact values it suits and their weights.',
    example: {"title": "Sleep stories: the lighthouse keeper", "url": "https://calmharbor.example/sleep/lighthouse", "tags": [{"factKey": "motivation", "value": "sleep_better", "weight": 3}]},
  })
  @Can('update', 'CatalogItem')
  @ApiOkResponse({ type: CatalogItemResponse })
  @ApiProblems(401, 403, 404, 422)
  upsert(@Caller() caller: BrandActor, @Param('sku') sku: string, @Body() body: UpsertCatalogItemDto): Promise<CatalogItemResponse> {
    return this.recommendations.upsertItem(caller, checkSku(sku), body);
  }

  @Post('catalog/items/bulk')
  @ApiOp({
    id: 'upsertCatalogItems',
    summary: 'Create or replace catalogue items in bulk',
    description: 'Up to 1000 items in one transaction.',
    example: {"items": [{"sku": "sleep-lighthouse", "title": "Sleep stories: the lighthouse keeper", "tags": [{"factKey": "motivation", "value": "sleep_better", "weight": 3}]}]},
  })
  @HttpCode(200)
  @Can('update', 'CatalogItem')
  @ApiOkResponse({ schema: { type: 'object', properties: { upserted: { type: 'integer' } } } })
  @ApiProblems(401, 403, 422)
  upsertMany(@Caller() caller: BrandActor, @Body() body: BulkCatalogDto): Promise<{ upserted: number }> {
    return this.recommendations.upsertMany(caller, body.items);
  }

  @Get('catalog/items')
  @ApiOp({ id: 'listCatalogItems', summary: 'List catalogue items', description: 'The brand\'s catalogue by SKU.' })
  @Can('read', 'CatalogItem')
  @ApiPage(CatalogItemResponse)
  @ApiProblems(401, 403)
  list(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<CatalogItemResponse>> {
    return this.recommendations.listItems(caller, query);
  }

  @Post('recommendations')
  @ApiOp({
    id: 'recommend',
    summary: 'Recommend items for a subject',
    description:
      'Ranked items, each explained by the facts it used — only facts consented for `personalization`, and only declared ones unless the customer lets it use observed and inferred facts too (`factUse`) — in the language asked for. 403 `consent-required` without that consent.',
    example: {"subjectId": "0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10", "limit": 3},
  })
  @HttpCode(200)
  @Can('read', 'Recommendation')
  @ApiOkResponse({ type: RecommendationsResponse })
  @ApiProblems(401, 403, 404, 410, 422)
  @ReadsPersonalData({ kind: 'fixed', purpose: 'personalization' })
  @ACCEPT_LANGUAGE
  async recommend(
    @Caller() caller: BrandActor,
    @Body() body: RecommendationsRequestDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
  ): Promise<RecommendationsResponse> {
    return { data: await this.recommendations.recommend(caller, body.subjectId, { limit: body.limit, locale: body.locale, acceptLanguage }) };
  }

  @Post('explanations/validate')
  @ApiOp({
    id: 'validateExplanation',
    summary: 'Validate your own explanation',
    description:
      'Checks that the facts your own recommender cites may be used for personalization (consented, covered, and allowed by the customer\'s choice of what it may use); 422 `unconsented-reason` names each that may not.',
    example: {"subjectId": "0b9f6c1e-6d2a-4a57-9a43-3c5a1d2e8f10", "sku": "sleep-stories", "because": ["6f1c3a52-8d0e-4b7a-9c21-5e4d3b2a1f00"]},
  })
  @HttpCode(200)
  @Can('read', 'Recommendation')
  @ApiOkResponse({ type: ExplanationResponse })
  @ApiProblems(401, 403, 404, 410, 422)
  @ReadsPersonalData({ kind: 'fixed', purpose: 'personalization' })
  @ACCEPT_LANGUAGE
  validate(
    @Caller() caller: BrandActor,
    @Body() body: ValidateExplanationDto,
    @Headers('accept-language') acceptLanguage: string | undefined,
  ): Promise<ExplanationResponse> {
    return this.recommendations.validate(caller, body, acceptLanguage);
  }

  @Get('me/recommendations')
  @ApiOp({ id: 'listMyRecommendations', summary: 'Get my recommendations', description: 'The signed-in customer\'s recommendations, each with the facts it came from.' })
  @Can('read', 'Me')
  @ApiOkResponse({ type: RecommendationsResponse })
  @ApiProblems(401, 403, 422)
  @ACCEPT_LANGUAGE
  async mine(
    @Caller() customer: CustomerActor,
    @Query() query: MyRecommendationsQuery,
    @Headers('accept-language') acceptLanguage: string | undefined,
  ): Promise<RecommendationsResponse> {
    return { data: await this.recommendations.recommend(customer, customer.subjectId, { locale: query.locale, acceptLanguage }) };
  }

  @Post('me/recommendations/:sku/feedback')
  @ApiOp({
    id: 'giveRecommendationFeedback',
    summary: 'Give feedback on a recommendation',
    description: '`not_relevant` hides the item; `wrong_reason` flags the cited fact so the customer can correct or delete it.',
    example: {"kind": "not_relevant"},
  })
  @HttpCode(200)
  @Can('update', 'Me')
  @ApiOkResponse({ type: FeedbackResponse })
  @ApiProblems(401, 403, 404, 422)
  feedback(@Caller() customer: CustomerActor, @Param('sku') sku: string, @Body() body: FeedbackDto): Promise<FeedbackResponse> {
    return this.recommendations.feedback(customer, checkSku(sku), body);
  }
}

import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { ReadsPersonalData } from '../../common/authz/personal-data';
import { Caller, Can } from '../../common/authz/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
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
  @Can('update', 'CatalogItem')
  @ApiOkResponse({ type: CatalogItemResponse })
  @ApiProblems(401, 403, 404, 422)
  upsert(@Caller() caller: BrandActor, @Param('sku') sku: string, @Body() body: UpsertCatalogItemDto): Promise<CatalogItemResponse> {
    return this.recommendations.upsertItem(caller, checkSku(sku), body);
  }

  @Post('catalog/items/bulk')
  @HttpCode(200)
  @Can('update', 'CatalogItem')
  @ApiOkResponse({ schema: { type: 'object', properties: { upserted: { type: 'integer' } } } })
  @ApiProblems(401, 403, 422)
  upsertMany(@Caller() caller: BrandActor, @Body() body: BulkCatalogDto): Promise<{ upserted: number }> {
    return this.recommendations.upsertMany(caller, body.items);
  }

  @Get('catalog/items')
  @Can('read', 'CatalogItem')
  @ApiPage(CatalogItemResponse)
  @ApiProblems(401, 403)
  async list(@Caller() caller: BrandActor): Promise<{ data: CatalogItemResponse[]; nextCursor: null }> {
    return { data: await this.recommendations.listItems(caller), nextCursor: null };
  }

  @Post('recommendations')
  @HttpCode(200)
  @Can('read', 'Recommendation')
  @ApiOkResponse({ type: RecommendationsResponse })
  @ApiProblems(401, 403, 404, 422)
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
  @HttpCode(200)
  @Can('read', 'Recommendation')
  @ApiOkResponse({ type: ExplanationResponse })
  @ApiProblems(401, 403, 404, 422)
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
  @HttpCode(200)
  @Can('update', 'Me')
  @ApiOkResponse({ type: FeedbackResponse })
  @ApiProblems(401, 403, 404, 422)
  feedback(@Caller() customer: CustomerActor, @Param('sku') sku: string, @Body() body: FeedbackDto): Promise<FeedbackResponse> {
    return this.recommendations.feedback(customer, checkSku(sku), body);
  }
}

import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
  RecommendationsRequestDto,
  RecommendationsResponse,
  SKU_PATTERN,
  UpsertCatalogItemDto,
  ValidateExplanationDto,
} from './dto/recommendation.dto';
import { RecommendationsService } from './recommendations.service';

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
  async recommend(@Caller() caller: BrandActor, @Body() body: RecommendationsRequestDto): Promise<RecommendationsResponse> {
    return { data: await this.recommendations.recommend(caller, body.subjectId, body.limit) };
  }

  @Post('explanations/validate')
  @HttpCode(200)
  @Can('read', 'Recommendation')
  @ApiOkResponse({ type: ExplanationResponse })
  @ApiProblems(401, 403, 404, 422)
  @ReadsPersonalData({ kind: 'fixed', purpose: 'personalization' })
  validate(@Caller() caller: BrandActor, @Body() body: ValidateExplanationDto): Promise<ExplanationResponse> {
    return this.recommendations.validate(caller, body);
  }

  @Get('me/recommendations')
  @Can('read', 'Me')
  @ApiOkResponse({ type: RecommendationsResponse })
  @ApiProblems(401, 403)
  async mine(@Caller() customer: CustomerActor): Promise<RecommendationsResponse> {
    return { data: await this.recommendations.recommend(customer, customer.subjectId) };
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

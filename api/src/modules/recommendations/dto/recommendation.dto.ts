import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsSupportedLocale } from '../../../common/http/locale';
import { IsOmittable, IsTextOrLocaleTextMap, KEY_PATTERN } from '../../../common/http/validators';

const LOCALE_DOC = {
  example: 'pl',
  description:
    'The language to explain in: en, nb, da, pl or hu (a region such as "pl-PL" is fine; "no" and "nn" are answered in "nb"). ' +
    'Without it: the request\'s Accept-Language, then the customer\'s stored language, then the brand\'s default. Any other language is 422.',
};

const textOrLocaleMap = {
  oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' } }],
} as ApiPropertyOptions;
const withText = (extra: object) => ({ ...(textOrLocaleMap as object), ...extra }) as ApiPropertyOptions;
const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export class CatalogTagDto {
  @ApiProperty({ example: 'motivation' }) @IsString() @Matches(KEY_PATTERN, { message: 'must be a fact key' }) factKey: string;
  @ApiProperty({ example: 'sleep_better' }) @IsString() @MinLength(1) @MaxLength(500) value: string;
  @ApiProperty({ example: 1, minimum: 0.01, maximum: 100 }) @IsNumber() @Min(0.01) @Max(100) weight: number;
}

export class UpsertCatalogItemDto {
  @ApiProperty(
    withText({
      example: { en: 'Sleep stories: the lighthouse keeper', nb: 'Søvnhistorier: fyrvokteren' },
      description: 'One text for every language (a product name), or one per language.',
    }),
  )
  @IsTextOrLocaleTextMap({ maxLength: 300 })
  title: string | Record<string, string>;
  @ApiPropertyOptional(withText({ description: 'One text for every language, or one per language.' }))
  @IsOmittable()
  @IsTextOrLocaleTextMap({ maxLength: 2000 })
  description?: string | Record<string, string>;
  @ApiPropertyOptional({ example: 'https://calmharbor.example/sleep/lighthouse' })
  @IsOmittable()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  @MaxLength(2000)
  url?: string;
  @ApiProperty({ type: [CatalogTagDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CatalogTagDto)
  tags: CatalogTagDto[];
}

export class BulkCatalogItemDto extends UpsertCatalogItemDto {
  @ApiProperty({ example: 'sleep-lighthouse' }) @IsString() @Matches(SKU_PATTERN, { message: 'must be a SKU of letters, digits, dots, dashes or underscores' }) sku: string;
}

export class BulkCatalogDto {
  @ApiProperty({ type: [BulkCatalogItemDto], maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => BulkCatalogItemDto)
  items: BulkCatalogItemDto[];
}

export class CatalogItemResponse {
  @ApiProperty() sku: string;
  @ApiProperty(textOrLocaleMap) title: string | Record<string, string>;
  @ApiProperty(withText({ nullable: true })) description: string | Record<string, string> | null;
  @ApiProperty({ type: String, nullable: true }) url: string | null;
  @ApiProperty({ type: [CatalogTagDto] }) tags: CatalogTagDto[];
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class RecommendationsRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all', { message: 'must be a subject id (UUID)' }) subjectId: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 }) @IsOmittable() @IsInt() @Min(1) @Max(50) limit?: number;
  @ApiPropertyOptional(LOCALE_DOC) @IsOmittable() @IsString() @IsSupportedLocale() locale?: string;
}

/** `GET /v1/me/recommendations?locale=pl`: the page's language, for a portal or an app. */
export class MyRecommendationsQuery {
  @ApiPropertyOptional(LOCALE_DOC) @IsOmittable() @IsString() @IsSupportedLocale() locale?: string;
}

export class ValidateExplanationDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all', { message: 'must be a subject id (UUID)' }) subjectId: string;
  @ApiProperty() @IsString() @Matches(SKU_PATTERN, { message: 'must be a SKU' }) sku: string;
  @ApiProperty({ type: [String], description: 'Fact ids your own recommender cites.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'each must be a fact id (UUID)' })
  because: string[];
  @ApiPropertyOptional(LOCALE_DOC) @IsOmittable() @IsString() @IsSupportedLocale() locale?: string;
}

export class FeedbackDto {
  @ApiProperty({ enum: ['not_relevant', 'wrong_reason'] }) @IsIn(['not_relevant', 'wrong_reason']) kind: 'not_relevant' | 'wrong_reason';
  @ApiPropertyOptional({ format: 'uuid', description: 'The cited fact that is wrong (needed for wrong_reason).' })
  @IsOmittable()
  @IsUUID('all', { message: 'must be a fact id (UUID)' })
  factId?: string;
}

export class CitedFactResponse {
  @ApiProperty({ format: 'uuid' }) factId: string;
  @ApiProperty() key: string;
  @ApiProperty() value: string;
  @ApiProperty({ example: 'Chcę lepiej spać', description: 'The value in words, in the explanation\'s language (the brand\'s label, else the value itself).' }) label: string;
  @ApiProperty({ enum: ['declared', 'observed', 'inferred'] }) provenance: string;
  @ApiProperty() source: string;
  @ApiProperty({ example: 'Twoja odpowiedź na pytanie „Co skłania Cię do medytacji?”', description: 'The source in words, in the explanation\'s language; a free-text source the brand has no words for is quoted as it is.' })
  sourceLabel: string;
  @ApiProperty({ format: 'date-time' }) collectedAt: string;
  @ApiProperty({ description: 'What this fact adds to the score.' }) points: number;
}

export class ExplanationResponse {
  @ApiProperty({ example: 'Because you told us on 2 March that your answer is “To sleep better”.' }) text: string;
  @ApiProperty({ enum: ['en', 'nb', 'da', 'pl', 'hu'], description: 'The language the text is in: the one asked for (see `locale` in the request).' }) locale: string;
  @ApiProperty({ type: [CitedFactResponse] }) because: CitedFactResponse[];
  @ApiProperty({ example: 'personalization' }) purpose: string;
  @ApiProperty({ format: 'uuid', description: 'The consent event that allows this use.' }) consentEventId: string;
  @ApiProperty({ example: 'Without this, we would not suggest it.' }) counterfactual: string;
}

export class RecommendationResponse {
  @ApiProperty() sku: string;
  @ApiProperty({ description: 'The title in the explanation\'s language (else the brand\'s default language).' }) title: string;
  @ApiProperty({ ...localeMap, description: 'The title in each of the brand\'s languages (fallback: the brand\'s default language).' })
  titleLabel: Record<string, string>;
  @ApiProperty({ type: String, nullable: true }) url: string | null;
  @ApiProperty() score: number;
  @ApiProperty({ type: ExplanationResponse }) explanation: ExplanationResponse;
}

export class RecommendationsResponse {
  @ApiProperty({ type: [RecommendationResponse] }) data: RecommendationResponse[];
}

export class FeedbackResponse {
  @ApiProperty() sku: string;
  @ApiProperty({ enum: ['not_relevant', 'wrong_reason'] }) kind: string;
  @ApiPropertyOptional({ format: 'uuid' }) factId?: string;
  @ApiProperty({ description: 'What happens now, in plain words.' }) message: string;
}

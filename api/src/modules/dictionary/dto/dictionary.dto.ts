import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PageQuery } from '../../../common/http/pagination';
import { IsLocaleTextMap, KEY_PATTERN, LOCALE_PATTERN } from '../../../common/http/validators';
import { FACT_TYPES, FactType, MAX_TEXT_VALUE } from '../fact-values';
import { MISSING_KINDS } from '../missing';

const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class FactKeyValueDto {
  @ApiProperty({ example: 'sleep_better', description: 'The value as facts store it.' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TEXT_VALUE)
  value: string;

  @ApiProperty({ ...localeMap, example: { en: 'To sleep better', nb: 'For å sove bedre', pl: 'Chcę lepiej spać' } })
  @IsLocaleTextMap({ maxLength: 200 })
  label: Record<string, string>;
}

export class PutFactKeyDto {
  @ApiProperty({ example: 'motivations', description: 'The data category facts under this key belong to (what purposes name in `dataCategories`).' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case data category such as "motivations"' })
  category: string;

  @ApiProperty({ ...localeMap, example: { en: 'Motivation', nb: 'Motivasjon', da: 'Motivation', pl: 'Motywacja', hu: 'Motiváció' } })
  @IsLocaleTextMap({ maxLength: 200 })
  label: Record<string, string>;

  @ApiPropertyOptional({
    enum: FACT_TYPES,
    description:
      'What values facts under this key take: text, a number, true/false, one of `values` (choice) or a list of them (choices). ' +
      'Without a type any fact value is accepted.',
  })
  @IsOptional()
  @IsIn(FACT_TYPES)
  type?: FactType;

  @ApiPropertyOptional({ type: [FactKeyValueDto], description: 'Values with their words per language; for choice and choices, the only values allowed.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => FactKeyValueDto)
  values?: FactKeyValueDto[];
}

export class FactKeyResponse {
  @ApiProperty({ example: 'motivation' }) key: string;
  @ApiProperty({ example: 'motivations' }) category: string;
  @ApiProperty(localeMap) label: Record<string, string>;
  @ApiProperty({ enum: FACT_TYPES, nullable: true, type: String, description: 'null: any fact value is accepted.' }) type: FactType | null;
  @ApiProperty({ type: [FactKeyValueDto] }) values: FactKeyValueDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ListFactKeysQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'pl', description: 'Only fact keys whose label, or the label of one of their values, is missing in this language.' })
  @IsOptional()
  @IsString()
  @Matches(LOCALE_PATTERN, { message: 'must be a language tag such as "pl"' })
  missing?: string;
}

export class PutLabelDto {
  @ApiProperty({ ...localeMap, example: { en: 'the welcome question', nb: 'velkomstspørsmålet', da: 'velkomstspørgsmålet', pl: 'pytanie powitalne', hu: 'az üdvözlő kérdés' } })
  @IsLocaleTextMap({ maxLength: 200 })
  label: Record<string, string>;
}

export class LabelResponse {
  @ApiProperty({ example: 'welcome_question' }) key: string;
  @ApiProperty(localeMap) label: Record<string, string>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class MissingQuery {
  @ApiPropertyOptional({ example: 'pl', description: 'One language; without it, every language of the brand (Candor\'s five and the brand\'s default).' })
  @IsOptional()
  @IsString()
  @Matches(LOCALE_PATTERN, { message: 'must be a language tag such as "pl"' })
  locale?: string;
}

export class MissingTranslationResponse {
  @ApiProperty({ example: 'pl' }) locale: string;
  @ApiProperty({ enum: MISSING_KINDS }) kind: string;
  @ApiProperty({ example: 'motivation', description: 'The fact key, source, topic, question, SKU or purpose.' }) key: string;
  @ApiPropertyOptional({ example: 'sleep_better', description: 'The value (fact values, question options) or the notice version.' }) value?: string;
  @ApiProperty({ example: 'label', description: 'Which text is missing: label, title, description, name or text.' }) field: string;
  @ApiPropertyOptional({ description: 'A fact key that facts use but the dictionary does not declare.' }) undeclared?: boolean;
}

export class MissingReportResponse {
  @ApiProperty({ type: [String], example: ['pl'] }) locales: string[];
  @ApiProperty({ type: [MissingTranslationResponse] }) data: MissingTranslationResponse[];
}

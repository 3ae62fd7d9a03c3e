import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsDate, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsOmittable, KEY_PATTERN, ToDate } from '../../../common/http/validators';
import { FACT_VALUE_SHAPE, FactValue, isFactValue, MAX_LIST_VALUES, MAX_TEXT_VALUE } from '../../dictionary/fact-values';
import { registerDecorator } from 'class-validator';

/** A fact value: text, a number, true/false, or a list of texts (dictionary/fact-values.ts). */
function IsFactValue() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isFactValue',
      target: object.constructor,
      propertyName,
      options: { message: FACT_VALUE_SHAPE },
      validator: { validate: isFactValue },
    });
}

/** The OpenAPI shape of a fact value. */
export const FACT_VALUE_SCHEMA: ApiPropertyOptions = {
  oneOf: [
    { type: 'string', minLength: 1, maxLength: MAX_TEXT_VALUE },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', items: { type: 'string', minLength: 1, maxLength: MAX_TEXT_VALUE }, minItems: 1, maxItems: MAX_LIST_VALUES, uniqueItems: true },
  ],
} as ApiPropertyOptions;
import { Provenance, PROVENANCES } from '../fact.entity';

export class CustomerFactDto {
  @ApiProperty({ example: 'motivation', description: 'What the fact is about.' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case key such as "motivation"' })
  key: string;

  @ApiProperty({
    ...(FACT_VALUE_SCHEMA as object),
    example: 'sleep_better',
    description: 'Text, a number, true/false, or a list of texts; checked against the key\'s type when the brand\'s dictionary declares one (GET /v1/fact-keys/{key}).',
  } as ApiPropertyOptions)
  @IsFactValue()
  value: FactValue;

  @ApiProperty({ example: 'motivations', description: 'The data category purposes name in `dataCategories`.' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case data category such as "motivations"' })
  category: string;
}

export class BrandFactDto extends CustomerFactDto {
  @ApiProperty({ enum: PROVENANCES, description: 'declared: the customer told you; observed: from what they did; inferred: your guess.' })
  @IsIn(PROVENANCES)
  provenance: Provenance;

  @ApiProperty({
    example: 'order:10442',
    description:
      'Where it came from: a source registered with PUT /v1/sources/{key} (shown in the customer\'s language), such a key with a ' +
      'detail (`order:10442`), or free text shown as it is.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  source: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When it was collected; defaults to now.' })
  @IsOmittable()
  @ToDate()
  @IsDate({ message: 'must be an RFC 3339 date-time' })
  collectedAt?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'After this the fact is never served and is purged.' })
  @IsOmittable()
  @ToDate()
  @IsDate({ message: 'must be an RFC 3339 date-time' })
  expiresAt?: Date;
}

export class CorrectFactDto {
  @ApiProperty({ ...(FACT_VALUE_SCHEMA as object), example: 'ease_anxiety', description: 'Text typed into a form is read as the key\'s declared type ("6" for a number key is 6).' } as ApiPropertyOptions)
  @IsFactValue()
  value: FactValue;
}

export class FactResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() key: string;
  @ApiProperty(FACT_VALUE_SCHEMA) value: FactValue;
  @ApiProperty() category: string;
  @ApiProperty({ enum: PROVENANCES }) provenance: Provenance;
  @ApiProperty() source: string;
  @ApiProperty({ format: 'date-time' }) collectedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ description: 'The customer said this is wrong; it is not used until corrected.' }) disputed: boolean;
}

const labelMap = (description: string) => ({ type: 'object', additionalProperties: { type: 'string' }, description }) as const;

/**
 * A fact with its words in each of the brand's languages (Candor's five and the brand's default),
 * from the brand's data dictionary: where the brand has no word in a language, its default
 * language's, else the code in plain words.
 */
export class LabelledFactResponse extends FactResponse {
  @ApiProperty(labelMap('What the fact is about, per language ("Motivation", "Motivasjon").')) keyLabel: Record<string, string>;
  @ApiProperty(
    labelMap('The value in words, per language, from the brand\'s dictionary and question options; numbers written the language\'s way, lists as "A, B and C".'),
  )
  valueLabel: Record<string, string>;
  @ApiProperty(
    labelMap('Where it came from, per language: a registered source\'s words, Candor\'s own ("your answer to “…”"), or the brand\'s free text as it is.'),
  )
  sourceLabel: Record<string, string>;
}

export class MyFactResponse extends LabelledFactResponse {
  @ApiProperty({ type: [String], description: 'Purposes that may use this fact now.' }) usedFor: string[];
}

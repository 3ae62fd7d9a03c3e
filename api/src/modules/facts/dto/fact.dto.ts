import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDate, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { KEY_PATTERN, ToDate, IsOmittable } from '../../../common/http/validators';
import { Provenance, PROVENANCES } from '../fact.entity';

export class CustomerFactDto {
  @ApiProperty({ example: 'motivation', description: 'What the fact is about.' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case key such as "motivation"' })
  key: string;

  @ApiProperty({ example: 'sleep_better' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  value: string;

  @ApiProperty({ example: 'motivations', description: 'The data category purposes name in `dataCategories`.' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case data category such as "motivations"' })
  category: string;
}

export class BrandFactDto extends CustomerFactDto {
  @ApiProperty({ enum: PROVENANCES, description: 'declared: the customer told you; observed: from what they did; inferred: your guess.' })
  @IsIn(PROVENANCES)
  provenance: Provenance;

  @ApiProperty({ example: 'order #10442', description: 'Where it came from, in words the customer will see.' })
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
  @ApiProperty({
    example: 'To ease anxiety',
    description:
      'The corrected value. An answer option of one of the brand’s questions about this fact — its value (`ease_anxiety`) or its label in any language (“To ease anxiety”, “Å dempe angst”), ignoring case and spacing — is stored as the option’s value; any other text is stored as written.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  value: string;
}

export class FactResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() key: string;
  @ApiProperty() value: string;
  @ApiProperty() category: string;
  @ApiProperty({ enum: PROVENANCES }) provenance: Provenance;
  @ApiProperty() source: string;
  @ApiProperty({ format: 'date-time' }) collectedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ description: 'The customer said this is wrong; it is not used until corrected.' }) disputed: boolean;
}

export class MyFactResponse extends FactResponse {
  @ApiProperty({ type: [String], description: 'Purposes that may use this fact now.' }) usedFor: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    description: 'The value in words, per locale, from the brand\'s question options (null when the brand has none).',
  })
  valueLabel: Record<string, string> | null;
}

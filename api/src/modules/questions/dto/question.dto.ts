import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  Equals,
  IsArray,
  IsBoolean,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsLocaleTextMap, KEY_PATTERN, IsOmittable } from '../../../common/http/validators';

const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

const ASK_BEFORE_USE_DOC =
  'true: an observed or inferred fact under `factKey` is never used — not for recommendations, audiences or profile reads — ' +
  'before the customer answered this question, and after it only the declared answer counts. For guesses a customer should be asked about first ' +
  '("was it for you, or a gift?").';

export class QuestionOptionDto {
  @ApiProperty({ example: 'sleep_better' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  value: string;

  @ApiProperty({ ...localeMap, example: { en: 'To sleep better', nb: 'For å sove bedre' } })
  @IsLocaleTextMap({ maxLength: 200 })
  label: Record<string, string>;
}

export class CreateQuestionDto {
  @ApiProperty({ example: 'why_meditate' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case key such as "why_meditate"' })
  key: string;

  @ApiProperty({ ...localeMap, example: { en: 'What brings you to meditation?' } })
  @IsLocaleTextMap({ maxLength: 500 })
  text: Record<string, string>;

  @ApiProperty({ example: 'motivation', description: 'The fact the answer fills.' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case key such as "motivation"' })
  factKey: string;

  @ApiProperty({ example: 'motivations', description: 'Data category of the resulting fact.' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case data category such as "motivations"' })
  category: string;

  @ApiProperty({ type: [QuestionOptionDto] })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => QuestionOptionDto)
  options: QuestionOptionDto[];

  @ApiPropertyOptional({ description: 'Several options may be chosen.' })
  @IsOmittable()
  @IsBoolean()
  multiple?: boolean;

  @ApiPropertyOptional({ description: ASK_BEFORE_USE_DOC, default: false })
  @IsOmittable()
  @IsBoolean()
  askBeforeUse?: boolean;
}

/** What a brand may change of a question it asks: its wording, and whether it asks before it uses guesses. */
export class UpdateQuestionDto {
  @ApiPropertyOptional({ ...localeMap, example: { en: 'Was your last purchase for you, or a gift?' } })
  @IsOmittable()
  @IsLocaleTextMap({ maxLength: 500 })
  text?: Record<string, string>;

  @ApiPropertyOptional({ description: ASK_BEFORE_USE_DOC })
  @IsOmittable()
  @IsBoolean()
  askBeforeUse?: boolean;
}

export class AnswerQuestionDto {
  @ApiPropertyOptional({ type: [String], example: ['sleep_better'] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  values?: string[];

  @ApiPropertyOptional({ description: 'true: never ask this again.' })
  @IsOmittable()
  @Equals(true, { message: 'may only be true' })
  dismissed?: true;
}

export class QuestionResponse {
  @ApiProperty() key: string;
  @ApiProperty(localeMap) text: Record<string, string>;
  @ApiProperty() factKey: string;
  @ApiProperty() category: string;
  @ApiProperty({ type: [QuestionOptionDto] }) options: QuestionOptionDto[];
  @ApiProperty() multiple: boolean;
  @ApiProperty({ description: 'Order in which questions are asked.' }) position: number;
  @ApiProperty({ description: ASK_BEFORE_USE_DOC }) askBeforeUse: boolean;
}

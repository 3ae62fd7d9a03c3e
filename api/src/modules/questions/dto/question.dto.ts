import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  Equals,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsLocaleTextMap, KEY_PATTERN, IsOmittable } from '../../../common/http/validators';
import { MAX_TEXT_VALUE } from '../../dictionary/fact-values';
import { FACT_VALUE_SCHEMA } from '../../facts/dto/fact.dto';
import type { FactValue } from '../../dictionary/fact-values';
import { MAX_FOLLOW_UP_DAYS } from '../follow-ups';

const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

const ASK_BEFORE_USE_DOC =
  'true: an observed or inferred fact under `factKey` is never used — not for recommendations, audiences or profile reads — ' +
  'before the customer answered this question, and after it only the declared answer counts. For guesses a customer should be asked about first ' +
  '("was it for you, or a gift?").';

const AFTER_DOC =
  'Makes the question a timed follow-up: it is due for a subject only once a fact under `factKey` (with `value`, when given) ' +
  'has been known for at least `days` days, counted from the fact\'s `collectedAt` — never before. Without it (or null) the question is due at once. ' +
  'Due follow-ups are asked before ordinary questions, the one waiting longest first.';

/** "7 days after `owns = espresso_machine` was recorded". */
export class FollowUpTriggerDto {
  @ApiProperty({ example: 'owns', description: 'The fact key whose fact starts the wait.' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case fact key such as "owns"' })
  factKey: string;

  @ApiPropertyOptional({
    example: 'espresso_machine',
    minLength: 1,
    maxLength: MAX_TEXT_VALUE,
    description: 'Only a fact with this value starts it (a number or true/false as its text, `"5"`; a list when it holds the value). Omitted: any value.',
  })
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TEXT_VALUE)
  value?: string;

  @ApiProperty({ example: 7, minimum: 0, maximum: MAX_FOLLOW_UP_DAYS, description: 'Whole days from the fact\'s `collectedAt` until the question is due (0: as soon as the fact is there).' })
  @IsInt({ message: 'must be a whole number of days' })
  @Min(0)
  @Max(MAX_FOLLOW_UP_DAYS)
  days: number;
}

/** What a question's trigger reads back as (`value` null: any value). */
export class FollowUpTriggerResponse {
  @ApiProperty({ example: 'owns' }) factKey: string;
  @ApiProperty({ type: String, nullable: true, example: 'espresso_machine' }) value: string | null;
  @ApiProperty({ example: 7 }) days: number;
}

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

  @ApiPropertyOptional({ type: FollowUpTriggerDto, nullable: true, description: AFTER_DOC })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsObject({ message: 'must be an object such as { "factKey": "owns", "days": 7 }' })
  @ValidateNested()
  @Type(() => FollowUpTriggerDto)
  after?: FollowUpTriggerDto | null;
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

  @ApiPropertyOptional({ type: FollowUpTriggerDto, nullable: true, description: `${AFTER_DOC} Null turns a follow-up back into an ordinary question.` })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsObject({ message: 'must be an object such as { "factKey": "owns", "days": 7 }, or null' })
  @ValidateNested()
  @Type(() => FollowUpTriggerDto)
  after?: FollowUpTriggerDto | null;
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
  @ApiProperty({ type: FollowUpTriggerResponse, nullable: true, description: AFTER_DOC }) after: FollowUpTriggerResponse | null;
}

/** The fact a follow-up waited for. */
export class FollowUpReasonResponse {
  @ApiProperty({ example: 'owns' }) factKey: string;
  @ApiProperty({ ...(FACT_VALUE_SCHEMA as object), example: 'espresso_machine' }) value: FactValue;
  @ApiProperty({ format: 'date-time' }) collectedAt: string;
}

/** A follow-up due for one subject, and why. */
export class DueQuestionResponse {
  @ApiProperty({ example: 'machine_checkin' }) key: string;
  @ApiProperty({ ...localeMap, example: { en: 'How is your espresso machine doing?' } }) text: Record<string, string>;
  @ApiProperty({ format: 'date-time', description: 'When it became due: the fact\'s `collectedAt` plus the trigger\'s `days`.' }) dueSince: string;
  @ApiProperty({ type: FollowUpReasonResponse, description: 'The fact that made it due (the earliest collected, when several match).' }) because: FollowUpReasonResponse;
}

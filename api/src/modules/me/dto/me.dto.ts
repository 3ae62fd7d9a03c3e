import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { FactResponse, MyFactResponse } from '../../facts/dto/fact.dto';
import { PreferencesResponse } from '../../preferences/dto/preferences.dto';
import { SubjectMergeRecordResponse } from '../../subjects/dto/identifier.dto';
import { SubjectResponse } from '../../subjects/dto/subject.dto';

const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class SetConsentDto {
  @ApiProperty({ description: 'true grants, false withdraws.' }) @IsBoolean() granted: boolean;
}

export class MyConsentResponse {
  @ApiProperty() purpose: string;
  @ApiProperty(localeMap) name: Record<string, string>;
  @ApiProperty({ enum: ['consent', 'legitimate_interest', 'contract', 'legal_obligation'] }) legalBasis: string;
  @ApiProperty({ type: [String] }) dataCategories: string[];
  @ApiProperty() saleOrShare: boolean;
  @ApiProperty({ type: Boolean, nullable: true, description: 'null: never decided.' }) granted: boolean | null;
  @ApiProperty({ description: 'The brand may rely on it now.' }) valid: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'The notice version agreed to (or the latest, if never decided).' }) noticeVersion: number | null;
  @ApiProperty({ ...localeMap, nullable: true }) noticeText: Record<string, string> | null;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt: string | null;
}

export class ConsentConflictResponse {
  @ApiProperty() purpose: string;
  @ApiProperty({ enum: ['gpc'] }) signal: string;
  @ApiProperty({ format: 'date-time' }) detectedAt: string;
  @ApiProperty({ description: 'What happened, in plain words.' }) explanation: string;
}

/** The customer's preferences, with each topic in words in each of the brand's languages. */
export class MyPreferencesResponse extends PreferencesResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: localeMap,
    description: 'Topic → its words per language, from the brand\'s dictionary (fallback: the default language, then the topic in plain words).',
    example: { sleep: { en: 'Sleep', nb: 'Søvn', da: 'Søvn', pl: 'Sen', hu: 'Alvás' } },
  })
  topicLabels: Record<string, Record<string, string>>;
}

export class MeResponse {
  @ApiProperty({ type: SubjectResponse }) subject: SubjectResponse;
  @ApiProperty({ type: [MyFactResponse] }) facts: MyFactResponse[];
  @ApiProperty({ type: [MyConsentResponse] }) consents: MyConsentResponse[];
  @ApiProperty({ type: MyPreferencesResponse }) preferences: MyPreferencesResponse;
  @ApiProperty({ type: [ConsentConflictResponse], description: 'Open conflicts between a browser privacy signal and an earlier grant.' })
  conflicts: ConsentConflictResponse[];
  @ApiProperty({
    type: [SubjectMergeRecordResponse],
    description: 'Other records of the customer the brand found and joined into this one, oldest first; where they disagreed, the more private choice was kept.',
  })
  merges: SubjectMergeRecordResponse[];
}

export class AnswerResultResponse {
  @ApiProperty() question: string;
  @ApiProperty({ enum: ['answered', 'dismissed'] }) status: string;
  @ApiProperty({ type: [FactResponse] }) facts: FactResponse[];
}

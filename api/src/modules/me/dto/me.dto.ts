import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { FactResponse, MyFactResponse } from '../../facts/dto/fact.dto';
import { FactUseResponse } from '../../fact-use/dto/fact-use.dto';
import { PreferencesResponse } from '../../preferences/dto/preferences.dto';
import { PrivacyRequestResponse } from '../../privacy-requests/dto/privacy-request.dto';
import { CHANNELS } from '../../purposes/purpose-catalogue';
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
  @ApiProperty({ enum: CHANNELS, isArray: true, description: 'The channels the purpose contacts people on (none: it contacts no one).' }) channels: string[];
  @ApiProperty({ description: 'Marketing: "not now" windows and frequency caps hold it back.' }) marketing: boolean;
  @ApiProperty({ type: Boolean, nullable: true, description: 'null: never decided. For a legitimate-interest purpose, false is an objection.' }) granted: boolean | null;
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
  @ApiProperty({
    type: [FactUseResponse],
    description: 'Per purpose of the brand: whether it may use only what the customer declared, or also what the brand observed or inferred (`PUT /v1/me/fact-use/{purpose}`).',
  })
  factUse: FactUseResponse[];
  @ApiProperty({ type: MyPreferencesResponse }) preferences: MyPreferencesResponse;
  @ApiProperty({ type: [ConsentConflictResponse], description: 'Open conflicts between a browser privacy signal and an earlier grant.' })
  conflicts: ConsentConflictResponse[];
  @ApiProperty({ type: [PrivacyRequestResponse], description: 'The customer\'s privacy requests, newest first, open and closed.' })
  requests: PrivacyRequestResponse[];
  @ApiProperty({
    type: [SubjectMergeRecordResponse],
    description: 'Other records of the customer the brand found and joined into this one, oldest first; where they disagreed, the more private choice was kept.',
  })
  merges: SubjectMergeRecordResponse[];
}

/** What Candor would tell the brand now about contacting the person for one purpose on one channel. */
export class MyDecisionResponse {
  @ApiProperty({ example: 'email_marketing' }) purpose: string;
  @ApiProperty({ enum: CHANNELS }) channel: string;
  @ApiProperty() allowed: boolean;
  @ApiProperty({ type: [String], example: ['quiet-hours'], description: 'The reasons the brand gets, exactly (see GET /v1/decisions/contact).' }) reasons: string[];
  @ApiPropertyOptional({ format: 'date-time', description: 'When a no lifts by itself (quiet hours end, a suppression or the frequency cap runs out); absent for a yes or a no that waits for someone to act.' })
  until?: string;
}

export class MyDecisionsResponse {
  @ApiProperty({ type: [MyDecisionResponse], description: 'Each purpose that contacts people (by key), on each of its channels.' }) data: MyDecisionResponse[];
}

/** One change of the customer's preferences: who made it, how, when and which settings. */
export class PreferenceChangeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ description: 'The preferences version it made.' }) version: number;
  @ApiProperty({ description: 'The customer changed them (in the portal or the brand\'s app on their behalf, signed in as them).' }) byYou: boolean;
  @ApiProperty({ example: 'Call centre', description: 'Who: the name of the brand system (its key) or staff member; "you" for the customer.' }) changedBy: string;
  @ApiProperty({ ...localeMap, description: 'Who, in words per language (a key\'s label, a staff member with "(staff)").' }) changedByLabel: Record<string, string>;
  @ApiProperty({ example: 'call_centre', description: 'How it came: portal, api, import, or the brand\'s own label.' }) source: string;
  @ApiProperty({ ...localeMap, description: 'How, in words per language, from the brand\'s dictionary of sources (else the code).' }) sourceLabel: Record<string, string>;
  @ApiProperty({ type: [String], example: ['purposes.order_updates', 'channels.sms'], description: 'Which settings changed: channels.<channel>, purposes.<purpose>, quietHours, topics.' })
  fields: string[];
}

export class AnswerResultResponse {
  @ApiProperty() question: string;
  @ApiProperty({ enum: ['answered', 'dismissed'] }) status: string;
  @ApiProperty({ type: [FactResponse] }) facts: FactResponse[];
}

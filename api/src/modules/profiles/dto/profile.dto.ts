import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { KEY_PATTERN } from '../../../common/http/validators';
import { LabelledFactResponse } from '../../facts/dto/fact.dto';
import { FactUseResponse } from '../../fact-use/dto/fact-use.dto';

const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
import { PreferencesResponse } from '../../preferences/dto/preferences.dto';

export class ProfileQuery {
  @ApiProperty({ example: 'personalization', description: 'The purpose you read for; it decides what you see.' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a purpose key such as "personalization"' })
  purpose: string;
}

export class ProfileResponse {
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty() purpose: string;
  @ApiProperty({
    type: FactUseResponse,
    description: 'What the customer lets this purpose use: with `declared-only` ("use only what I told you") the facts below are only declared ones.',
  })
  factUse: FactUseResponse;
  @ApiProperty({
    type: [LabelledFactResponse],
    description: 'Only facts whose data category the purpose covers and that the customer lets it use (see `factUse`; never an observation or guess under a key an `askBeforeUse` question asks about), with their words per language.',
  })
  facts: LabelledFactResponse[];
  @ApiPropertyOptional({ type: PreferencesResponse, nullable: true, description: 'When the purpose communicates on channels or covers the `preferences` data category; null otherwise.' })
  preferences: PreferencesResponse | null;
}

export class AccessRecordResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ description: 'Who read: the brand system\'s name, e.g. "newsletter service".' }) reader: string;
  @ApiProperty({ ...localeMap, description: 'Who read, per language: the name the brand gave the key per language (else its name); staff as "Name (staff)".' })
  readerLabel: Record<string, string>;
  @ApiProperty({ enum: ['profile', 'export', 'audience', 'recommendations', 'subject', 'consents', 'explanation', 'console', 'questions', 'preferences', 'suppressions'] }) kind: string;
  @ApiProperty({ type: String, nullable: true }) purpose: string | null;
  @ApiProperty({ type: [String] }) fields: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: localeMap,
    description: 'Each `facts.<key>` field → the fact key in words per language, from the brand\'s dictionary.',
    example: { 'facts.motivation': { en: 'Motivation', nb: 'Motivasjon' } },
  })
  fieldLabels: Record<string, Record<string, string>>;
}

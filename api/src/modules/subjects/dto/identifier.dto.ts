import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../../common/http/pagination';
import { IsOmittable, KEY_PATTERN } from '../../../common/http/validators';
import { IDENTIFIER_TYPES, IdentifierType, MAX_EXTERNAL_LENGTH, SYSTEM_PATTERN } from '../identifiers';

/** What the server enforces on an identifier's value, by type (the schema's maxLength is the email's: the longest any type allows). */
const IDENTIFIER_VALUE_LIMITS =
  `An email address (at most 254 characters), a phone number in international form (+4791234567), or an external id of at most ${MAX_EXTERNAL_LENGTH} characters: a longer external id is refused (422).`;

const systemDescription = 'Whose id it is, for `external` only: a short code such as `loyalty` or `call-centre`. Without a system, an external id is in the brand\'s own `externalId` namespace.';

export class AddIdentifierDto {
  @ApiProperty({ enum: IDENTIFIER_TYPES, example: 'external' })
  @IsIn(IDENTIFIER_TYPES, { message: `must be one of: ${IDENTIFIER_TYPES.join(', ')}` })
  type: IdentifierType;

  @ApiPropertyOptional({ example: 'loyalty', description: systemDescription })
  @IsOmittable()
  @IsString()
  @Matches(SYSTEM_PATTERN, { message: 'must be a short code such as "loyalty" (lower-case letters, digits, "_", "." or "-")' })
  system?: string;

  @ApiProperty({ example: 'L-88213', maxLength: 254, description: IDENTIFIER_VALUE_LIMITS })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  value: string;
}

export class IdentifierResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: IDENTIFIER_TYPES }) type: IdentifierType;
  @ApiProperty({ type: String, nullable: true, description: systemDescription }) system: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The identifier (emails and phones in their normal form). An email or phone is shown only to a caller that may see that contact detail, with the same purpose rules as GET /v1/subjects/{id}; null otherwise.',
  })
  value: string | null;
  @ApiProperty({ enum: ['api', 'merge', 'import'], description: 'How it was added: through this API, by a merge (the merged record\'s email, phone or external id), or by a bulk import.' })
  origin: 'api' | 'merge' | 'import';
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The record it came from, when a merge brought it.' }) mergedFrom: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class IdentifierQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'The purpose this read serves (see GET /v1/subjects): emails and phones are shown as there.', example: 'email_marketing' })
  @IsOmittable()
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a purpose key such as "email_marketing"' })
  purpose?: string;
}

export class LookupQuery {
  @ApiProperty({ enum: IDENTIFIER_TYPES, example: 'email' })
  @IsIn(IDENTIFIER_TYPES, { message: `must be one of: ${IDENTIFIER_TYPES.join(', ')}` })
  type: IdentifierType;

  @ApiPropertyOptional({ example: 'loyalty', description: systemDescription })
  @IsOmittable()
  @IsString()
  @Matches(SYSTEM_PATTERN, { message: 'must be a short code such as "loyalty" (lower-case letters, digits, "_", "." or "-")' })
  system?: string;

  @ApiProperty({ example: 'ingrid@example.com', maxLength: 254, description: `Matched by keyed hash in normal form (emails case-insensitively, phones by their digits). ${IDENTIFIER_VALUE_LIMITS}` })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  value: string;

  @ApiPropertyOptional({ description: 'The purpose this read serves (see GET /v1/subjects).', example: 'email_marketing' })
  @IsOmittable()
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a purpose key such as "email_marketing"' })
  purpose?: string;
}

export class MergeSubjectsDto {
  @ApiProperty({ format: 'uuid', description: 'The record to fold into this one; afterwards it answers 410 `subject-merged` naming this one.' })
  @IsUUID('all', { message: 'must be a subject id (UUID)' })
  fromSubjectId: string;
}

export class MergedConsentResponse {
  @ApiProperty() purpose: string;
  @ApiProperty({ description: 'The merged person\'s decision: the more protective of the two.' }) granted: boolean;
  @ApiProperty({ enum: ['survivor', 'merged'], description: 'Whose decision stands.' }) kept: 'survivor' | 'merged';
  @ApiProperty({ description: 'The records said different things (one agreed, the other withdrew or objected).' }) disagreed: boolean;
  @ApiProperty({ format: 'uuid', description: 'The merge event on the survivor (source `merge`).' }) eventId: string;
  @ApiProperty({ description: 'The hash of the merged record\'s last event for this purpose, which the merge event cites.' }) cites: string;
}

export class MergeFactsResponse {
  @ApiProperty({ description: 'Facts moved to the survivor, with their provenance.' }) moved: number;
  @ApiProperty({ description: 'Facts dropped because the survivor held the same key and value (the earliest is kept).' }) collapsed: number;
}

export class MergeResponse {
  @ApiProperty({ format: 'uuid', description: 'The survivor.' }) subjectId: string;
  @ApiProperty({ format: 'uuid', description: 'The record merged away.' }) mergedSubjectId: string;
  @ApiProperty({ format: 'date-time' }) mergedAt: string;
  @ApiProperty({ description: 'Identifiers the survivor gained: the merged record\'s own and its email, phone and externalId.' }) identifiersAdded: number;
  @ApiProperty({ type: MergeFactsResponse }) facts: MergeFactsResponse;
  @ApiProperty({ type: [MergedConsentResponse], description: 'Per purpose the merged record had decided.' }) consents: MergedConsentResponse[];
}

/** A merge as the person sees it (GET /v1/me). */
export class SubjectMergeRecordResponse {
  @ApiProperty({ format: 'uuid', description: 'The other record of the person, joined into this one.' }) mergedSubjectId: string;
  @ApiProperty({ format: 'date-time' }) mergedAt: string;
  @ApiProperty({ type: [String], description: 'Purposes on which the two records disagreed — their consent (or objection), the channels chosen for them, or what they may use of the person\'s facts: the more private choice was kept.' }) disagreedPurposes: string[];
  @ApiProperty({ type: [String], description: 'Channels whose settings differed: the stricter one was kept.' }) disagreedChannels: string[];
  @ApiProperty({
    type: [String],
    example: ['consent.email_marketing', 'channels.sms', 'purposes.order_updates', 'quietHours', 'factUse.personalization'],
    description:
      'Every setting on which the two records disagreed, by name: `consent.<purpose>` (a grant against a withdrawal or an objection), `channels.<channel>` (opt-in or frequency), `purposes.<purpose>` (the channels chosen for a purpose), `quietHours`, `factUse.<purpose>` (what the purpose may use). The more private choice was kept for each.',
  })
  disagreedSettings: string[];
}

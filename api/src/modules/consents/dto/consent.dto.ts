import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDate, IsInt, IsObject, IsString, Matches, Max, Min } from 'class-validator';
import { KEY_PATTERN, ToDate, IsOmittable } from '../../../common/http/validators';

/** Where a decision was captured: a short lower-case label (the bulk import's direct check uses it too). */
export const SOURCE_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;

export class CaptureConsentDto {
  @ApiProperty({ example: 'email_marketing' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a purpose key such as "email_marketing"' })
  purpose: string;

  @ApiProperty({ description: 'true grants, false withdraws.' })
  @IsBoolean()
  granted: boolean;

  @ApiPropertyOptional({ minimum: 1, description: 'The notice version the customer saw; defaults to the latest.' })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  noticeVersion?: number;

  @ApiPropertyOptional({ example: 'signup-form', description: 'Where the decision was captured. Defaults to "api".' })
  @IsOmittable()
  @IsString()
  @Matches(SOURCE_PATTERN, { message: 'must be a short lower-case label such as "signup-form"' })
  source?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the customer decided; defaults to now. Not in the future.' })
  @IsOmittable()
  @ToDate()
  @IsDate({ message: 'must be an RFC 3339 date-time' })
  capturedAt?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'When a grant lapses; after it the consent no longer counts.' })
  @IsOmittable()
  @ToDate()
  @IsDate({ message: 'must be an RFC 3339 date-time' })
  expiresAt?: Date;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Proof of the decision (form id, checkbox label…). Stored encrypted under the subject\'s key.',
  })
  @IsOmittable()
  @IsObject()
  evidence?: Record<string, unknown>;
}

export class ConsentEventResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() purpose: string;
  @ApiProperty() granted: boolean;
  @ApiProperty({ type: Number, nullable: true }) noticeVersion: number | null;
  @ApiProperty() source: string;
  @ApiProperty({ description: 'Who recorded it, e.g. "api-key:<id>" or "subject:<id>".' }) actor: string;
  @ApiProperty({ format: 'date-time' }) capturedAt: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ description: 'Position in the brand\'s ledger.' }) seq: number;
  @ApiProperty({ description: 'SHA-256 over the canonical JSON of this event, including prevHash.' }) hash: string;
  @ApiProperty({ type: String, nullable: true }) prevHash: string | null;
  @ApiPropertyOptional({ description: 'Only on a merge (source `merge`): the hash of the merged record\'s last event for this purpose, which this event\'s hash covers.' })
  cites?: string;
}

export class ConsentStateResponse {
  @ApiProperty() purpose: string;
  @ApiProperty() granted: boolean;
  @ApiProperty({ type: Number, nullable: true }) noticeVersion: number | null;
  @ApiProperty() source: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ description: 'Granted and not expired: the consent may be relied on now.' }) valid: boolean;
  @ApiProperty({ format: 'uuid' }) eventId: string;
}

export class SubjectConsentsResponse {
  @ApiProperty({ type: [ConsentStateResponse] }) data: ConsentStateResponse[];
  @ApiProperty({ type: [ConsentEventResponse], description: 'Every event for this subject, oldest first.' })
  history: ConsentEventResponse[];
}

export class LedgerVerificationResponse {
  @ApiProperty() ok: boolean;
  @ApiProperty({ description: 'Events checked.' }) events: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'The first event that does not verify.' }) firstBadEventId?: string;
  @ApiPropertyOptional({ enum: ['hash-mismatch', 'broken-link', 'sequence-gap', 'chain-truncated'] }) fault?: string;
}

export const IDEMPOTENCY_KEY_MAX = 200;

export class ConsentReceiptResponse {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Exactly the fields the hash covers.' })
  content: Record<string, unknown>;
  @ApiProperty() hash: string;
  @ApiProperty() algorithm: string;
  @ApiProperty({ description: 'The server recomputed the hash and it matches.' }) verified: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, nullable: true, description: 'The notice text agreed to, per locale.' })
  noticeText: Record<string, string> | null;
}

export class MyConsentHistoryResponse {
  @ApiProperty({ type: [ConsentEventResponse], description: 'Oldest first.' }) data: ConsentEventResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: null;
}

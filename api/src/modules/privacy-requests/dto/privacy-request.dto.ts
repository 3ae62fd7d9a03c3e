import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Equals, IsBoolean, IsDate, IsIn, IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQuery } from '../../../common/http/pagination';
import { IsOmittable, LOCALE_PATTERN, ToDate } from '../../../common/http/validators';
import { FILED_CHANNELS, REQUEST_CHANNELS, REQUEST_TYPES, RequestChannel, RequestType } from '../privacy-request.entity';

export class CreatePrivacyRequestDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all', { message: 'must be a subject id (UUID)' }) subjectId: string;
  @ApiProperty({ enum: REQUEST_TYPES }) @IsIn(REQUEST_TYPES) type: RequestType;
  @ApiPropertyOptional({ enum: ['gdpr', 'ccpa'], default: 'gdpr' }) @IsOmittable() @IsIn(['gdpr', 'ccpa']) jurisdiction?: 'gdpr' | 'ccpa';

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When the brand received the request (e.g. the date a letter arrived); the legal deadline runs from it. ' +
      'At most 5 minutes in the future (clock skew) and at most 366 days ago. Defaults to now.',
  })
  @IsOmittable()
  @ToDate()
  @IsDate({ message: 'must be an RFC 3339 date-time' })
  receivedAt?: Date;

  @ApiPropertyOptional({ enum: FILED_CHANNELS, description: 'How the request arrived. Defaults to `api` for a brand key and `staff` for the console.' })
  @IsOmittable()
  @IsIn(FILED_CHANNELS)
  channel?: Exclude<RequestChannel, 'portal'>;
}

export class PrivacyRequestQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['received', 'in_progress', 'completed', 'rejected'] })
  @IsOmittable()
  @IsIn(['received', 'in_progress', 'completed', 'rejected'])
  status?: 'received' | 'in_progress' | 'completed' | 'rejected';

  @ApiPropertyOptional({ description: 'true: only open requests past a deadline.' })
  @IsOmittable()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;
}

export class ExecuteRequestDto {
  @ApiPropertyOptional({ description: 'What was done (required for rectification and restriction).' })
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ExtendRequestDto {
  @ApiProperty({ description: 'Why more time is needed (recorded, and owed to the customer).' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;

  @ApiPropertyOptional({ description: 'Days to add: up to 60 (GDPR) or 45 (CCPA). Defaults to the maximum.' })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(60)
  days?: number;
}

export class ConfirmErasureDto {
  @ApiProperty({ description: 'Must be true: the customer confirmed they want everything erased.' })
  @Equals(true, { message: 'must be true to confirm' })
  confirm: true;

  @ApiPropertyOptional({
    example: 'hu',
    description:
      'The language of the page the customer confirmed on. The erasure receipt email (and the receipt page it links to) is written in it when Candor writes that language (en, nb, da, pl, hu); otherwise in the customer\'s stored language, then the brand\'s default.',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(35)
  @Matches(LOCALE_PATTERN, { message: 'must be a language tag such as "en" or "nb"' })
  locale?: string;
}

/** A request the customer files from the portal for the brand's staff to carry out. */
export class AskMyRequestDto {
  @ApiProperty({ enum: ['restriction'], description: 'restriction: limit how the brand processes your data (GDPR Art. 18) while something is settled.' })
  @IsIn(['restriction'])
  type: 'restriction';

  @ApiPropertyOptional({ example: 'Please stop using my purchase history until you have corrected my address.', description: 'In the customer\'s own words; kept sealed with the request.', maxLength: 2000 })
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  details?: string;
}

export class PrivacyRequestEventResponse {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() actor: string;
  @ApiProperty() action: string;
  @ApiProperty() status: string;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
}

export class RequestCustomerResponse {
  @ApiProperty({ type: String, nullable: true, description: 'Email address (or external id), masked unless the staff role may read customers; null once erased.' }) label: string | null;
  @ApiProperty({ type: String, enum: ['email', 'externalId'], nullable: true }) field: 'email' | 'externalId' | null;
  @ApiProperty() masked: boolean;
  @ApiProperty() erased: boolean;
}

export class PrivacyRequestResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty({ enum: REQUEST_TYPES }) type: string;
  @ApiProperty({ enum: ['gdpr', 'ccpa'] }) jurisdiction: string;
  @ApiProperty({ enum: REQUEST_CHANNELS }) channel: string;
  @ApiProperty({ enum: ['received', 'in_progress', 'completed', 'rejected'] }) status: string;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgeBy: string | null;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) extendedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) extensionReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) certificate: object | null;
  @ApiProperty() overdue: boolean;
  @ApiPropertyOptional({ type: [PrivacyRequestEventResponse] }) history?: PrivacyRequestEventResponse[];
  @ApiPropertyOptional({
    type: RequestCustomerResponse,
    description: 'Staff sessions only: who the request is about, as the console shows it. Each such display is written to the customer\'s access log.',
  })
  customer?: RequestCustomerResponse;
}

export class ReceiptCertificateResponse {
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) erasedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The keyed hash that now stands for the customer; it identifies no one.' }) tombstone: string | null;
  @ApiProperty({ description: 'The consent ledger verified after the erasure.' }) ledgerVerified: boolean;
  @ApiProperty() dataKeyDestroyed: boolean;
}

export class DownstreamConfirmationResponse {
  @ApiProperty({ description: 'The downstream system, as the brand named its webhook.' }) system: string;
  @ApiProperty({
    enum: ['pending', 'confirmed', 'failed'],
    description: 'confirmed: the system answered the signed `subject.erased` delivery with 2xx; pending: still being delivered or retried; failed: it gave up, or the endpoint was switched off.',
  })
  status: 'pending' | 'confirmed' | 'failed';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) confirmedAt: string | null;
  @ApiProperty() attempts: number;
}

export class ErasureReceiptResponse {
  @ApiProperty({ format: 'uuid' }) requestId: string;
  @ApiProperty({ type: 'object', properties: { name: { type: 'string' }, slug: { type: 'string' } } }) brand: { name: string; slug: string };
  @ApiProperty({ enum: ['en', 'nb', 'da', 'pl', 'hu'], description: 'The language the customer was written to in.' }) locale: string;
  @ApiProperty({ enum: ['received', 'in_progress', 'completed', 'rejected'] }) status: string;
  @ApiProperty({ format: 'date-time' }) receivedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completedAt: string | null;
  @ApiProperty({ type: ReceiptCertificateResponse }) certificate: ReceiptCertificateResponse;
  @ApiProperty({ type: [DownstreamConfirmationResponse] }) downstream: DownstreamConfirmationResponse[];
}

export class AuditEntryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ example: 'api-key:3f1c…', description: 'Who acted: `operator`, `api-key:<id>`, `staff:<id>`, `subject:<id>` or `system:<job>`.' }) actor: string;
  @ApiProperty({ example: 'privacy_request.completed' }) action: string;
  @ApiProperty({ type: String, nullable: true, description: 'The record acted on, by id.' }) target: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the action changed (never personal data).' }) details: Record<string, unknown>;
}

export class ProcessingActivityResponse {
  @ApiProperty({ example: 'email_marketing' }) purpose: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) name: Record<string, string>;
  @ApiProperty({ type: String, nullable: true, example: 'dpv:DirectMarketing' }) dpvTerm: string | null;
  @ApiProperty({ enum: ['consent', 'legitimate_interest', 'contract', 'legal_obligation'] }) legalBasis: string;
  @ApiProperty({ type: [String] }) dataCategories: string[];
  @ApiProperty({ type: [String] }) channels: string[];
  @ApiProperty() saleOrShare: boolean;
  @ApiProperty({ type: [String], description: 'Downstream systems (active webhooks) that receive its events.' }) recipients: string[];
  @ApiProperty({ example: '365 days' }) retention: string;
}

export class RecordsOfProcessingResponse {
  @ApiProperty({ type: 'object', required: ['name', 'slug'], properties: { name: { type: 'string' }, slug: { type: 'string' } } }) controller: { name: string; slug: string };
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty() dataSubjects: string;
  @ApiProperty({ type: [ProcessingActivityResponse] }) activities: ProcessingActivityResponse[];
  @ApiProperty({ type: [String] }) technicalMeasures: string[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDate, IsIn, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { KEY_PATTERN, ToDate, IsOmittable } from '../../../common/http/validators';
import { Channel, CHANNELS } from '../../purposes/purpose-catalogue';
import { UnsubscribeLinkResponse } from '../../unsubscribe/dto/unsubscribe.dto';

export class ContactCheckDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID('all', { message: 'must be a subject id (UUID)' }) subjectId: string;
  @ApiProperty({ example: 'email_marketing' }) @IsString() @Matches(KEY_PATTERN, { message: 'must be a purpose key' }) purpose: string;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel: Channel;
  @ApiPropertyOptional({
    example: 'email_marketing',
    description:
      'A marketing purpose the message would also mention (an order update that suggests an accessory). The answer gains `mention`: ' +
      'whether the mention may ride along — the mention\'s consent, channel, suppressions and frequency cap, but not quiet hours, since ' +
      'the message goes out as a service message anyway. Record a sent mention as a contact for its purpose, so the cap counts it.',
  })
  @IsOmittable()
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a purpose key' })
  mention?: string;
}

export class ContactChecksDto {
  @ApiProperty({ type: [ContactCheckDto], maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ContactCheckDto)
  checks: ContactCheckDto[];
}

const REASONS_DESCRIPTION =
  'Why. No: subject-unknown, subject-erased, subject-merged (batch results only, with `mergedInto` naming the survivor; a single check ' +
  'answers 410 instead), purpose-unknown, no-consent, pending-confirmation, consent-withdrawn, consent-expired, objected, ' +
  'channel-opted-out, channel-not-in-purpose (the purpose does not use this channel — every channel, for a purpose that contacts no one such as ' +
  'personalization), channel-not-chosen (the person chose other channels for this purpose), frequency-cap:<frequency>, ' +
  'quiet-hours, suppressed:<reason>. Yes: consent-granted, legitimate-interest, service-message:<legal basis>.';

/** Whether a marketing mention may ride along in the message decided. */
export class MentionDecisionResponse {
  @ApiProperty({ example: 'email_marketing' }) purpose: string;
  @ApiProperty() allowed: boolean;
  @ApiProperty({
    type: [String],
    example: ['suppressed:open_cart'],
    description:
      'Why. No: subject-unknown, subject-erased, subject-merged (batches: use `mergedInto`), purpose-unknown, message-not-allowed (the message itself may not go), not-marketing, ' +
      'no-consent, pending-confirmation, consent-withdrawn, consent-expired, objected, channel-opted-out, channel-not-in-purpose, channel-not-chosen, ' +
      'frequency-cap:<frequency>, quiet-hours, suppressed:<reason>. Yes: consent-granted, legitimate-interest, service-message:<legal basis>.',
  })
  reasons: string[];

  @ApiPropertyOptional({
    type: UnsubscribeLinkResponse,
    description: 'On an allowed `email` mention of a consent-based purpose: the one-click unsubscribe link for that purpose, to send with the message.',
  })
  unsubscribe?: UnsubscribeLinkResponse;
}

export class ContactDecisionResponse {
  @ApiProperty() allowed: boolean;
  @ApiProperty({ type: [String], example: ['quiet-hours'], description: REASONS_DESCRIPTION })
  reasons: string[];

  @ApiPropertyOptional({
    type: UnsubscribeLinkResponse,
    description: 'On every allowed `email` decision for a consent-based purpose: the one-click unsubscribe link and the headers to send it in.',
  })
  unsubscribe?: UnsubscribeLinkResponse;

  @ApiPropertyOptional({ type: MentionDecisionResponse, description: 'When the check named a `mention`: whether the message may carry it.' })
  mention?: MentionDecisionResponse;
}

export class BatchContactDecisionResponse extends ContactDecisionResponse {
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty() purpose: string;
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiPropertyOptional({ format: 'uuid', description: 'With `subject-merged`: the record the subject was merged into; ask about it instead.' }) mergedInto?: string;
}

export class BatchContactDecisionsResponse {
  @ApiProperty({ type: [BatchContactDecisionResponse], description: 'In the order of the checks.' }) results: BatchContactDecisionResponse[];
}

export class RecordContactDto {
  @ApiProperty({ example: 'email_marketing' }) @IsString() @Matches(KEY_PATTERN, { message: 'must be a purpose key' }) purpose: string;
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS) channel: Channel;
  @ApiPropertyOptional({ format: 'date-time', description: 'When it was sent; defaults to now.' })
  @IsOmittable()
  @ToDate()
  @IsDate({ message: 'must be an RFC 3339 date-time' })
  at?: Date;
}

export class ContactResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() purpose: string;
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ description: 'Counts towards frequency caps (not a contract message).' }) marketing: boolean;
}

export class CreateSuppressionDto {
  @ApiProperty({ example: 'open_cart', description: 'Why marketing should wait: open_cart, support_case, recent_purchase…' })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a short lower-case reason such as "open_cart"' })
  @MaxLength(64)
  reason: string;

  @ApiProperty({ format: 'date-time' })
  @ToDate()
  @IsDate({ message: 'must be an RFC 3339 date-time' })
  until: Date;
}

export class SuppressionResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) until: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was ended early (DELETE), if it was.' }) endedAt: string | null;
  @ApiProperty({ description: 'Marketing decisions wait for it now: not ended and `until` still ahead.' }) active: boolean;
}

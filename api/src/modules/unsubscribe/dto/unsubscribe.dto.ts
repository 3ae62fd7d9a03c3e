import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import { IsOmittable, KEY_PATTERN } from '../../../common/http/validators';

const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class UnsubscribeHeadersResponse {
  @ApiProperty({ name: 'List-Unsubscribe', example: '<https://portal.example/calm-harbor/unsubscribe/AQ3k…>', description: 'RFC 2369: the link in angle brackets.' })
  'List-Unsubscribe': string;
  @ApiProperty({ name: 'List-Unsubscribe-Post', enum: ['List-Unsubscribe=One-Click'], description: 'RFC 8058: the mailbox provider may unsubscribe with one POST.' })
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click';
}

export class UnsubscribeLinkResponse {
  @ApiProperty({
    example: 'https://portal.example/calm-harbor/unsubscribe/AQ3k…',
    description:
      'One-click unsubscribe link for this person and purpose (on the portal\'s origin). `POST` with the form body ' +
      '`List-Unsubscribe=One-Click` and no credential withdraws the consent; `GET` shows the person a page and changes nothing.',
  })
  url: string;
  @ApiProperty({ type: UnsubscribeHeadersResponse, description: 'Put both on the message exactly as given (and sign them with DKIM).' })
  headers: UnsubscribeHeadersResponse;
}

/** RFC 8058's body. Mailbox providers send it form-encoded; the portal relays it. */
export class OneClickUnsubscribeDto {
  @ApiProperty({ name: 'List-Unsubscribe', enum: ['One-Click'] })
  @IsIn(['One-Click'], { message: 'must be "One-Click" (RFC 8058)' })
  'List-Unsubscribe': 'One-Click';
}

export class UnsubscribeBrandResponse {
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty() defaultLocale: string;
}

export class UnsubscribePurposeResponse {
  @ApiProperty() key: string;
  @ApiProperty(localeMap) name: Record<string, string>;
}

/** What an unsubscribe link stands for, for whoever holds it: nothing that identifies the person. */
export class UnsubscribeStateResponse {
  @ApiProperty({ type: UnsubscribeBrandResponse }) brand: UnsubscribeBrandResponse;
  @ApiProperty({ type: UnsubscribePurposeResponse }) purpose: UnsubscribePurposeResponse;
  @ApiProperty({ type: String, nullable: true, description: 'The person\'s language, when the brand stored one.' }) locale: string | null;
  @ApiProperty({ description: 'The consent stands now: a POST would withdraw it.' }) subscribed: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the consent was withdrawn, if it is.' })
  unsubscribedAt: string | null;
}

/** The outcome of a one-click POST. */
export class UnsubscribeResultResponse extends UnsubscribeStateResponse {
  @ApiProperty({ description: 'False when the consent was already withdrawn: nothing new was recorded.' }) changed: boolean;
  @ApiProperty({ format: 'uuid', description: 'The ledger event of the withdrawal (source `one-click-unsubscribe`, or the earlier one).' }) consentEventId: string;
}

export class RevokeUnsubscribeLinksQuery {
  @ApiPropertyOptional({ description: 'Only this purpose\'s links; all of the subject\'s otherwise (a key limited to purposes: its own).' })
  @IsOmittable()
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a purpose key' })
  purpose?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals } from 'class-validator';

const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** A brand-API grant of a double opt-in purpose: recorded as asked for, in force once the person confirms. */
export class PendingConfirmationResponse {
  @ApiProperty({ enum: ['pending-confirmation'] }) status: 'pending-confirmation';
  @ApiProperty() purpose: string;
  @ApiProperty({ format: 'date-time', description: 'When the confirmation email was asked for.' }) requestedAt: string;
  @ApiProperty({ format: 'date-time', description: 'The link stops working then, and the grant lapses unconfirmed (CANDOR_DOUBLE_OPT_IN_DAYS).' })
  expiresAt: string;
  @ApiProperty({
    enum: ['sending', 'recently-sent'],
    description:
      '`sending`: Candor is emailing the person a confirmation link now. `recently-sent`: a link went out within ' +
      'CANDOR_DOUBLE_OPT_IN_RESEND_HOURS, so no other email is sent (one per subject and purpose per window).',
  })
  email: 'sending' | 'recently-sent';
}

export class ConfirmationBrandResponse {
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty() defaultLocale: string;
}

export class ConfirmationPurposeResponse {
  @ApiProperty() key: string;
  @ApiProperty(localeMap) name: Record<string, string>;
}

export class ConfirmationNoticeResponse {
  @ApiProperty() version: number;
  @ApiProperty({ ...localeMap, description: 'The notice the grant refers to, per locale.' }) text: Record<string, string>;
}

/** What a confirmation link is about, for the person who holds it (no credential): nothing that identifies them. */
export class ConsentConfirmationResponse {
  @ApiProperty({ type: ConfirmationBrandResponse }) brand: ConfirmationBrandResponse;
  @ApiProperty({ type: ConfirmationPurposeResponse }) purpose: ConfirmationPurposeResponse;
  @ApiProperty({ type: ConfirmationNoticeResponse, nullable: true }) notice: ConfirmationNoticeResponse | null;
  @ApiProperty({ description: 'The language the email was written in (the person\'s).' }) locale: string;
  @ApiProperty({
    enum: ['pending', 'confirmed', 'withdrawn', 'expired'],
    description: '`confirmed` also when the person granted the purpose another way (in the portal) meanwhile.',
  })
  status: 'pending' | 'confirmed' | 'withdrawn' | 'expired';
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) confirmedAt: string | null;
}

export class ConfirmConsentDto {
  @ApiProperty({ enum: [true], description: 'The person pressed "Confirm".' })
  @Equals(true, { message: 'must be true: the person confirms by pressing the button' })
  confirm: true;
}

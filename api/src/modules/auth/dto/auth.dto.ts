import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';
import { LOCALE_PATTERN, IsOmittable } from '../../../common/http/validators';

export class RequestMagicLinkDto {
  @ApiProperty({ example: 'calm-harbor', description: 'The brand\'s slug.' })
  @IsString()
  @MaxLength(48)
  brand: string;

  @ApiProperty({ example: 'ingrid.solberg@example.com' })
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiPropertyOptional({
    example: 'pl',
    description:
      'The language of the page that asks (a language tag). The email is written in it when Candor writes that language (en, nb, da, pl, hu); otherwise in the customer\'s stored language, then the brand\'s default, then English.',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(35)
  @Matches(LOCALE_PATTERN, { message: 'must be a language tag such as "en" or "nb"' })
  locale?: string;
}

export class CreateSessionDto {
  @ApiProperty({ description: 'A magic-link or portal-link token. Each works once.' })
  @IsString()
  @Matches(/^c(ml|pl)_[A-Za-z0-9_-]{20,100}$/, { message: 'is not a sign-in token' })
  token: string;
}

export class SessionResponse {
  @ApiProperty({ description: 'Send as "Authorization: Bearer …" on /v1/me routes.' }) sessionToken: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ description: 'The brand\'s slug.' }) brand: string;
  @ApiProperty({ format: 'uuid' }) subjectId: string;
}

export class PortalLinkResponse {
  @ApiProperty({ example: 'http://localhost:4321/calm-harbor/link/cpl_…' }) url: string;
  @ApiProperty() token: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../../common/http/pagination';
import { IsTimeZone, KEY_PATTERN, LOCALE_PATTERN, IsOmittable } from '../../../common/http/validators';

export const PHONE_PATTERN = /^\+[1-9][0-9 ()-]{6,20}$/;

export class CreateSubjectDto {
  @ApiProperty({ example: 'member-1042', description: 'The brand\'s own id for this customer; creating it again returns the same subject.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  externalId: string;

  @ApiPropertyOptional({ example: 'ingrid@example.com' })
  @IsOmittable()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+4791234567', description: 'E.164, with the country code.' })
  @IsOmittable()
  @IsString()
  @Matches(PHONE_PATTERN, { message: 'must be a phone number in international form, such as +4791234567' })
  phone?: string;

  @ApiPropertyOptional({ example: 'nb' })
  @IsOmittable()
  @IsString()
  @Matches(LOCALE_PATTERN, { message: 'must be a language tag such as "en" or "nb"' })
  locale?: string;

  @ApiPropertyOptional({ example: 'Europe/Oslo' })
  @IsOmittable()
  @IsTimeZone()
  timezone?: string;
}

export class SubjectQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Find the subject with this external id.' })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  externalId?: string;

  @ApiPropertyOptional({ description: 'Find subjects by email (matched by keyed hash, case-insensitive).' })
  @IsOmittable()
  @IsEmail({}, { message: 'must be an email address' })
  email?: string;

  @ApiPropertyOptional({
    description: 'The purpose this read serves. A key limited to purposes must name one of its own to see email and phone, and only a purpose that contacts people (with channels, or covering the "contact" category) shows them.',
    example: 'email_marketing',
  })
  @IsOmittable()
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a purpose key such as "email_marketing"' })
  purpose?: string;
}

export class SubjectResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() externalId: string;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ type: String, nullable: true }) phone: string | null;
  @ApiProperty({ type: String, nullable: true }) locale: string | null;
  @ApiProperty({ type: String, nullable: true }) timezone: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

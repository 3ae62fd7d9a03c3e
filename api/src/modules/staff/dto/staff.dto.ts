import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { LOCALE_PATTERN, IsOmittable } from '../../../common/http/validators';
import { STAFF_ROLES, StaffRole } from '../../../common/authz/actor';

export class CreateStaffDto {
  @ApiProperty({ example: 'dpo@calmharbor.example' }) @IsEmail({}, { message: 'must be an email address' }) @MaxLength(254) email: string;
  @ApiProperty({ example: 'Astrid Berg' }) @IsString() @MinLength(1) @MaxLength(120) name: string;
  @ApiProperty({ enum: STAFF_ROLES }) @IsIn(STAFF_ROLES) role: StaffRole;
}

export class StaffResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STAFF_ROLES }) role: StaffRole;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: string | null;
}

export class StaffLinkDto {
  @ApiProperty({ example: 'calm-harbor' }) @IsString() @MaxLength(48) brand: string;
  @ApiProperty() @IsEmail({}, { message: 'must be an email address' }) @MaxLength(254) email: string;
  @ApiPropertyOptional({
    example: 'da',
    description: 'The language of the page that asks. The email is written in it when Candor writes that language (en, nb, da, pl, hu); otherwise in the brand\'s default, then English.',
  })
  @IsOmittable()
  @IsString()
  @MaxLength(35)
  @Matches(LOCALE_PATTERN, { message: 'must be a language tag such as "en" or "nb"' })
  locale?: string;
}

export class StaffSessionDto {
  @ApiProperty({ description: 'The token from a staff sign-in link. It works once.' })
  @IsString()
  @Matches(/^ssl_[A-Za-z0-9_-]{20,100}$/, { message: 'is not a staff sign-in token' })
  token: string;
}

export class StaffSessionResponse {
  @ApiProperty({ description: 'Send as "Authorization: Bearer …".' }) sessionToken: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty() brand: string;
  @ApiProperty({ format: 'uuid' }) staffId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: STAFF_ROLES }) role: StaffRole;
}

export class ConsentStatsResponse {
  @ApiProperty({ description: 'Days covered, ending today (UTC).' }) days: number;
  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      properties: {
        purpose: { type: 'string' },
        series: { type: 'array', items: { type: 'object', properties: { date: { type: 'string' }, granted: { type: 'integer' }, withdrawn: { type: 'integer' } } } },
      },
    },
  })
  purposes: Array<{ purpose: string; series: Array<{ date: string; granted: number; withdrawn: number }> }>;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Scope, SCOPES } from '../../../common/authz/actor';
import { IsLocaleTextMap, IsOmittable, KEY_PATTERN } from '../../../common/http/validators';

const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'newsletter service', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['consents:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({
    type: [String],
    example: ['email_marketing'],
    description: 'Purposes this key may read profiles for. Omit to allow every purpose.',
  })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(KEY_PATTERN, { each: true, message: 'each purpose must be a lower-case key such as "email_marketing"' })
  purposes?: string[];

  @ApiPropertyOptional({
    ...localeMap,
    example: { en: 'our newsletter service', nb: 'nyhetsbrevtjenesten vår', da: 'vores nyhedsbrevstjeneste', pl: 'nasz serwis newslettera', hu: 'a hírlevélszolgáltatásunk' },
    description: 'What customers read for this key in "who read your data", per language. Without it, `name` as it is.',
  })
  @IsOmittable()
  @IsLocaleTextMap({ maxLength: 100 })
  label?: Record<string, string>;
}

export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ ...localeMap, nullable: true, description: 'What customers read for this key, per language (null: `name`).' }) label: Record<string, string> | null;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty({ type: [String], nullable: true, description: 'null: every purpose' }) purposes: string[] | null;
  @ApiProperty({ description: 'The first characters of the key, to recognise it.', example: 'cnd_Ab12' }) prefix: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}

export class IssuedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'The secret key. Shown only in this response: store it now.', example: 'cnd_…' })
  key: string;
}

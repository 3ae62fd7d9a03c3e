import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { LOCALE_PATTERN } from '../../../common/http/validators';
import { IssuedApiKeyResponse } from '../../api-keys/dto/api-key.dto';

export class CreateBrandDto {
  @ApiProperty({ example: 'calm-harbor', description: 'Lower-case letters, digits and dashes; used in portal URLs.' })
  @IsString()
  @Matches(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, {
    message: 'must be 1–48 lower-case letters, digits or dashes, not starting or ending with a dash',
  })
  slug: string;

  @ApiProperty({ example: 'Calm Harbor' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiProperty({ example: 'en' })
  @IsString()
  @Matches(LOCALE_PATTERN, { message: 'must be a language tag such as "en" or "nb"' })
  defaultLocale: string;
}

export class BrandResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty() defaultLocale: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedBrandResponse extends BrandResponse {
  @ApiProperty({ type: IssuedApiKeyResponse, description: 'The brand\'s first key, with every scope. Shown only here.' })
  apiKey: IssuedApiKeyResponse;
}

export class PublicBrandResponse {
  @ApiProperty() slug: string;
  @ApiProperty() name: string;
  @ApiProperty() defaultLocale: string;
}

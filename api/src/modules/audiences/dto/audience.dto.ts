import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { PageQuery } from '../../../common/http/pagination';
import { KEY_PATTERN, IsOmittable } from '../../../common/http/validators';
import { Channel, CHANNELS } from '../../purposes/purpose-catalogue';

export class FactFilterDto {
  @ApiProperty({ example: 'motivation' }) @IsString() @Matches(KEY_PATTERN, { message: 'must be a fact key' }) factKey: string;

  @ApiProperty({ type: [String], example: ['sleep_better', 'reduce_stress'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  in: string[];
}

/** Who is in an audience: what the count takes, and what the query pages through. */
export class AudienceDefinitionDto {
  @ApiProperty({ example: 'email_marketing' }) @IsString() @Matches(KEY_PATTERN, { message: 'must be a purpose key' }) purpose: string;

  @ApiPropertyOptional({ enum: CHANNELS, description: 'Only subjects not opted out of this channel.' })
  @IsOmittable()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ type: [FactFilterDto], description: 'Every filter must match (AND); values within one filter are OR.' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => FactFilterDto)
  where?: FactFilterDto[];
}

/** An audience definition plus a page position (`limit`, `cursor`). */
export class AudienceQueryDto extends IntersectionType(AudienceDefinitionDto, PageQuery) {}

export class AudienceCountResponse {
  @ApiProperty({ type: 'integer', example: 126192, description: 'Exact number of members, counted with the predicates of `POST /v1/audiences/query`.' })
  count: number;

  @ApiProperty({ format: 'date-time', description: 'When the count was taken; it includes every change committed before then.' })
  countedAt: string;
}

export class AudienceMemberResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() externalId: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsObject, IsOptional, Matches, ValidateNested } from 'class-validator';
import { KEY_PATTERN, IsOmittable } from '../../../common/http/validators';
import { Frequency, FREQUENCIES } from '../preference-rules';

const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

export class ChannelPreferenceDto {
  @ApiProperty() @IsBoolean() optedIn: boolean;
  @ApiProperty({ enum: FREQUENCIES }) @IsIn(FREQUENCIES) frequency: Frequency;
}

export class ChannelsDto {
  @ApiPropertyOptional({ type: ChannelPreferenceDto }) @IsOmittable() @ValidateNested() @Type(() => ChannelPreferenceDto) email?: ChannelPreferenceDto;
  @ApiPropertyOptional({ type: ChannelPreferenceDto }) @IsOmittable() @ValidateNested() @Type(() => ChannelPreferenceDto) sms?: ChannelPreferenceDto;
  @ApiPropertyOptional({ type: ChannelPreferenceDto }) @IsOmittable() @ValidateNested() @Type(() => ChannelPreferenceDto) push?: ChannelPreferenceDto;
  @ApiPropertyOptional({ type: ChannelPreferenceDto }) @IsOmittable() @ValidateNested() @Type(() => ChannelPreferenceDto) messenger?: ChannelPreferenceDto;
  @ApiPropertyOptional({ type: ChannelPreferenceDto }) @IsOmittable() @ValidateNested() @Type(() => ChannelPreferenceDto) post?: ChannelPreferenceDto;
}

export class QuietHoursDto {
  @ApiProperty({ example: '21:00' }) @Matches(HH_MM, { message: 'must be a time of day as HH:MM' }) start: string;
  @ApiProperty({ example: '07:00' }) @Matches(HH_MM, { message: 'must be a time of day as HH:MM' }) end: string;
}

export class UpdatePreferencesDto {
  @ApiProperty({ type: ChannelsDto, description: 'Channels not named fall back to opted in, immediately.' })
  // @ValidateNested alone lets a missing `channels` through (and the service then fails on it).
  @IsObject({ message: 'must be an object of channels' })
  @ValidateNested()
  @Type(() => ChannelsDto)
  channels: ChannelsDto;

  @ApiPropertyOptional({ type: QuietHoursDto, nullable: true, description: 'In the customer\'s time zone; null for none.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;

  @ApiPropertyOptional({ type: [String], example: ['sleep', 'breathing'] })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(KEY_PATTERN, { each: true, message: 'each topic must be a lower-case key such as "sleep"' })
  topics?: string[];
}

export class PreferencesResponse {
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ChannelPreferenceDto' },
    description: 'Every channel with its effective setting.',
  })
  channels: Record<string, ChannelPreferenceDto>;
  @ApiProperty({ type: QuietHoursDto, nullable: true }) quietHours: QuietHoursDto | null;
  @ApiProperty({ type: [String] }) topics: string[];
  @ApiProperty({ description: 'Also sent as the ETag; send it back in If-Match.' }) version: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt: string | null;
}

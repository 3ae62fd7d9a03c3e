import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, Matches, registerDecorator, ValidateNested, ValidationOptions } from 'class-validator';
import { KEY_PATTERN, IsOmittable } from '../../../common/http/validators';
import { SOURCE_PATTERN } from '../../consents/dto/consent.dto';
import { Channel, CHANNELS } from '../../purposes/purpose-catalogue';
import { Frequency, FREQUENCIES, MAX_PURPOSE_CHOICES } from '../preference-rules';

const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

export class ChannelPreferenceDto {
  @ApiProperty() @IsBoolean() optedIn: boolean;
  @ApiProperty({ enum: FREQUENCIES }) @IsIn(FREQUENCIES) frequency: Frequency;
}

/** A channel sent as null is a channel not named: it keeps its setting (documented, and what the service does). */
const NULL_KEEPS = 'Left out or null: the channel keeps its setting.';

export class ChannelsDto {
  @ApiPropertyOptional({ type: ChannelPreferenceDto, nullable: true, description: NULL_KEEPS }) @IsOptional() @ValidateNested() @Type(() => ChannelPreferenceDto) email?: ChannelPreferenceDto | null;
  @ApiPropertyOptional({ type: ChannelPreferenceDto, nullable: true, description: NULL_KEEPS }) @IsOptional() @ValidateNested() @Type(() => ChannelPreferenceDto) sms?: ChannelPreferenceDto | null;
  @ApiPropertyOptional({ type: ChannelPreferenceDto, nullable: true, description: NULL_KEEPS }) @IsOptional() @ValidateNested() @Type(() => ChannelPreferenceDto) push?: ChannelPreferenceDto | null;
  @ApiPropertyOptional({ type: ChannelPreferenceDto, nullable: true, description: NULL_KEEPS }) @IsOptional() @ValidateNested() @Type(() => ChannelPreferenceDto) messenger?: ChannelPreferenceDto | null;
  @ApiPropertyOptional({ type: ChannelPreferenceDto, nullable: true, description: NULL_KEEPS }) @IsOptional() @ValidateNested() @Type(() => ChannelPreferenceDto) post?: ChannelPreferenceDto | null;
}

export class QuietHoursDto {
  @ApiProperty({ example: '21:00' }) @Matches(HH_MM, { message: 'must be a time of day as HH:MM' }) start: string;
  @ApiProperty({ example: '07:00' }) @Matches(HH_MM, { message: 'must be a time of day as HH:MM' }) end: string;
}

/** The channels a person chose for one purpose. */
export class PurposeChannelsDto {
  @ApiProperty({ enum: CHANNELS, isArray: true, uniqueItems: true, maxItems: CHANNELS.length, example: ['sms'] }) channels: Channel[];
}

const PURPOSE_CHOICES_MESSAGE =
  `must map purpose keys (like "order_updates") to null or to { "channels": [...] } naming each channel once, among ${CHANNELS.join(', ')}` +
  ` (at most ${MAX_PURPOSE_CHOICES} purposes)`;

/** `{ <purpose>: { channels: [...] } | null }`: the shape; the service checks the purposes and their channels. */
function IsPurposeChoices(validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isPurposeChoices',
      target: object.constructor,
      propertyName,
      options: { message: PURPOSE_CHOICES_MESSAGE, ...validationOptions },
      validator: {
        validate(value: unknown) {
          if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value as Record<string, unknown>);
          return (
            entries.length <= MAX_PURPOSE_CHOICES &&
            entries.every(([key, choice]) => {
              if (!KEY_PATTERN.test(key)) return false;
              if (choice === null) return true;
              if (!choice || typeof choice !== 'object' || Array.isArray(choice)) return false;
              const fields = Object.keys(choice);
              const channels = (choice as { channels?: unknown }).channels;
              return (
                fields.length === 1 &&
                Array.isArray(channels) &&
                channels.every((c) => typeof c === 'string' && (CHANNELS as readonly string[]).includes(c)) &&
                new Set(channels).size === channels.length
              );
            })
          );
        },
      },
    });
}

/** Channels, quiet hours and topics: what a preference line of a bulk import may carry too. */
export class PreferenceSettingsDto {
  @ApiPropertyOptional({
    type: ChannelsDto,
    description:
      'The channels named here change; every channel not named (or sent as null) keeps its setting — nobody is opted in by omission. ' +
      'A channel never set is reachable with no frequency cap, which opts no one in to marketing: that needs the person\'s consent to the purpose.',
  })
  // @ValidateNested alone would let a non-object through.
  @IsOmittable()
  @IsObject({ message: 'must be an object of channels' })
  @ValidateNested()
  @Type(() => ChannelsDto)
  channels?: ChannelsDto;

  @ApiPropertyOptional({ type: QuietHoursDto, nullable: true, description: 'In the customer\'s time zone; null for none; left out, they stay as they are.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;

  @ApiPropertyOptional({ type: [String], example: ['sleep', 'breathing'], description: 'The whole list of topics; left out, it stays as it is.' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(KEY_PATTERN, { each: true, message: 'each topic must be a lower-case key such as "sleep"' })
  topics?: string[];
}

export class UpdatePreferencesDto extends PreferenceSettingsDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ $ref: '#/components/schemas/PurposeChannelsDto' }, { type: 'null' }] },
    maxProperties: MAX_PURPOSE_CHOICES,
    example: { order_updates: { channels: ['sms'] } },
    description:
      'The channels the person chose for each purpose ("order updates by SMS only"): a decision for that purpose on another channel ' +
      'answers `channel-not-chosen` — contract purposes too (the person chooses how they hear about their order, though they cannot ' +
      'refuse it; such a purpose needs at least one channel). Each channel must be one of the purpose\'s own. Purposes not named keep ' +
      'their choice; null removes it (every channel of the purpose again).',
  })
  @IsOmittable()
  @IsPurposeChoices()
  purposes?: Record<string, PurposeChannelsDto | null>;
}

/** A brand's write of a subject's preferences (the call centre, the checkout). */
export class UpdateSubjectPreferencesDto extends UpdatePreferencesDto {
  @ApiPropertyOptional({ example: 'call_centre', description: 'How the person told the brand; the person sees it in their Activity. Defaults to "api".' })
  @IsOmittable()
  @IsString()
  @Matches(SOURCE_PATTERN, { message: 'must be a short lower-case label such as "call_centre"' })
  source?: string;
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
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/PurposeChannelsDto' },
    example: { order_updates: { channels: ['sms'] } },
    description: 'The channels the person chose per purpose; a purpose not here may use every one of its channels.',
  })
  purposes: Record<string, PurposeChannelsDto>;
  @ApiProperty({ description: 'Also sent as the ETag; send it back in If-Match.' }) version: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt: string | null;
}

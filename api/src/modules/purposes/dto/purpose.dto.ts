import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsString, Matches } from 'class-validator';
import { IsLocaleTextMap, KEY_PATTERN, IsOmittable } from '../../../common/http/validators';
import type { LegalBasis } from '../purpose.entity';
import { Channel, CHANNELS } from '../purpose-catalogue';

const LEGAL_BASES: LegalBasis[] = ['consent', 'legitimate_interest', 'contract', 'legal_obligation'];
const localeMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class CreatePurposeDto {
  @ApiProperty({ example: 'email_marketing', pattern: KEY_PATTERN.source })
  @IsString()
  @Matches(KEY_PATTERN, { message: 'must be a lower-case key such as "email_marketing"' })
  key: string;

  @ApiProperty({ ...localeMap, example: { en: 'Newsletters by email', nb: 'Nyhetsbrev på e-post' } })
  @IsLocaleTextMap({ maxLength: 200 })
  name: Record<string, string>;

  @ApiProperty({ enum: LEGAL_BASES })
  @IsIn(LEGAL_BASES)
  legalBasis: LegalBasis;

  @ApiProperty({ type: [String], example: ['contact', 'interests'], description: 'Data categories this purpose may use.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(KEY_PATTERN, { each: true, message: 'each data category must be a lower-case key such as "interests"' })
  dataCategories: string[];

  @ApiPropertyOptional({ enum: CHANNELS, isArray: true })
  @IsOmittable()
  @IsArray()
  @ArrayUnique()
  @IsIn(CHANNELS, { each: true })
  channels?: Channel[];

  @ApiPropertyOptional({ description: 'True when the purpose sells or shares data (Global Privacy Control withdraws it).' })
  @IsOmittable()
  @IsBoolean()
  saleOrShare?: boolean;

  @ApiPropertyOptional({
    description:
      'Double opt-in: a grant recorded through the brand API answers 202 `pending-confirmation` and is in force only once ' +
      'the person confirms from the email Candor sends them. Grants the person gives in the portal need no email.',
  })
  @IsOmittable()
  @IsBoolean()
  doubleOptIn?: boolean;

  @ApiPropertyOptional({ example: 'dpv:DirectMarketing', description: 'W3C DPV term.' })
  @IsOmittable()
  @IsString()
  @Matches(/^dpv:[A-Za-z]{1,80}$/, { message: 'must be a W3C DPV term such as "dpv:DirectMarketing"' })
  dpvTerm?: string;

  @ApiPropertyOptional({
    description:
      'Marketing: suppressions ("not now" windows) and frequency caps bind it; service messages and customer care go on. ' +
      'By default consent-based purposes are marketing, contract and legal-obligation ones never are (true is refused), and a ' +
      'legitimate-interest purpose is unless its `dpvTerm` names a service (`dpv:CustomerCare`, `dpv:CustomerManagement`, ' +
      '`dpv:ServiceProvision`, `dpv:CommunicationForCustomerCare`).',
  })
  @IsOmittable()
  @IsBoolean()
  marketing?: boolean;
}

export class PublishNoticeDto {
  @ApiProperty({ ...localeMap, example: { en: 'We will email you…', nb: 'Vi sender deg…' } })
  @IsLocaleTextMap()
  text: Record<string, string>;
}

export class NoticeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() purpose: string;
  @ApiProperty({ minimum: 1 }) version: number;
  @ApiProperty(localeMap) text: Record<string, string>;
  @ApiProperty({ format: 'date-time' }) publishedAt: string;
}

export class PurposeResponse {
  @ApiProperty() key: string;
  @ApiProperty(localeMap) name: Record<string, string>;
  @ApiProperty({ enum: LEGAL_BASES }) legalBasis: LegalBasis;
  @ApiProperty({ type: [String] }) dataCategories: string[];
  @ApiProperty({ enum: CHANNELS, isArray: true }) channels: Channel[];
  @ApiProperty() saleOrShare: boolean;
  @ApiProperty({ description: 'Brand-API grants wait for the person\'s emailed confirmation.' }) doubleOptIn: boolean;
  @ApiProperty({ description: 'Marketing: suppressions and frequency caps bind it; service messages and customer care go on.' }) marketing: boolean;
  @ApiProperty({ type: String, nullable: true }) dpvTerm: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Latest published notice version, if any.' }) noticeVersion: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CataloguePurposeResponse {
  @ApiProperty() key: string;
  @ApiProperty() dpvTerm: string;
  @ApiProperty({ enum: LEGAL_BASES }) legalBasis: LegalBasis;
  @ApiProperty({ type: [String] }) dataCategories: string[];
  @ApiProperty({ enum: CHANNELS, isArray: true }) channels: Channel[];
  @ApiProperty() saleOrShare: boolean;
  @ApiProperty({ description: 'Marketing: suppressions and frequency caps bind it.' }) marketing: boolean;
  @ApiProperty(localeMap) name: Record<string, string>;
  @ApiProperty({ ...localeMap, description: 'Published as notice version 1 on adoption.' }) notice: Record<string, string>;
}

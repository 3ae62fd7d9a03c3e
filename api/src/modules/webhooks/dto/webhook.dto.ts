import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { IsOmittable } from '../../../common/http/validators';
import { PageQuery } from '../../../common/http/pagination';
import { WEBHOOK_EVENTS, WebhookEventType } from '../webhook.entity';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://crm.example.com/hooks/candor' })
  @IsString()
  @MaxLength(2000)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEventType[];

  @ApiPropertyOptional({ example: 'Newsletter service', description: 'Shown to customers when their choice reaches this system.' })
  @IsOmittable()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;
}

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events: WebhookEventType[];
  @ApiProperty({ enum: ['active', 'disabled'] }) status: string;
  @ApiProperty({ type: String, nullable: true }) disabledReason: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedWebhookResponse extends WebhookResponse {
  @ApiProperty({ description: 'Signing secret (Standard Webhooks, whsec_…). Shown only here.' }) secret: string;
}

export class DeliveryQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed', 'cancelled'] })
  @IsOmittable()
  @IsIn(['pending', 'delivered', 'failed', 'cancelled'])
  status?: 'pending' | 'delivered' | 'failed' | 'cancelled';
}

export class DeliveryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', description: 'The event id, sent as webhook-id.' }) eventId: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) type: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed', 'cancelled'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt: string | null;
  @ApiProperty({ format: 'date-time' }) nextAttemptAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class PropagationReceipt {
  @ApiProperty({ description: 'The downstream system, as the brand named it.' }) system: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed', 'cancelled'] }) status: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it confirmed (answered 2xx).' }) confirmedAt: string | null;
  @ApiProperty() attempts: number;
}

export class PropagationResponse {
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty() type: string;
  @ApiProperty() purpose: string;
  @ApiProperty() granted: boolean;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: [PropagationReceipt] }) reached: PropagationReceipt[];
}

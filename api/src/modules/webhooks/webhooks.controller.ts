import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import type { Page } from '../../common/http/pagination';
import { notFoundOnBadUuid } from '../../common/http/params';
import { CreatedWebhookResponse, CreateWebhookDto, DeliveryQuery, DeliveryResponse, WebhookResponse } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Can('create', 'Webhook')
  @ApiCreatedResponse({ type: CreatedWebhookResponse })
  @ApiProblems(401, 403, 422)
  create(@Caller() caller: BrandActor, @Body() body: CreateWebhookDto): Promise<CreatedWebhookResponse> {
    return this.webhooks.create(caller, body);
  }

  @Get()
  @Can('read', 'Webhook')
  @ApiPage(WebhookResponse)
  @ApiProblems(401, 403)
  async list(@Caller() caller: BrandActor): Promise<{ data: WebhookResponse[]; nextCursor: null }> {
    return { data: await this.webhooks.list(caller), nextCursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  @Can('delete', 'Webhook')
  @ApiNoContentResponse({ description: 'Disabled; pending deliveries are cancelled. History is kept.' })
  @ApiProblems(401, 403, 404)
  disable(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('webhook')) id: string): Promise<void> {
    return this.webhooks.disable(caller, id);
  }

  @Get(':id/deliveries')
  @Can('read', 'Webhook')
  @ApiPage(DeliveryResponse)
  @ApiProblems(401, 403, 404, 422)
  deliveries(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('webhook')) id: string, @Query() query: DeliveryQuery): Promise<Page<DeliveryResponse>> {
    return this.webhooks.deliveries(caller, id, query);
  }
}

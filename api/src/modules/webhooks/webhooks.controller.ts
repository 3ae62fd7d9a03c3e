import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { BrandActor } from '../../common/authz/actor';
import { Caller, Can } from '../../common/authz/decorators';
import { ApiOp, ApiPage, ApiProblems } from '../../common/http/openapi.decorators';
import { type Page, PageQuery } from '../../common/http/pagination';
import { notFoundOnBadUuid } from '../../common/http/params';
import { CreatedWebhookResponse, CreateWebhookDto, DeliveryQuery, DeliveryResponse, WebhookResponse } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOp({
    id: 'createWebhook',
    summary: 'Register a webhook',
    description: 'Candor signs each delivery the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the secret returned here, shown only once. Deliveries are retried with backoff. The URL must be public http(s) (private addresses are refused unless CANDOR_WEBHOOK_ALLOW_HOSTS names the host).',
    example: {"url": "https://crm.example.com/hooks/candor", "events": ["consent.changed", "subject.erased"], "name": "CRM"},
  })
  @Can('create', 'Webhook')
  @ApiCreatedResponse({ type: CreatedWebhookResponse })
  @ApiProblems(401, 403, 422)
  create(@Caller() caller: BrandActor, @Body() body: CreateWebhookDto): Promise<CreatedWebhookResponse> {
    return this.webhooks.create(caller, body);
  }

  @Get()
  @ApiOp({ id: 'listWebhooks', summary: 'List webhooks', description: 'The brand\'s webhook endpoints, active and disabled, oldest first.' })
  @Can('read', 'Webhook')
  @ApiPage(WebhookResponse)
  @ApiProblems(401, 403)
  list(@Caller() caller: BrandActor, @Query() query: PageQuery): Promise<Page<WebhookResponse>> {
    return this.webhooks.list(caller, query);
  }

  @Delete(':id')
  @ApiOp({ id: 'disableWebhook', summary: 'Disable a webhook', description: 'Stops deliveries to the endpoint and cancels pending ones; its delivery history is kept.' })
  @HttpCode(204)
  @Can('delete', 'Webhook')
  @ApiNoContentResponse({ description: 'Disabled; pending deliveries are cancelled. History is kept.' })
  @ApiProblems(401, 403, 404)
  disable(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('webhook')) id: string): Promise<void> {
    return this.webhooks.disable(caller, id);
  }

  @Get(':id/deliveries')
  @ApiOp({
    id: 'listWebhookDeliveries',
    summary: 'List a webhook\'s deliveries',
    description: 'Every delivery to one endpoint, newest first, with attempts and the last answer; filter by `status`.',
  })
  @Can('read', 'Webhook')
  @ApiPage(DeliveryResponse)
  @ApiProblems(401, 403, 404, 422)
  deliveries(@Caller() caller: BrandActor, @Param('id', notFoundOnBadUuid('webhook')) id: string, @Query() query: DeliveryQuery): Promise<Page<DeliveryResponse>> {
    return this.webhooks.deliveries(caller, id, query);
  }
}

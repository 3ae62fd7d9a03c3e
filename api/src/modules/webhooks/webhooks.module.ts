import { Global, Module } from '@nestjs/common';
import { DeliveryWorker } from './delivery-worker.service';
import { OutboxService } from './outbox.service';
import { WebhookSecrets } from './webhook-secrets.service';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Global so every capability can write its events to the outbox inside its own transaction. */
@Global()
@Module({
  controllers: [WebhooksController],
  providers: [OutboxService, WebhooksService, WebhookSecrets, DeliveryWorker],
  exports: [OutboxService, DeliveryWorker, WebhooksService],
})
export class WebhooksModule {}

import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { CryptoService } from '../../common/crypto/crypto.service';

/** Webhook signing secrets: shown once on creation, stored encrypted (they must be usable to sign). */
@Injectable()
export class WebhookSecrets {
  constructor(private readonly crypto: CryptoService) {}

  generate(): string {
    return `whsec_${randomBytes(32).toString('base64')}`;
  }

  seal(secret: string, endpointId: string): Buffer {
    return this.crypto.wrapKey(Buffer.from(secret, 'utf8'), `webhook-secret:${endpointId}`);
  }

  reveal(sealed: Buffer, endpointId: string): string {
    return this.crypto.unwrapKey(sealed, `webhook-secret:${endpointId}`).toString('utf8');
  }
}

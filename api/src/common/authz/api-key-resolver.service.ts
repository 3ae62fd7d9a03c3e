import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { ApiKeyEntity } from '../../modules/api-keys/api-key.entity';
import { CryptoService } from '../crypto/crypto.service';
import { TenantDb } from '../database/tenant-db.service';
import type { Actor, Scope } from './actor';

/** Turns a presented `cnd_` key into its brand actor, or null when unknown or revoked. */
@Injectable()
export class ApiKeyResolver {
  constructor(private readonly db: TenantDb) {}

  async resolve(key: string): Promise<Actor | null> {
    const keyHash = CryptoService.secretHash(key);
    const row = await this.db.lookup({ keyHash }, (em) =>
      em.getRepository(ApiKeyEntity).findOneBy({ keyHash, revokedAt: IsNull() }),
    );
    if (!row) return null;
    return { kind: 'apiKey', brandId: row.brandId, keyId: row.id, name: row.name, scopes: row.scopes as Scope[], purposes: row.purposes };
  }
}

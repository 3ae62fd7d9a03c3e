import { Injectable } from '@nestjs/common';
import { IsNull, MoreThan } from 'typeorm';
import { SessionEntity } from '../../modules/auth/auth.entity';
import { CryptoService } from '../crypto/crypto.service';
import { TenantDb } from '../database/tenant-db.service';
import type { Actor } from './actor';

/** Turns a presented `cst_` session token into its customer actor, or null when unknown, expired or revoked. */
@Injectable()
export class SessionResolver {
  constructor(private readonly db: TenantDb) {}

  async resolve(token: string): Promise<Actor | null> {
    const tokenHash = CryptoService.secretHash(token);
    const row = await this.db.lookup({ tokenHash }, (em) =>
      em.getRepository(SessionEntity).findOneBy({ tokenHash, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) }),
    );
    return row ? { kind: 'customer', brandId: row.brandId, subjectId: row.subjectId, sessionId: row.id } : null;
  }
}

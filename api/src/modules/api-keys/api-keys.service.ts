import { Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { EntityManager, IsNull } from 'typeorm';
import { assertGrantWithin, keyGrant } from '../../common/authz/abilities';
import { BrandActor, Scope } from '../../common/authz/actor';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyResponse, CreateApiKeyDto, IssuedApiKeyResponse } from './dto/api-key.dto';
import { Cursors, Page, PageQuery } from '../../common/http/pagination';

/** Brand API keys: issued with scopes, stored only as a SHA-256 hash, revocable. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly cursors: Cursors,
    private readonly db: TenantDb,
    private readonly audit: AuditService,
  ) {}

  create(caller: BrandActor, input: CreateApiKeyDto): Promise<IssuedApiKeyResponse> {
    assertGrantWithin(caller, keyGrant(input.scopes, input.purposes ?? null), 'The new key', input.scopes);
    return this.db.run(caller.brandId, async (em) => {
      const issued = await this.issue(em, caller.brandId, input.name, input.scopes, input.purposes ?? null, input.label ?? null);
      await this.audit.record(em, caller.brandId, caller, 'api_key.created', issued.id, { scopes: issued.scopes });
      return issued;
    });
  }

  /** The brand's keys, oldest first, one page at a time. */
  list(caller: BrandActor, query: PageQuery): Promise<Page<ApiKeyResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const rows = await em.getRepository(ApiKeyEntity).find({ where: { brandId: caller.brandId }, order: { createdAt: 'ASC' } });
      return this.cursors.pageOf({ list: 'api-keys', brandId: caller.brandId }, rows.map(toResponse), query, (k) => `${k.createdAt}|${k.id}`);
    });
  }

  /** Revokes a key; only a caller that could have created it may (403 `grant-exceeds-caller`). */
  revoke(caller: BrandActor, id: string): Promise<void> {
    return this.db.run(caller.brandId, async (em) => {
      const target = await em.getRepository(ApiKeyEntity).findOneBy({ brandId: caller.brandId, id });
      if (!target) throw DomainError.notFound('API key', id);
      assertGrantWithin(caller, keyGrant(target.scopes as Scope[], target.purposes), 'The key to revoke', target.scopes as Scope[]);
      const result = await em
        .getRepository(ApiKeyEntity)
        .update({ brandId: caller.brandId, id, revokedAt: IsNull() }, { revokedAt: new Date() });
      if (!result.affected) {
        const exists = await em.getRepository(ApiKeyEntity).existsBy({ brandId: caller.brandId, id });
        if (!exists) throw DomainError.notFound('API key', id);
        return; // revoking twice is harmless
      }
      await this.audit.record(em, caller.brandId, caller, 'api_key.revoked', id);
    });
  }

  /** Creates a key inside the caller's transaction; the secret is returned only here. */
  async issue(
    em: EntityManager,
    brandId: string,
    name: string,
    scopes: readonly Scope[],
    purposes: string[] | null,
    label: Record<string, string> | null = null,
  ): Promise<IssuedApiKeyResponse> {
    const key = `cnd_${randomBytes(32).toString('base64url')}`;
    const row = em.getRepository(ApiKeyEntity).create({
      brandId,
      id: randomUUID(),
      name,
      label,
      keyHash: CryptoService.secretHash(key),
      keyPrefix: key.slice(0, 8),
      scopes: [...scopes],
      purposes,
      createdAt: new Date(),
      revokedAt: null,
    });
    await em.getRepository(ApiKeyEntity).insert(row);
    return { ...toResponse(row), key };
  }
}

function toResponse(row: ApiKeyEntity): ApiKeyResponse {
  return {
    id: row.id,
    name: row.name,
    label: row.label,
    scopes: row.scopes as Scope[],
    purposes: row.purposes,
    prefix: row.keyPrefix,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
  };
}


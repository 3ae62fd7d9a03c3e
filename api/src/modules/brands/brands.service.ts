import { mainKeyName } from '../dictionary/dictionary';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Actor, BrandActor, SCOPES } from '../../common/authz/actor';
import { isUniqueViolation } from '../../common/database/errors';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AuditService } from '../audit/audit.service';
import { LedgerWriter } from '../ledger/ledger-writer';
import { BrandEntity } from './brand.entity';
import { BrandResponse, CreateBrandDto, CreatedBrandResponse } from './dto/brand.dto';

/** Tenants. The operator creates them; each starts with one all-scope key and an empty ledger. */
@Injectable()
export class BrandsService {
  constructor(
    private readonly db: TenantDb,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly ledger: LedgerWriter,
  ) {}

  async create(caller: Actor, input: CreateBrandDto): Promise<CreatedBrandResponse> {
    const brandId = randomUUID();
    try {
      return await this.db.run(brandId, async (em) => {
        const brand = em.getRepository(BrandEntity).create({
          brandId,
          slug: input.slug,
          name: input.name,
          defaultLocale: input.defaultLocale,
          createdAt: new Date(),
        });
        await em.getRepository(BrandEntity).insert(brand);
        await this.ledger.startChain(em, brandId);
        // Named after the brand, in every language: customers see key names in their access log.
        const mainKey = mainKeyName(input.name);
        const apiKey = await this.apiKeys.issue(em, brandId, mainKey.name, SCOPES, null, mainKey.label);
        await this.audit.record(em, brandId, caller, 'brand.created', brandId, { slug: input.slug });
        return { ...toResponse(brand), apiKey };
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_brands_slug')) {
        throw new DomainError('slug-taken', 'That slug is already taken. Choose another.');
      }
      throw error;
    }
  }

  current(caller: BrandActor): Promise<BrandResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const brand = await em.getRepository(BrandEntity).findOneByOrFail({ brandId: caller.brandId });
      return toResponse(brand);
    });
  }

  /** Finds a brand by its public slug (portal and sign-in), or null. */
  findBySlug(slug: string): Promise<BrandResponse | null> {
    return this.db.lookup({ brandSlug: slug }, async (em) => {
      const brand = await em.getRepository(BrandEntity).findOneBy({ slug });
      return brand ? toResponse(brand) : null;
    });
  }
}

function toResponse(brand: BrandEntity): BrandResponse {
  return {
    id: brand.brandId,
    slug: brand.slug,
    name: brand.name,
    defaultLocale: brand.defaultLocale,
    createdAt: brand.createdAt.toISOString(),
  };
}

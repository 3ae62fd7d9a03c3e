import { Injectable } from '@nestjs/common';
import type { BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursor, MAX_PAGE_SIZE, Page } from '../../common/http/pagination';
import { AccessLogService } from '../profiles/access-log.service';
import { assertPurposeAllowed } from '../profiles/profiles.service';
import { PurposeEntity } from '../purposes/purpose.entity';
import { AudienceMemberResponse, AudienceQueryDto } from './dto/audience.dto';

/**
 * Consented audiences: subjects with standing consent for a purpose (and not opted out of the
 * channel), matching fact filters — and a fact counts only when the purpose covers its category.
 * Keyset-paginated by subject id, so pages stay stable while others write.
 */
@Injectable()
export class AudiencesService {
  constructor(
    private readonly db: TenantDb,
    private readonly accessLog: AccessLogService,
  ) {}

  query(caller: BrandActor, input: AudienceQueryDto): Promise<Page<AudienceMemberResponse>> {
    assertPurposeAllowed(caller, input.purpose);
    return this.db.run(caller.brandId, async (em) => {
      const purpose = await em.getRepository(PurposeEntity).findOneBy({ brandId: caller.brandId, key: input.purpose });
      if (!purpose) {
        throw DomainError.unknownPurpose(input.purpose);
      }
      const limit = Math.min(input.limit ?? 100, MAX_PAGE_SIZE);
      const after = Cursor.decode<{ id: string }>(input.cursor, ['id']);
      // Every parameter must appear in the SQL (PostgreSQL cannot type an unused one), so the
      // purpose's categories are added only with the first fact filter.
      const params: unknown[] = [caller.brandId, input.purpose, after?.id ?? '00000000-0000-0000-0000-000000000000', limit + 1];
      let categoriesParam = 0;
      const conditions: string[] = [];
      conditions.push(
        purpose.legalBasis === 'consent'
          ? `EXISTS (SELECT 1 FROM consent_states cs WHERE cs.brand_id = s.brand_id AND cs.subject_id = s.subject_id
                     AND cs.purpose_key = $2 AND cs.granted AND (cs.expires_at IS NULL OR cs.expires_at > now()))`
          : `NOT EXISTS (SELECT 1 FROM consent_states cs WHERE cs.brand_id = s.brand_id AND cs.subject_id = s.subject_id
                         AND cs.purpose_key = $2 AND NOT cs.granted)`,
      );
      if (input.channel) {
        params.push(input.channel);
        conditions.push(
          `NOT EXISTS (SELECT 1 FROM preferences pr WHERE pr.brand_id = s.brand_id AND pr.subject_id = s.subject_id
                       AND (pr.channels -> $${params.length}::text ->> 'optedIn') = 'false')`,
        );
      }
      for (const filter of input.where ?? []) {
        if (!categoriesParam) categoriesParam = params.push(purpose.dataCategories);
        params.push(filter.factKey, filter.in);
        conditions.push(
          `EXISTS (SELECT 1 FROM facts f WHERE f.brand_id = s.brand_id AND f.subject_id = s.subject_id
                   AND f.fact_key = $${params.length - 1} AND f.value = ANY($${params.length}::text[])
                   AND f.category = ANY($${categoriesParam}::text[]) AND f.disputed_at IS NULL
                   AND (f.expires_at IS NULL OR f.expires_at > now()))`,
        );
      }
      const rows: Array<{ subject_id: string; external_id: string }> = await em.query(
        `SELECT s.subject_id, s.external_id FROM subjects s
         WHERE s.brand_id = $1 AND s.erased_at IS NULL AND s.subject_id > $3::uuid AND ${conditions.join(' AND ')}
         ORDER BY s.subject_id LIMIT $4`,
        params,
      );
      const page = rows.slice(0, limit);
      await this.accessLog.record(
        em,
        caller.brandId,
        caller,
        page.map((r) => r.subject_id),
        { kind: 'audience', purpose: input.purpose, fields: ['externalId', ...(input.where ?? []).map((w) => `facts.${w.factKey}`)] },
      );
      return {
        data: page.map((r) => ({ id: r.subject_id, externalId: r.external_id })),
        nextCursor: rows.length > limit ? Cursor.encode({ id: page[page.length - 1].subject_id }) : null,
      };
    });
  }
}

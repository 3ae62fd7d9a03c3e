import { AccessLogService } from '../profiles/access-log.service';
import { Injectable } from '@nestjs/common';
import { inTurn } from '../../common/database/in-turn';
import type { BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { Cursors, MAX_PAGE_SIZE, Page, PageQuery, ordinal } from '../../common/http/pagination';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { BrandEntity } from '../brands/brand.entity';
import { PurposeEntity } from '../purposes/purpose.entity';
import { WebhookEndpointEntity } from '../webhooks/webhook.entity';
import { ExportService } from './export.service';
import type { AuditEntryResponse, RecordsOfProcessingResponse } from './dto/privacy-request.dto';

/** Read-only compliance views: consent records, the Art. 30 record and the audit log. */
@Injectable()
export class ComplianceService {
  constructor(
    private readonly db: TenantDb,
    private readonly exports: ExportService,
    private readonly cursors: Cursors,
    private readonly accessLog: AccessLogService,
  ) {}

  /** A subject's consent records, oldest first (events are append-only: a position never moves), one page at a time. */
  consentRecords(caller: BrandActor, subjectId: string, query: PageQuery): Promise<Page<Record<string, unknown>>> {
    return this.db.run(caller.brandId, async (em) => {
      const records = await this.exports.consentRecordsOf(em, caller.brandId, subjectId);
      // The whole consent history is the customer's data: the read is in their access log, like GET /consents.
      const purposes: Array<{ purpose_key: string }> = await em.query(
        `SELECT DISTINCT purpose_key FROM consent_events WHERE brand_id = $1 AND subject_id = $2 ORDER BY purpose_key`,
        [caller.brandId, subjectId],
      );
      await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'consents', purpose: null, fields: purposes.map((p) => `consents.${p.purpose_key}`) });
      const positioned = records.map((record, position) => ({ record, position }));
      const page = this.cursors.pageOf({ list: 'consent-records', brandId: caller.brandId, parent: subjectId }, positioned, query, (r) => ordinal(r.position));
      return { data: page.data.map((r) => r.record), nextCursor: page.nextCursor };
    });
  }

  /** GDPR Art. 30(1): controller, purposes, categories, recipients, retention — from the configuration. */
  recordsOfProcessing(caller: BrandActor): Promise<RecordsOfProcessingResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const [brand, purposes, endpoints] = await inTurn(
        () => em.getRepository(BrandEntity).findOneByOrFail({ brandId: caller.brandId }),
        () => em.getRepository(PurposeEntity).find({ where: { brandId: caller.brandId }, order: { key: 'ASC' } }),
        () => em.getRepository(WebhookEndpointEntity).find({ where: { brandId: caller.brandId, status: 'active' } }),
      );
      return {
        controller: { name: brand.name, slug: brand.slug },
        generatedAt: new Date().toISOString(),
        dataSubjects: 'customers of the brand',
        activities: purposes.map((p) => ({
          purpose: p.key,
          name: p.name,
          dpvTerm: p.dpvTerm,
          legalBasis: p.legalBasis,
          dataCategories: p.dataCategories,
          channels: p.channels,
          saleOrShare: p.saleOrShare,
          recipients: endpoints.map((e) => e.name),
          retention: p.retentionDays ? `${p.retentionDays} days` : 'until consent is withdrawn or erasure is requested',
        })),
        technicalMeasures: [
          'personal identifiers encrypted per customer (AES-256-GCM, wrapped keys; crypto-shredding on erasure)',
          'tenant isolation enforced by PostgreSQL row-level security',
          'append-only, hash-chained consent ledger',
          'every brand read of personal data recorded in an access log the customer sees',
        ],
      };
    });
  }

  auditLog(caller: BrandActor, query: PageQuery): Promise<Page<AuditEntryResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const after = this.cursors.decode({ list: 'audit-log', brandId: caller.brandId }, query.cursor, { at: 'timestamp', id: 'uuid' });
      const qb = em
        .getRepository(AuditEntryEntity)
        .createQueryBuilder('a')
        .where('a.brand_id = :brandId', { brandId: caller.brandId })
        .orderBy('a.at', 'DESC')
        .addOrderBy('a.audit_id', 'DESC')
        .limit(limit + 1);
      if (after) qb.andWhere('(a.at, a.audit_id) < (:at, :id)', { at: after.at, id: after.id });
      const rows = await qb.getMany();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        data: page.map((a) => ({ id: a.id, at: a.at.toISOString(), actor: a.actor, action: a.action, target: a.target, details: a.details })),
        nextCursor: rows.length > limit ? this.cursors.encode({ list: 'audit-log', brandId: caller.brandId }, { at: last.at.toISOString(), id: last.id }) : null,
      };
    });
  }
}

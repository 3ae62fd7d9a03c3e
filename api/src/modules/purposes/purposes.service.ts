import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { BrandActor } from '../../common/authz/actor';
import { isUniqueViolation } from '../../common/database/errors';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { BrandEntity } from '../brands/brand.entity';
import { CataloguePurposeResponse, CreatePurposeDto, NoticeResponse, PurposeResponse } from './dto/purpose.dto';
import { NoticeEntity, PurposeEntity } from './purpose.entity';
import { Channel, isMarketingByDefault, PURPOSE_CATALOGUE } from './purpose-catalogue';
import { Cursors, Page, PageQuery, ordinal } from '../../common/http/pagination';

/** Purposes (why data is processed) and their immutable, versioned notices. */
@Injectable()
export class PurposesService {
  constructor(
    private readonly cursors: Cursors,
    private readonly db: TenantDb,
    private readonly audit: AuditService,
  ) {}

  async create(caller: BrandActor, input: CreatePurposeDto): Promise<PurposeResponse> {
    try {
      return await this.db.run(caller.brandId, async (em) => {
        const purpose = await this.insertPurpose(em, caller.brandId, input);
        await this.audit.record(em, caller.brandId, caller, 'purpose.created', purpose.key);
        return toPurposeResponse(purpose, null);
      });
    } catch (error) {
      throw this.duplicateKey(error, input.key);
    }
  }

  /** The brand's purposes by key, one page at a time. */
  list(caller: BrandActor, query: PageQuery): Promise<Page<PurposeResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const purposes = await em.getRepository(PurposeEntity).find({ where: { brandId: caller.brandId }, order: { key: 'ASC' } });
      const latest = await this.latestVersions(em, caller.brandId);
      const all = purposes.map((p) => toPurposeResponse(p, latest.get(p.key) ?? null));
      return this.cursors.pageOf({ list: 'purposes', brandId: caller.brandId }, all, query, (p) => p.key);
    });
  }

  get(caller: BrandActor, key: string): Promise<PurposeResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const purpose = await this.require(em, caller.brandId, key);
      const latest = await this.latestVersions(em, caller.brandId);
      return toPurposeResponse(purpose, latest.get(key) ?? null);
    });
  }

  /**
   * Publishes a new notice version. It must speak the brand's default language (422 otherwise):
   * that is the text every customer falls back to when the notice lacks their own language.
   */
  publishNotice(caller: BrandActor, purposeKey: string, text: Record<string, string>): Promise<NoticeResponse> {
    return this.db.run(caller.brandId, async (em) => {
      await this.require(em, caller.brandId, purposeKey, true);
      const { defaultLocale } = await em.getRepository(BrandEntity).findOneByOrFail({ brandId: caller.brandId });
      if (!text[defaultLocale]?.trim()) {
        throw DomainError.validation(
          [{ path: `text.${defaultLocale}`, message: `must be given: a notice speaks the brand's default language ("${defaultLocale}")` }],
          'A notice must include the brand\'s default language; see errors.',
        );
      }
      const notice = await this.insertNotice(em, caller.brandId, purposeKey, text);
      await this.audit.record(em, caller.brandId, caller, 'notice.published', `${purposeKey}@${notice.version}`);
      return toNoticeResponse(notice);
    });
  }

  /** A purpose's notice versions, oldest first, one page at a time. */
  listNotices(caller: BrandActor, purposeKey: string, query: PageQuery): Promise<Page<NoticeResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      await this.require(em, caller.brandId, purposeKey);
      const notices = await em
        .getRepository(NoticeEntity)
        .find({ where: { brandId: caller.brandId, purposeKey }, order: { version: 'ASC' } });
      return this.cursors.pageOf({ list: 'notices', brandId: caller.brandId, parent: purposeKey }, notices.map(toNoticeResponse), query, (n) => ordinal(n.version));
    });
  }

  /** The purpose catalogue (the same for every brand) by key, one page at a time. */
  catalogue(brandId: string, query: PageQuery): Page<CataloguePurposeResponse> {
    const all = PURPOSE_CATALOGUE.map((p) => ({ ...p, dataCategories: [...p.dataCategories], channels: [...p.channels], marketing: isMarketingByDefault(p.legalBasis, p.dpvTerm) }));
    return this.cursors.pageOf({ list: 'purpose-catalogue', brandId }, all, query, (p) => p.key);
  }

  /** Adopts a catalogue purpose: creates it and publishes its default notice as version 1. */
  async adopt(caller: BrandActor, key: string): Promise<PurposeResponse> {
    const entry = PURPOSE_CATALOGUE.find((p) => p.key === key);
    if (!entry) throw new DomainError('not-found', 'The purpose catalogue has no entry with that key. GET /v1/purpose-catalogue lists it.');
    try {
      return await this.db.run(caller.brandId, async (em) => {
        const purpose = await this.insertPurpose(em, caller.brandId, entry);
        const notice = await this.insertNotice(em, caller.brandId, key, entry.notice);
        await this.audit.record(em, caller.brandId, caller, 'purpose.adopted', key, { dpvTerm: entry.dpvTerm });
        return toPurposeResponse(purpose, notice.version);
      });
    } catch (error) {
      throw this.duplicateKey(error, key);
    }
  }

  /** Loads a purpose in the caller's transaction; `lock` serialises notice versioning. */
  async require(em: EntityManager, brandId: string, key: string, lock = false): Promise<PurposeEntity> {
    const purpose = await em.getRepository(PurposeEntity).findOne({
      where: { brandId, key },
      lock: lock ? { mode: 'pessimistic_write' } : undefined,
    });
    if (!purpose) throw new DomainError('not-found', 'No purpose with that key is defined for this brand.');
    return purpose;
  }

  private async insertPurpose(
    em: EntityManager,
    brandId: string,
    input: Omit<CreatePurposeDto, 'channels'> & { channels?: readonly Channel[]; doubleOptIn?: boolean },
  ): Promise<PurposeEntity> {
    if (input.marketing && (input.legalBasis === 'contract' || input.legalBasis === 'legal_obligation')) {
      throw DomainError.validation([{ path: 'marketing', message: 'must be false for a purpose that serves a contract or a legal obligation' }]);
    }
    const purpose = em.getRepository(PurposeEntity).create({
      brandId,
      key: input.key,
      name: input.name,
      legalBasis: input.legalBasis,
      dataCategories: input.dataCategories,
      channels: [...(input.channels ?? [])],
      saleOrShare: input.saleOrShare ?? false,
      doubleOptIn: input.doubleOptIn ?? false,
      marketing: input.marketing ?? isMarketingByDefault(input.legalBasis, input.dpvTerm),
      dpvTerm: input.dpvTerm ?? null,
      createdAt: new Date(),
    });
    await em.getRepository(PurposeEntity).insert(purpose);
    return purpose;
  }

  private async insertNotice(em: EntityManager, brandId: string, purposeKey: string, text: Record<string, string>): Promise<NoticeEntity> {
    const [{ next }] = await em.query(
      `SELECT COALESCE(MAX(version), 0) + 1 AS next FROM notices WHERE brand_id = $1 AND purpose_key = $2`,
      [brandId, purposeKey],
    );
    const notice = em.getRepository(NoticeEntity).create({
      brandId,
      purposeKey,
      version: Number(next),
      id: randomUUID(),
      text,
      publishedAt: new Date(),
    });
    await em.getRepository(NoticeEntity).insert(notice);
    return notice;
  }

  private async latestVersions(em: EntityManager, brandId: string): Promise<Map<string, number>> {
    const rows: Array<{ purpose_key: string; version: number }> = await em.query(
      `SELECT purpose_key, MAX(version) AS version FROM notices WHERE brand_id = $1 GROUP BY purpose_key`,
      [brandId],
    );
    return new Map(rows.map((r) => [r.purpose_key, Number(r.version)]));
  }

  private duplicateKey(error: unknown, key: string): unknown {
    return isUniqueViolation(error, 'pk_purposes')
      ? new DomainError('purpose-exists', 'A purpose with that key already exists for this brand.')
      : error;
  }
}

function toPurposeResponse(p: PurposeEntity, noticeVersion: number | null): PurposeResponse {
  return {
    key: p.key,
    name: p.name,
    legalBasis: p.legalBasis,
    dataCategories: p.dataCategories,
    channels: p.channels as Channel[],
    saleOrShare: p.saleOrShare,
    doubleOptIn: p.doubleOptIn,
    marketing: p.marketing,
    dpvTerm: p.dpvTerm,
    noticeVersion,
    createdAt: p.createdAt.toISOString(),
  };
}

export function toNoticeResponse(n: NoticeEntity): NoticeResponse {
  return { id: n.id, purpose: n.purposeKey, version: n.version, text: n.text, publishedAt: n.publishedAt.toISOString() };
}

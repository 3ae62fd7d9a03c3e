import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomerActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { KEY_PATTERN } from '../../common/http/validators';
import { AuditService } from '../audit/audit.service';
import { PurposeEntity } from '../purposes/purpose.entity';
import { QuestionEntity } from '../questions/question.entity';
import { FactUseResponse } from './dto/fact-use.dto';
import { defaultFactUse, factUseOf, type FactUse, type FactUseRules } from './fact-use';
import { FactUseEntity } from './fact-use.entity';

type PurposeRef = Pick<PurposeEntity, 'key' | 'legalBasis'>;

/**
 * The customer's say over what each purpose may use: "use only what I told you" or "also what you
 * observed or inferred" (fact-use.ts), and the brand's questions marked `askBeforeUse`. Profile
 * reads, recommendations, audiences and "used for" in the portal all read their rules here.
 */
@Injectable()
export class FactUseService {
  constructor(
    private readonly db: TenantDb,
    private readonly audit: AuditService,
  ) {}

  /** The customer chooses for one purpose; recorded with its time (and in the brand's audit log). */
  setMine(customer: CustomerActor, purposeKey: string, use: FactUse): Promise<FactUseResponse> {
    if (!KEY_PATTERN.test(purposeKey)) throw new DomainError('not-found', 'No purpose with that key exists.');
    return this.db.run(customer.brandId, async (em) => {
      const purpose = await em.getRepository(PurposeEntity).findOneBy({ brandId: customer.brandId, key: purposeKey });
      if (!purpose) throw new DomainError('not-found', 'No purpose with that key exists.');
      const row: FactUseEntity = { brandId: customer.brandId, subjectId: customer.subjectId, purpose: purpose.key, use, updatedAt: new Date() };
      await em.getRepository(FactUseEntity).upsert(row, ['brandId', 'subjectId', 'purpose']);
      await this.audit.record(em, customer.brandId, customer, 'fact-use.set', customer.subjectId, { purpose: purpose.key, use });
      return toFactUseResponse(purpose, row);
    });
  }

  /** The customer's choices by purpose key (a purpose without one is absent). */
  async choicesOf(em: EntityManager, brandId: string, subjectId: string): Promise<Map<string, FactUseEntity>> {
    const rows = await em.getRepository(FactUseEntity).findBy({ brandId, subjectId });
    return new Map(rows.map((r) => [r.purpose, r]));
  }

  /** Fact keys that a question marked `askBeforeUse` asks about. */
  async askBeforeUseKeys(em: EntityManager, brandId: string): Promise<Set<string>> {
    const rows = await em.getRepository(QuestionEntity).find({ where: { brandId, askBeforeUse: true }, select: { factKey: true } });
    return new Set(rows.map((q) => q.factKey));
  }

  /** The rules one purpose reads a subject's facts by, and the choice behind them. */
  async rulesFor(em: EntityManager, brandId: string, subjectId: string, purpose: PurposeRef): Promise<FactUseRules & { response: FactUseResponse }> {
    const chosen = await em.getRepository(FactUseEntity).findOneBy({ brandId, subjectId, purpose: purpose.key });
    const askBeforeUse = await this.askBeforeUseKeys(em, brandId);
    return { use: factUseOf(purpose, chosen?.use), askBeforeUse, response: toFactUseResponse(purpose, chosen) };
  }
}

export function toFactUseResponse(purpose: PurposeRef, chosen: Pick<FactUseEntity, 'use' | 'updatedAt'> | null | undefined): FactUseResponse {
  return {
    purpose: purpose.key,
    use: factUseOf(purpose, chosen?.use),
    chosen: !!chosen,
    default: defaultFactUse(purpose),
    updatedAt: chosen ? chosen.updatedAt.toISOString() : null,
  };
}

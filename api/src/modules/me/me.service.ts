import { Injectable } from '@nestjs/common';
import { inTurn } from '../../common/database/in-turn';
import type { CustomerActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { ConsentConflictEntity } from '../consents/consent-conflict.entity';
import { ConsentStateEntity } from '../consents/consent.entity';
import { isConsentValid } from '../consents/consent-validity';
import { purposesUsing } from '../facts/fact-usage';
import { FactsService, toFactResponse } from '../facts/facts.service';
import { PreferencesService } from '../preferences/preferences.service';
import { NoticeEntity, PurposeEntity } from '../purposes/purpose.entity';
import { QuestionEntity } from '../questions/question.entity';
import { labelKey, valueLabels } from '../questions/value-labels';
import { SubjectsService } from '../subjects/subjects.service';
import { MeResponse, MyConsentResponse } from './dto/me.dto';
import { IsNull } from 'typeorm';

/** Everything the brand holds about the signed-in customer, and why, in one read. */
@Injectable()
export class MeService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly facts: FactsService,
    private readonly preferences: PreferencesService,
  ) {}

  overview(customer: CustomerActor): Promise<MeResponse> {
    const { brandId, subjectId } = customer;
    return this.db.run(brandId, async (em) => {
      const now = new Date();
      const subject = await this.subjects.presentInTx(em, brandId, subjectId);
      const [purposes, states, notices, facts, preferences, conflicts, questions] = await inTurn(
        () => em.getRepository(PurposeEntity).find({ where: { brandId }, order: { key: 'ASC' } }),
        () => em.getRepository(ConsentStateEntity).findBy({ brandId, subjectId }),
        () => em.getRepository(NoticeEntity).find({ where: { brandId }, order: { version: 'ASC' } }),
        () => this.facts.current(em, brandId, subjectId, now),
        () => this.preferences.read(em, brandId, subjectId),
        () => em.getRepository(ConsentConflictEntity).find({ where: { brandId, subjectId, resolvedAt: IsNull() }, order: { detectedAt: 'ASC' } }),
        () => em.getRepository(QuestionEntity).findBy({ brandId }),
      );
      const labels = valueLabels(questions);
      const stateByPurpose = new Map(states.map((s) => [s.purpose, s]));
      const noticeText = new Map(notices.map((n) => [`${n.purposeKey}@${n.version}`, n.text]));
      const latestNotice = new Map(notices.map((n) => [n.purposeKey, n.version]));

      const consents: MyConsentResponse[] = purposes.map((p) => {
        const state = stateByPurpose.get(p.key);
        const version = state?.noticeVersion ?? latestNotice.get(p.key) ?? null;
        return {
          purpose: p.key,
          name: p.name,
          legalBasis: p.legalBasis,
          dataCategories: p.dataCategories,
          saleOrShare: p.saleOrShare,
          granted: state ? state.granted : null,
          valid: p.legalBasis === 'consent' ? isConsentValid(state, now) : state?.granted !== false,
          noticeVersion: version,
          noticeText: version ? (noticeText.get(`${p.key}@${version}`) ?? null) : null,
          source: state?.source ?? null,
          updatedAt: state ? state.updatedAt.toISOString() : null,
        };
      });
      return {
        subject,
        facts: facts.map((f) => ({
          ...toFactResponse(f),
          usedFor: f.disputedAt ? [] : purposesUsing(f.category, purposes, stateByPurpose, now),
          valueLabel: labels.get(labelKey(f.key, f.value)) ?? null,
        })),
        consents,
        preferences,
        conflicts: conflicts.map((c) => ({
          purpose: c.purpose,
          signal: c.signal,
          detectedAt: c.detectedAt.toISOString(),
          explanation:
            'Your browser sent a Global Privacy Control signal, so we stopped this even though you had agreed to it before. ' +
            'Confirm the withdrawal, or agree again if you want it.',
        })),
      };
    });
  }
}

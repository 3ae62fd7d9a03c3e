import { Injectable } from '@nestjs/common';
import { inTurn } from '../../common/database/in-turn';
import type { CustomerActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { ConsentConflictEntity } from '../consents/consent-conflict.entity';
import { ConsentStateEntity } from '../consents/consent.entity';
import { isConsentValid } from '../consents/consent-validity';
import { purposesUsing } from '../facts/fact-usage';
import type { Dictionary } from '../dictionary/dictionary';
import { DictionaryService } from '../dictionary/dictionary.service';
import { FactsService, toLabelledFactResponse } from '../facts/facts.service';
import type { PreferencesResponse, UpdatePreferencesDto } from '../preferences/dto/preferences.dto';
import { PreferencesService } from '../preferences/preferences.service';
import { NoticeEntity, PurposeEntity } from '../purposes/purpose.entity';
import { SubjectMergeService } from '../subjects/subject-merge.service';
import { SubjectsService } from '../subjects/subjects.service';
import { MeResponse, MyConsentResponse, MyPreferencesResponse } from './dto/me.dto';
import { IsNull } from 'typeorm';

/** Everything the brand holds about the signed-in customer, and why, in one read. */
@Injectable()
export class MeService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly facts: FactsService,
    private readonly preferences: PreferencesService,
    private readonly dictionary: DictionaryService,
    private readonly merges: SubjectMergeService,
  ) {}

  overview(customer: CustomerActor): Promise<MeResponse> {
    const { brandId, subjectId } = customer;
    return this.db.run(brandId, async (em) => {
      const now = new Date();
      const subject = await this.subjects.presentInTx(em, brandId, subjectId);
      const [purposes, states, notices, facts, preferences, conflicts, dictionary, merges] = await inTurn(
        () => em.getRepository(PurposeEntity).find({ where: { brandId }, order: { key: 'ASC' } }),
        () => em.getRepository(ConsentStateEntity).findBy({ brandId, subjectId }),
        () => em.getRepository(NoticeEntity).find({ where: { brandId }, order: { version: 'ASC' } }),
        () => this.facts.current(em, brandId, subjectId, now),
        () => this.preferences.read(em, brandId, subjectId),
        () => em.getRepository(ConsentConflictEntity).find({ where: { brandId, subjectId, resolvedAt: IsNull() }, order: { detectedAt: 'ASC' } }),
        () => this.dictionary.load(em, brandId),
        () => this.merges.mergesInto(em, brandId, subjectId),
      );
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
          ...toLabelledFactResponse(f, dictionary),
          usedFor: f.disputedAt ? [] : purposesUsing(f.category, purposes, stateByPurpose, now),
        })),
        consents,
        preferences: withTopicLabels(preferences, dictionary),
        conflicts: conflicts.map((c) => ({
          purpose: c.purpose,
          signal: c.signal,
          detectedAt: c.detectedAt.toISOString(),
          explanation:
            'Your browser sent a Global Privacy Control signal, so we stopped this even though you had agreed to it before. ' +
            'Confirm the withdrawal, or agree again if you want it.',
        })),
        merges: merges.map(({ mergeId: _id, ...merge }) => merge),
      };
    });
  }

  /** The customer's preferences with their topics in words. */
  myPreferences(customer: CustomerActor): Promise<MyPreferencesResponse> {
    return this.db.run(customer.brandId, async (em) => {
      const preferences = await this.preferences.read(em, customer.brandId, customer.subjectId);
      return withTopicLabels(preferences, await this.dictionary.load(em, customer.brandId));
    });
  }

  /** Replaces the customer's preferences (If-Match, as PreferencesService says) and returns them with their topics in words. */
  updateMyPreferences(customer: CustomerActor, ifMatch: string | undefined, input: UpdatePreferencesDto): Promise<MyPreferencesResponse> {
    return this.preferences.update(customer.brandId, customer.subjectId, ifMatch, input).then((preferences) =>
      this.db.run(customer.brandId, async (em) => withTopicLabels(preferences, await this.dictionary.load(em, customer.brandId))),
    );
  }
}

function withTopicLabels(preferences: PreferencesResponse, dictionary: Dictionary): MyPreferencesResponse {
  return {
    ...preferences,
    topicLabels: Object.fromEntries(preferences.topics.map((t) => [t, dictionary.labels((l) => dictionary.topicLabel(t, l))])),
  };
}

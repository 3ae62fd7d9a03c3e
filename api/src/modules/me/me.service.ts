import { Injectable } from '@nestjs/common';
import { inTurn } from '../../common/database/in-turn';
import type { CustomerActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { ConsentConflictEntity } from '../consents/consent-conflict.entity';
import { ConsentStateEntity } from '../consents/consent.entity';
import { isConsentValid } from '../consents/consent-validity';
import { purposesUsing } from '../facts/fact-usage';
import { FactUseService, toFactUseResponse } from '../fact-use/fact-use.service';
import type { Dictionary } from '../dictionary/dictionary';
import { DictionaryService } from '../dictionary/dictionary.service';
import { FactsService, toLabelledFactResponse } from '../facts/facts.service';
import type { PreferencesResponse, UpdatePreferencesDto } from '../preferences/dto/preferences.dto';
import { PreferencesService } from '../preferences/preferences.service';
import { NoticeEntity, PurposeEntity } from '../purposes/purpose.entity';
import { SubjectMergeService } from '../subjects/subject-merge.service';
import { SubjectsService } from '../subjects/subjects.service';
import { MeResponse, MyConsentResponse, MyDecisionResponse, MyPreferencesResponse, PreferenceChangeResponse } from './dto/me.dto';
import { EntityManager, In, IsNull } from 'typeorm';
import { apiKeyLabels } from '../api-keys/key-labels';
import { Cursors, MAX_PAGE_SIZE, Page, PageQuery } from '../../common/http/pagination';
import { decisionUntil } from '../decisions/contact-policy';
import { DecisionsService } from '../decisions/decisions.service';
import { PreferenceChangeEntity } from '../preferences/preferences.entity';
import { PrivacyRequestsService } from '../privacy-requests/privacy-requests.service';
import type { Channel } from '../purposes/purpose-catalogue';

/** Everything the brand holds about the signed-in customer, and why, in one read. */
@Injectable()
export class MeService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly facts: FactsService,
    private readonly preferences: PreferencesService,
    private readonly dictionary: DictionaryService,
    private readonly factUse: FactUseService,
    private readonly decisions: DecisionsService,
    private readonly requests: PrivacyRequestsService,
    private readonly cursors: Cursors,
    private readonly merges: SubjectMergeService,
  ) {}

  overview(customer: CustomerActor): Promise<MeResponse> {
    const { brandId, subjectId } = customer;
    return this.db.run(brandId, async (em) => {
      const now = new Date();
      const subject = await this.subjects.presentInTx(em, brandId, subjectId);
      const [purposes, states, notices, facts, preferences, conflicts, dictionary, choices, askBeforeUse, requests, merges] = await inTurn(
        () => em.getRepository(PurposeEntity).find({ where: { brandId }, order: { key: 'ASC' } }),
        () => em.getRepository(ConsentStateEntity).findBy({ brandId, subjectId }),
        () => em.getRepository(NoticeEntity).find({ where: { brandId }, order: { version: 'ASC' } }),
        () => this.facts.current(em, brandId, subjectId, now),
        () => this.preferences.read(em, brandId, subjectId),
        () => em.getRepository(ConsentConflictEntity).find({ where: { brandId, subjectId, resolvedAt: IsNull() }, order: { detectedAt: 'ASC' } }),
        () => this.dictionary.load(em, brandId),
        () => this.factUse.choicesOf(em, brandId, subjectId),
        () => this.factUse.askBeforeUseKeys(em, brandId),
        () => this.requests.mine(em, customer),
        () => this.merges.mergesInto(em, brandId, subjectId),
      );
      const factUse = { chosen: new Map([...choices].map(([purpose, c]) => [purpose, c.use])), askBeforeUse };
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
          channels: p.channels,
          marketing: p.marketing,
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
          usedFor: f.disputedAt ? [] : purposesUsing(f, purposes, stateByPurpose, now, factUse),
        })),
        consents,
        factUse: purposes.map((p) => toFactUseResponse(p, choices.get(p.key))),
        preferences: withTopicLabels(preferences, dictionary),
        conflicts: conflicts.map((c) => ({
          purpose: c.purpose,
          signal: c.signal,
          detectedAt: c.detectedAt.toISOString(),
          explanation:
            'Your browser sent a Global Privacy Control signal, so we stopped this even though you had agreed to it before. ' +
            'Confirm the withdrawal, or agree again if you want it.',
        })),
        requests,
        merges: merges.map(({ mergeId: _id, ...merge }) => merge),
      };
    });
  }

  /**
   * What Candor would tell the brand right now, for each purpose that contacts people on each of
   * its channels: the brand's own decision (the same query and policy, `DecisionsService`), with
   * when a passing no lifts by itself.
   */
  async myDecisions(customer: CustomerActor): Promise<MyDecisionResponse[]> {
    const { brandId, subjectId } = customer;
    const purposes = await this.db.run(brandId, (em) => em.getRepository(PurposeEntity).find({ where: { brandId }, order: { key: 'ASC' } }));
    const checks = purposes.flatMap((p) => p.channels.map((channel) => ({ subjectId, purpose: p.key, channel: channel as Channel })));
    if (!checks.length) return [];
    const now = new Date();
    return (await this.decisions.explain(brandId, checks)).map(({ check, decision, facts }) => {
      const until = decisionUntil(decision, facts, check.channel, now);
      return { purpose: check.purpose, channel: check.channel, allowed: decision.allowed, reasons: decision.reasons, ...(until ? { until: until.toISOString() } : {}) };
    });
  }

  /** Who changed the customer's preferences, how, when and what, newest first. */
  preferenceChanges(customer: CustomerActor, query: PageQuery): Promise<Page<PreferenceChangeResponse>> {
    return this.db.run(customer.brandId, async (em) => {
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const scope = { list: 'preference-changes', brandId: customer.brandId, parent: customer.subjectId } as const;
      const after = this.cursors.decode(scope, query.cursor, { at: 'timestamp', id: 'uuid' });
      const qb = em
        .getRepository(PreferenceChangeEntity)
        .createQueryBuilder('c')
        .where('c.brand_id = :brandId AND c.subject_id = :subjectId', { brandId: customer.brandId, subjectId: customer.subjectId })
        .orderBy('c.at', 'DESC')
        .addOrderBy('c.change_id', 'DESC')
        .limit(limit + 1);
      if (after) qb.andWhere('(c.at, c.change_id) < (:at, :id)', { at: after.at, id: after.id });
      const rows = await qb.getMany();
      const page = rows.slice(0, limit);
      const [dictionary, keyLabels] = await inTurn(
        () => this.dictionary.load(em, customer.brandId),
        () => apiKeyLabels(em, customer.brandId, page.map((r) => r.actor)),
      );
      const you = `subject:${customer.subjectId}`;
      const last = page[page.length - 1];
      return {
        data: page.map((r) => {
          const byYou = r.actor === you;
          const changedBy = r.actorName ?? (byYou ? 'you' : r.actor);
          return {
            id: r.id,
            at: r.at.toISOString(),
            version: r.version,
            byYou,
            changedBy,
            changedByLabel: dictionary.labels((l) => dictionary.readerLabel({ actor: r.actor, name: changedBy, label: keyLabels.get(r.actor) }, l)),
            source: r.source,
            sourceLabel: dictionary.labels((l) => dictionary.sourceLabel(r.source, l)),
            fields: r.fields,
          };
        }),
        nextCursor: rows.length > limit ? this.cursors.encode(scope, { at: last.at.toISOString(), id: last.id }) : null,
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

  /** Changes the customer's preferences (If-Match, as PreferencesService says) and returns them with their topics in words. */
  updateMyPreferences(customer: CustomerActor, ifMatch: string | undefined, input: UpdatePreferencesDto): Promise<MyPreferencesResponse> {
    return this.preferences.update(customer.brandId, customer.subjectId, ifMatch, input, { actor: customer, source: 'portal' }).then((preferences) =>
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

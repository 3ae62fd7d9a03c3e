import { Injectable } from '@nestjs/common';
import { inTurn } from '../../common/database/in-turn';
import { subject as asSubject } from '@casl/ability';
import type { EntityManager } from 'typeorm';
import { abilityFor } from '../../common/authz/abilities';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { chooseLocale } from '../../common/http/locale';
import { BrandEntity } from '../brands/brand.entity';
import { FactEntity } from '../facts/fact.entity';
import { AccessLogService } from '../profiles/access-log.service';
import { ProfilesService } from '../profiles/profiles.service';
import { QuestionEntity } from '../questions/question.entity';
import type { Dictionary } from '../dictionary/dictionary';
import { DictionaryService } from '../dictionary/dictionary.service';
import { OutboxService } from '../webhooks/outbox.service';
import { CatalogItemEntity, RecommendationFeedbackEntity } from './catalog-item.entity';
import {
  BulkCatalogItemDto,
  CatalogItemResponse,
  ExplanationResponse,
  FeedbackDto,
  FeedbackResponse,
  RecommendationResponse,
  UpsertCatalogItemDto,
} from './dto/recommendation.dto';
import { explain, ExplanationLabeller, ExplanationLocale, questionLabeller } from './explanations';
import { Contribution, ScoredItem, scoreItems, ScoringFact, usableFacts } from './recommender';
import { Cursors, Page, PageQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../common/http/pagination';
import { MoreThan } from 'typeorm';

export const PERSONALIZATION = 'personalization';

export interface RecommendOptions {
  limit?: number;
  /** An explicit language (already validated as one Candor writes in). */
  locale?: string;
  /** The request's `Accept-Language` header, as sent. */
  acceptLanguage?: string;
}

/**
 * Recommendations that carry their own explanation. Only facts consented for personalization are
 * read, and only those the customer lets it use ("use only what I told you", `askBeforeUse`
 * questions), through the same purpose-scoped read as profile access; every recommendation cites
 * the facts it came from and the consent that allows it; customers can say "that's not right".
 */
@Injectable()
export class RecommendationsService {
  constructor(
    private readonly cursors: Cursors,
    private readonly db: TenantDb,
    private readonly profiles: ProfilesService,
    private readonly accessLog: AccessLogService,
    private readonly outbox: OutboxService,
    private readonly dictionary: DictionaryService,
  ) {}

  upsertItem(caller: BrandActor, sku: string, input: UpsertCatalogItemDto): Promise<CatalogItemResponse> {
    return this.db.run(caller.brandId, async (em) => toItemResponse(await this.save(em, caller.brandId, { ...input, sku })));
  }

  upsertMany(caller: BrandActor, items: BulkCatalogItemDto[]): Promise<{ upserted: number }> {
    const skus = items.map((i) => i.sku);
    if (new Set(skus).size !== skus.length) throw DomainError.validation([{ path: 'items', message: 'each SKU may appear once' }]);
    return this.db.run(caller.brandId, async (em) => {
      for (const item of items) await this.save(em, caller.brandId, item);
      return { upserted: items.length };
    });
  }

  /** The catalogue by SKU, one page at a time (a catalogue may hold many thousand items: keyset paging in SQL). */
  listItems(caller: BrandActor, query: PageQuery): Promise<Page<CatalogItemResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const scope = { list: 'catalog-items' as const, brandId: caller.brandId };
      const limit = Math.min(query.limit ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
      const after = this.cursors.decode(scope, query.cursor, { after: 'key' })?.after;
      const rows = await em.getRepository(CatalogItemEntity).find({
        where: { brandId: caller.brandId, ...(after === undefined ? {} : { sku: MoreThan(after) }) },
        order: { sku: 'ASC' },
        take: limit + 1,
      });
      const page = rows.slice(0, limit);
      return { data: page.map(toItemResponse), nextCursor: rows.length > limit ? this.cursors.encode(scope, { after: page[page.length - 1].sku }) : null };
    });
  }

  /**
   * Recommendations for a subject, each explained in one language: the `locale` asked for, else the
   * request's `Accept-Language`, else the subject's stored language, else the brand's default. A
   * brand's request is recorded in the access log.
   */
  recommend(caller: BrandActor | CustomerActor, subjectId: string, options: RecommendOptions = {}): Promise<RecommendationResponse[]> {
    return this.db.run(caller.brandId, async (em) => {
      const now = new Date();
      const { subject, purpose, consent, facts } = await this.profiles.readForPurpose(em, caller.brandId, subjectId, PERSONALIZATION, now);
      const usable = usableFacts(facts.map(toScoringFact), subjectId, purpose, now);
      const [items, hidden, dictionary, locale] = await inTurn(
        () => this.candidateItems(em, caller.brandId, usable),
        () => this.hiddenSkus(em, caller.brandId, subjectId),
        () => this.dictionary.load(em, caller.brandId),
        () => this.locale(em, caller.brandId, options, subject.locale),
      );
      const limit = options.limit ?? 10;
      const scored = scoreItems(usable, items, hidden).slice(0, limit);
      const labeller = await this.labeller(em, caller.brandId, dictionary);
      if (caller.kind !== 'customer') {
        const cited = [...new Set(scored.flatMap((s) => s.because.map((c) => `facts.${c.fact.key}`)))];
        await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'recommendations', purpose: PERSONALIZATION, fields: cited });
      }
      return scored.map((s) => ({
        sku: s.item.sku,
        title: dictionary.text(s.item.title, locale, s.item.sku),
        titleLabel: dictionary.labels((l) => dictionary.text(s.item.title, l, s.item.sku)),
        url: s.item.url,
        score: s.score,
        explanation: this.explanation(s.because, locale, consent!.eventId, labeller, subject.timezone, now),
      }));
    });
  }

  /**
   * Checks the reasons a brand's own recommender gives: each cited fact must be the subject's,
   * current, undisputed, in a category personalization covers and one the customer lets it use
   * (an observation or guess is not, under "use only what I told you" or an `askBeforeUse`
   * question) — else 422 `unconsented-reason` naming each offending fact.
   */
  validate(caller: BrandActor, input: { subjectId: string; sku: string; because: string[]; locale?: string }, acceptLanguage?: string): Promise<ExplanationResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const now = new Date();
      const { subject, purpose, consent, facts } = await this.profiles.readForPurpose(em, caller.brandId, input.subjectId, PERSONALIZATION, now);
      const usable = new Map(usableFacts(facts.map(toScoringFact), input.subjectId, purpose, now).map((f) => [f.id, f]));
      // Named by position in `because`, never by the ids sent: problems do not echo input.
      const offending = input.because.map((id, i) => (usable.has(id) ? -1 : i)).filter((i) => i >= 0);
      if (offending.length) {
        throw new DomainError(
          'unconsented-reason',
          `${offending.length === 1 ? 'One fact' : `${offending.length} facts`} in "because" may not be used as reasons for this customer's recommendations; errors names each.`,
          { errors: offending.map((i) => ({ path: `because.${i}`, message: 'is not a fact of this customer that personalization may use (consent, category, or the customer\'s choice of what it may use)' })) },
        );
      }
      const item = await em.getRepository(CatalogItemEntity).findOneBy({ brandId: caller.brandId, sku: input.sku });
      if (!item) throw new DomainError('not-found', 'No catalog item has that sku.');
      const [scored] = scoreItems(input.because.map((id) => usable.get(id)!), [item]);
      const because: Contribution[] = scored?.because ?? [];
      const cited = [...new Set(because.map((c) => `facts.${c.fact.key}`))];
      await this.accessLog.record(em, caller.brandId, caller, [input.subjectId], { kind: 'explanation', purpose: PERSONALIZATION, fields: cited });
      const [labeller, locale] = await inTurn(
        () => this.labeller(em, caller.brandId),
        () => this.locale(em, caller.brandId, { locale: input.locale, acceptLanguage }, subject.locale),
      );
      return this.explanation(because, locale, consent!.eventId, labeller, subject.timezone, now);
    });
  }

  /** "Not relevant" hides the item; "wrong reason" sets the cited fact aside at once until corrected. */
  feedback(customer: CustomerActor, sku: string, input: FeedbackDto): Promise<FeedbackResponse> {
    return this.db.run(customer.brandId, async (em) => {
      if (!(await em.getRepository(CatalogItemEntity).existsBy({ brandId: customer.brandId, sku }))) {
        throw new DomainError('not-found', 'No catalog item has that sku.');
      }
      if (input.kind === 'wrong_reason') {
        if (!input.factId) throw DomainError.validation([{ path: 'factId', message: 'say which reason is wrong' }]);
        const fact = await em.getRepository(FactEntity).findOneBy({ brandId: customer.brandId, id: input.factId });
        if (!fact || !abilityFor(customer).can('update', asSubject('Fact', { subjectId: fact.subjectId, category: fact.category }))) {
          throw DomainError.notFound('fact', input.factId);
        }
        await em.getRepository(FactEntity).update({ brandId: customer.brandId, id: fact.id }, { disputedAt: new Date(), updatedAt: new Date() });
        await this.outbox.emit(em, customer.brandId, 'fact.changed', { subjectId: fact.subjectId, factId: fact.id, key: fact.key, change: 'disputed' }, fact.subjectId);
      }
      await em.getRepository(RecommendationFeedbackEntity).upsert(
        { brandId: customer.brandId, subjectId: customer.subjectId, sku, kind: input.kind, factId: input.factId ?? null, at: new Date() },
        ['brandId', 'subjectId', 'sku', 'kind'],
      );
      return input.kind === 'not_relevant'
        ? { sku, kind: input.kind, message: 'We will not suggest this again.' }
        : {
            sku,
            kind: input.kind,
            factId: input.factId,
            message: 'We have set this reason aside and no longer use it. Correct it (PATCH /v1/me/facts/{id}) or delete it.',
          };
    });
  }

  private explanation(
    because: readonly Contribution[],
    locale: ExplanationLocale,
    consentEventId: string,
    labeller: ExplanationLabeller,
    timeZone: string | null,
    now: Date,
  ): ExplanationResponse {
    const { text, counterfactual, locale: lang, reasons } = explain(because, locale, labeller, { timeZone, now });
    return {
      text,
      locale: lang,
      because: because.map((c, i) => ({
        factId: c.fact.id,
        key: c.fact.key,
        value: c.fact.value,
        label: reasons[i].label,
        provenance: c.fact.provenance,
        source: c.fact.source,
        sourceLabel: reasons[i].source,
        collectedAt: c.fact.collectedAt.toISOString(),
        points: c.points,
      })),
      purpose: PERSONALIZATION,
      consentEventId,
      counterfactual,
    };
  }

  /** Only items tagged with one of the usable facts can score, so only those are loaded. */
  private async candidateItems(em: EntityManager, brandId: string, facts: ScoringFact[]): Promise<CatalogItemEntity[]> {
    if (!facts.length) return [];
    return em
      .getRepository(CatalogItemEntity)
      .createQueryBuilder('i')
      .where('i.brand_id = :brandId', { brandId })
      .andWhere(
        `EXISTS (SELECT 1 FROM jsonb_array_elements(i.tags) t
                 WHERE (t->>'factKey', t->>'value') IN (SELECT * FROM unnest(CAST(:keys AS text[]), CAST(:values AS text[]))))`,
        { keys: facts.map((f) => f.key), values: facts.map((f) => f.value) },
      )
      .getMany();
  }

  private async hiddenSkus(em: EntityManager, brandId: string, subjectId: string): Promise<Set<string>> {
    const rows = await em.getRepository(RecommendationFeedbackEntity).findBy({ brandId, subjectId, kind: 'not_relevant' });
    return new Set(rows.map((r) => r.sku));
  }

  /**
   * The brand's own words for values and sources: its dictionary (fact values, registered sources),
   * else its question options and question texts (see `questionLabeller`).
   */
  private async labeller(em: EntityManager, brandId: string, loaded?: Dictionary): Promise<ExplanationLabeller> {
    const dictionary = loaded ?? (await this.dictionary.load(em, brandId));
    return dictionaryLabeller(dictionary, questionLabeller(await em.getRepository(QuestionEntity).findBy({ brandId })));
  }

  /** The language to explain in (see `chooseLocale`); the brand's default is read only when needed. */
  private locale(em: EntityManager, brandId: string, options: RecommendOptions, stored: string | null): Promise<ExplanationLocale> {
    return chooseLocale({
      explicit: options.locale,
      acceptLanguage: options.acceptLanguage,
      stored,
      brandDefault: async () => (await em.getRepository(BrandEntity).findOneBy({ brandId }))?.defaultLocale,
    });
  }

  private async save(em: EntityManager, brandId: string, input: BulkCatalogItemDto): Promise<CatalogItemEntity> {
    const item = em.getRepository(CatalogItemEntity).create({
      brandId,
      sku: input.sku,
      title: input.title,
      description: input.description ?? null,
      url: input.url ?? null,
      tags: input.tags.map((t) => ({ factKey: t.factKey, value: t.value, weight: t.weight })),
      updatedAt: new Date(),
    });
    await em.getRepository(CatalogItemEntity).upsert(item, ['brandId', 'sku']);
    return item;
  }
}

function toScoringFact(f: FactEntity): ScoringFact {
  return {
    id: f.id,
    subjectId: f.subjectId,
    key: f.key,
    value: f.value,
    category: f.category,
    provenance: f.provenance,
    source: f.source,
    collectedAt: f.collectedAt,
    disputed: f.disputedAt !== null,
    expiresAt: f.expiresAt,
  };
}

function toItemResponse(i: CatalogItemEntity): CatalogItemResponse {
  return { sku: i.sku, title: i.title, description: i.description, url: i.url, tags: i.tags, updatedAt: i.updatedAt.toISOString() };
}

export type { ScoredItem };

/** Words from the brand's dictionary first, then from its questions; undefined where neither has any. */
function dictionaryLabeller(dictionary: Dictionary, fallback: ExplanationLabeller): ExplanationLabeller {
  return {
    value: (key, value, locale) => dictionary.ownValueLabel(key, value, locale) ?? fallback.value(key, value, locale),
    source: (source, locale) => dictionary.registeredSourceLabel(source, locale) ?? fallback.source(source, locale),
  };
}

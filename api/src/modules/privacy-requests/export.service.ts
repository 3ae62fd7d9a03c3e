import { toEventResponse } from '../ledger/ledger-writer';
import { Injectable } from '@nestjs/common';
import { inTurn } from '../../common/database/in-turn';
import { In, type EntityManager } from 'typeorm';
import type { Actor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { BrandEntity } from '../brands/brand.entity';
import { ConsentEventEntity, ConsentStateEntity } from '../consents/consent.entity';
import { isConsentValid } from '../consents/consent-validity';
import { DictionaryService } from '../dictionary/dictionary.service';
import { encodeFactValue } from '../dictionary/fact-values';
import { factValue } from '../facts/fact.entity';
import { FactsService, toFactResponse } from '../facts/facts.service';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { FactUseEntity } from '../fact-use/fact-use.entity';
import { PreferencesService } from '../preferences/preferences.service';
import { PreferenceChangeEntity } from '../preferences/preferences.entity';
import { AccessRecordEntity } from '../profiles/access-record.entity';
import { AccessLogService } from '../profiles/access-log.service';
import { NoticeEntity, PurposeEntity } from '../purposes/purpose.entity';
import type { SubjectResponse } from '../subjects/dto/subject.dto';
import { SubjectIdentifiersService } from '../subjects/subject-identifiers.service';
import { SubjectMergeService } from '../subjects/subject-merge.service';
import { SubjectsService } from '../subjects/subjects.service';
import { WebhookEndpointEntity } from '../webhooks/webhook.entity';
import { toConsentRecord } from './consent-records';
import { EXPORT_FORMAT } from './export-schema';
import { PrivacyRequestEntity } from './privacy-request.entity';

export type SubjectExport = Record<string, unknown> & {
  subject: SubjectResponse;
  facts: Array<Record<string, unknown>>;
  consents: { current: Array<Record<string, unknown>>; history: Array<Record<string, unknown>> };
};

/**
 * Everything held about one subject (GDPR Art. 15 and 20, CCPA right to know), with the context
 * Art. 15 requires: purposes, categories, recipients, retention and sources.
 */
@Injectable()
export class ExportService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly facts: FactsService,
    private readonly preferences: PreferencesService,
    private readonly accessLog: AccessLogService,
    private readonly dictionary: DictionaryService,
    private readonly identifiers: SubjectIdentifiersService,
    private readonly merges: SubjectMergeService,
  ) {}

  /** Builds the export; a brand's read of it is recorded in the customer's access log. */
  export(actor: Actor & { brandId: string }, subjectId: string): Promise<SubjectExport> {
    return this.db.run(actor.brandId, async (em) => {
      const document = await this.build(em, actor.brandId, subjectId);
      if (actor.kind !== 'customer') {
        await this.accessLog.record(em, actor.brandId, actor, [subjectId], { kind: 'export', purpose: null, fields: ['everything'] });
      }
      return document;
    });
  }

  /** The subject's consent decisions as self-contained JSON-LD records (each with its notice text). */
  async consentRecordsOf(em: EntityManager, brandId: string, subjectId: string): Promise<Array<Record<string, unknown>>> {
    await this.subjects.require(em, brandId, subjectId);
    const [brand, purposes, notices, states, events] = await inTurn(
      () => em.getRepository(BrandEntity).findOneByOrFail({ brandId }),
      () => em.getRepository(PurposeEntity).findBy({ brandId }),
      () => em.getRepository(NoticeEntity).findBy({ brandId }),
      () => em.getRepository(ConsentStateEntity).findBy({ brandId, subjectId }),
      () => em.getRepository(ConsentEventEntity).find({ where: { brandId, subjectId }, order: { seq: 'ASC' } }),
    );
    return toConsentRecords({ brandName: brand.name, subjectId, purposes, notices, states, events, now: new Date(), embedNoticeTexts: true });
  }

  async build(em: EntityManager, brandId: string, subjectId: string): Promise<SubjectExport> {
    const now = new Date();
    const subject = await this.subjects.presentInTx(em, brandId, subjectId);
    const [brand, purposes, notices, states, events, facts, preferences, access, requests, endpoints, dictionary, keys, factUse, preferenceChanges] = await inTurn(
      () => em.getRepository(BrandEntity).findOneByOrFail({ brandId }),
      () => em.getRepository(PurposeEntity).find({ where: { brandId }, order: { key: 'ASC' } }),
      () => em.getRepository(NoticeEntity).findBy({ brandId }),
      () => em.getRepository(ConsentStateEntity).find({ where: { brandId, subjectId }, order: { purpose: 'ASC' } }),
      () => em.getRepository(ConsentEventEntity).find({ where: { brandId, subjectId }, order: { seq: 'ASC' } }),
      () => this.facts.current(em, brandId, subjectId, now),
      () => this.preferences.read(em, brandId, subjectId),
      () => em.getRepository(AccessRecordEntity).find({ where: { brandId, subjectId }, order: { at: 'ASC' } }),
      () => em.getRepository(PrivacyRequestEntity).find({ where: { brandId, subjectId }, order: { receivedAt: 'ASC' } }),
      () => em.getRepository(WebhookEndpointEntity).find({ where: { brandId }, order: { createdAt: 'ASC' } }),
      () => this.dictionary.load(em, brandId),
      () => em.getRepository(ApiKeyEntity).find({ where: { brandId }, select: { id: true, label: true } }),
      () => em.getRepository(FactUseEntity).find({ where: { brandId, subjectId }, order: { purpose: 'ASC' } }),
      () => em.getRepository(PreferenceChangeEntity).find({ where: { brandId, subjectId }, order: { at: 'ASC' } }),
    );
    // The person's other identifiers, and the records of them joined into this one, each with its consent history.
    const [identifiers, merges] = await inTurn(
      () => this.identifiers.openAll(em, brandId, subjectId),
      () => this.merges.mergesInto(em, brandId, subjectId),
    );
    const mergedEvents = merges.length
      ? await em.getRepository(ConsentEventEntity).find({ where: { brandId, subjectId: In(merges.map((m) => m.mergedSubjectId)) }, order: { seq: 'ASC' } })
      : [];
    const keyLabels = new Map(keys.filter((k) => k.label).map((k) => [`api-key:${k.id}`, k.label]));
    const group = <T>(pairs: Array<[string, T]>) => Object.fromEntries(pairs) as Record<string, T>;
    const values: Record<string, Record<string, Record<string, string>>> = {};
    for (const f of facts) {
      const value = factValue(f);
      (values[f.key] ??= {})[encodeFactValue(value).text] = dictionary.labels((l) => dictionary.factValueLabel(f.key, value, l));
    }
    const noticeText = (purpose: string, version: number | null) =>
      version ? (notices.find((n) => n.purposeKey === purpose && n.version === version)?.text ?? null) : null;

    // The ledger's own mapping of each event, with the words of the notice it points at.
    const history = events.map((e) => ({ ...toEventResponse(e), noticeText: noticeText(e.purpose, e.noticeVersion) }));
    // A full export carries each notice text once, in the history; its records refer to it by id.
    const consentRecords = toConsentRecords({ brandName: brand.name, subjectId, purposes, notices, states, events, now, embedNoticeTexts: false });

    return {
      format: EXPORT_FORMAT,
      generatedAt: now.toISOString(),
      brand: { slug: brand.slug, name: brand.name },
      subject,
      identifiers,
      mergedRecords: merges.map((m) => ({
        subjectId: m.mergedSubjectId,
        mergedAt: m.mergedAt,
        consentHistory: mergedEvents.filter((e) => e.subjectId === m.mergedSubjectId).map((e) => ({ ...toEventResponse(e), noticeText: noticeText(e.purpose, e.noticeVersion) })),
      })),
      // Ids are Candor's, not the customer's: the export (and an import elsewhere) leaves them out.
      facts: facts.map((f) => {
        const { id: _id, ...fact } = toFactResponse(f);
        return fact;
      }),
      factUse: factUse.map((u) => ({ purpose: u.purpose, use: u.use, updatedAt: u.updatedAt.toISOString() })),
      preferences: { channels: preferences.channels, quietHours: preferences.quietHours, topics: preferences.topics, purposes: preferences.purposes },
      preferenceChanges: preferenceChanges.map((c) => ({
        at: c.at.toISOString(),
        changedBy: c.actorName ?? (c.actor === `subject:${subjectId}` ? 'you' : c.actor),
        source: c.source,
        fields: c.fields,
      })),
      consents: {
        current: states.map((s) => ({
          purpose: s.purpose,
          granted: s.granted,
          valid: isConsentValid(s, now),
          noticeVersion: s.noticeVersion,
          source: s.source,
          updatedAt: s.updatedAt.toISOString(),
          expiresAt: s.expiresAt ? s.expiresAt.toISOString() : null,
        })),
        history,
      },
      consentRecords,
      accessLog: access.map((a) => ({ at: a.at.toISOString(), reader: a.actorName ?? a.actor, kind: a.kind, purpose: a.purpose, fields: a.fields })),
      privacyRequests: requests.map((r) => ({
        id: r.id,
        type: r.type,
        status: r.status,
        jurisdiction: r.jurisdiction,
        channel: r.channel,
        receivedAt: r.receivedAt.toISOString(),
        dueAt: r.dueAt.toISOString(),
        completedAt: r.completedAt ? r.completedAt.toISOString() : null,
      })),
      context: {
        purposes: purposes.map((p) => ({
          key: p.key,
          name: p.name,
          legalBasis: p.legalBasis,
          dpvTerm: p.dpvTerm,
          dataCategories: p.dataCategories,
          channels: p.channels,
          saleOrShare: p.saleOrShare,
          // The period as data, so a reader's copy can say it in their language; `retention` keeps the English sentence.
          retentionDays: p.retentionDays,
          retention: p.retentionDays ? `${p.retentionDays} days after collection` : 'until you withdraw consent or ask us to erase it',
        })),
        dataCategories: [...new Set(facts.map((f) => f.category))].sort(),
        recipients: endpoints
          .filter((e) => e.status === 'active')
          .map((e) => ({ name: e.name, receives: e.events })),
        sources: [...new Set([...facts.map((f) => f.source), ...events.map((e) => e.source)])].sort(),
        rights:
          'You may see, correct and delete this data, download it, withdraw any consent, object, restrict processing and ask to be forgotten — in the portal or by writing to us.',
        dictionary: {
          locales: [...dictionary.locales],
          factKeys: group(
            [...facts.map((f) => f.key), ...access.flatMap((a) => a.fields.filter((f) => f.startsWith('facts.')).map((f) => f.slice('facts.'.length)))].map((key) => [
              key,
              dictionary.labels((l) => dictionary.keyLabel(key, l)),
            ]),
          ),
          values,
          sources: group(facts.map((f) => [f.source, dictionary.labels((l) => dictionary.sourceLabel(f.source, l))])),
          topics: group(preferences.topics.map((t) => [t, dictionary.labels((l) => dictionary.topicLabel(t, l))])),
          readers: group(
            access.map((a) => [
              a.actorName ?? a.actor,
              dictionary.labels((l) => dictionary.readerLabel({ actor: a.actor, name: a.actorName, label: keyLabels.get(a.actor) }, l)),
            ]),
          ),
        },
      },
    };
  }
}

/**
 * Consent events as ISO/IEC TS 27560-aligned JSON-LD records. `embedNoticeTexts`: put each notice's
 * text into its record (the per-subject records route); otherwise refer to the notice by id.
 */
function toConsentRecords(input: {
  brandName: string;
  subjectId: string;
  purposes: PurposeEntity[];
  notices: NoticeEntity[];
  states: ConsentStateEntity[];
  events: ConsentEventEntity[];
  now: Date;
  embedNoticeTexts: boolean;
}): Array<Record<string, unknown>> {
  const purposeByKey = new Map(input.purposes.map((p) => [p.key, p]));
  const latestByPurpose = new Map(input.states.map((s) => [s.purpose, s.eventId]));
  const text = (purpose: string, version: number | null) =>
    version ? (input.notices.find((n) => n.purposeKey === purpose && n.version === version)?.text ?? null) : null;
  return input.events.map((e) => {
    const p = purposeByKey.get(e.purpose)!;
    return toConsentRecord({
      eventId: e.id,
      subjectId: input.subjectId,
      brandName: input.brandName,
      purpose: { key: p.key, dpvTerm: p.dpvTerm, legalBasis: p.legalBasis, dataCategories: p.dataCategories, name: p.name },
      granted: e.granted,
      expired: e.granted && latestByPurpose.get(e.purpose) === e.id && !isConsentValid(e, input.now),
      noticeVersion: e.noticeVersion,
      noticeText: input.embedNoticeTexts ? text(e.purpose, e.noticeVersion) : null,
      source: e.source,
      actor: e.actor,
      capturedAt: e.capturedAt.toISOString(),
      recordedAt: e.recordedAt.toISOString(),
      expiresAt: e.expiresAt ? e.expiresAt.toISOString() : null,
      hash: e.hash,
    });
  });
}

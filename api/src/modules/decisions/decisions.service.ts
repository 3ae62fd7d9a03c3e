import { assertPurposeAllowed } from '../../common/authz/personal-data';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, MAX_PAGE_SIZE, Page, PageQuery } from '../../common/http/pagination';
import type { Channel } from '../purposes/purpose-catalogue';
import { PurposeEntity } from '../purposes/purpose.entity';
import { AccessLogService } from '../profiles/access-log.service';
import { SubjectsService } from '../subjects/subjects.service';
import { UnsubscribeLink, UnsubscribeLinks } from '../unsubscribe/unsubscribe-links';
import { ContactFacts, ContactDecision, decideContact, decideMention } from './contact-policy';
import { DecisionReader, DecisionRow } from './decision-reader';
import { ContactEntity, SuppressionEntity, suppressionReasonField } from './decision.entity';
import { ContactCheckDto, ContactResponse, CreateSuppressionDto, MentionDecisionResponse, RecordContactDto, SuppressionResponse } from './dto/decision.dto';

/** One decision as the brand gets it. */
export type Decision = ContactDecision & { unsubscribe?: UnsubscribeLink; mention?: MentionDecisionResponse };

/** One decision of a batch: the check it answers, then the answer. */
export type BatchDecision = Decision & { subjectId: string; purpose: string; channel: Channel; mergedInto?: string };

/** A decision with the facts it was made from (for explaining it: `decisionUntil`). */
export interface ExplainedDecision {
  check: ContactCheckDto;
  decision: ContactDecision;
  facts: ContactFacts;
}

/** "May I contact this person on this channel for this purpose now?" — the call brands make before every send. */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly reader: DecisionReader,
    private readonly unsubscribeLinks: UnsubscribeLinks,
    private readonly cursors: Cursors,
    private readonly accessLog: AccessLogService,
  ) {}

  /** One check. An unknown subject or purpose (or mentioned purpose) is a 404/422, as for any other route. */
  async decide(caller: BrandActor, check: ContactCheckDto): Promise<Decision> {
    if (check.mention !== undefined) assertPurposeAllowed(caller, check.mention);
    const [result] = await this.decideMany(caller, [check]);
    if (result.reasons[0] === 'subject-unknown') throw DomainError.notFound('subject', check.subjectId);
    if (result.mergedInto) throw DomainError.subjectMerged(result.mergedInto);
    if (result.reasons[0] === 'purpose-unknown') {
      throw new DomainError('unknown-purpose', 'The purpose named is not defined for this brand.', {
        errors: [{ path: 'purpose', message: 'is not a purpose of this brand' }],
      });
    }
    if (result.mention?.reasons[0] === 'purpose-unknown') throw DomainError.unknownPurpose(check.mention!, 'mention');
    const { allowed, reasons, unsubscribe, mention } = result;
    return { allowed, reasons, ...(unsubscribe ? { unsubscribe } : {}), ...(mention ? { mention } : {}) };
  }

  /**
   * Up to 1000 checks in one query; results in the order of the checks. A check that names a
   * `mention` also reads the mentioned purpose, in the same query.
   */
  async decideMany(caller: BrandActor, checks: ContactCheckDto[]): Promise<BatchDecision[]> {
    for (const check of checks) if (check.mention !== undefined) assertPurposeAllowed(caller, check.mention);
    const reads: ContactCheckDto[] = [...checks];
    const mentionAt = checks.map((c) => (c.mention === undefined ? -1 : reads.push({ subjectId: c.subjectId, purpose: c.mention, channel: c.channel }) - 1));
    const rows = await this.reader.read(caller.brandId, reads);
    const now = new Date();
    return checks.map((check, i) => {
      // A record merged into another decides nothing: its consent now lives on the survivor.
      if (rows[i].merged_into && rows[i].erased_at === null) {
        return { subjectId: check.subjectId, purpose: check.purpose, channel: check.channel, allowed: false, reasons: ['subject-merged'], mergedInto: rows[i].merged_into };
      }
      const decision = decideContact(this.factsOf(caller.brandId, check.subjectId, rows[i]), check.channel, now);
      const unsubscribe = this.unsubscribeFor(caller.brandId, check, rows[i], decision);
      const result: BatchDecision = { subjectId: check.subjectId, purpose: check.purpose, channel: check.channel, ...decision, ...(unsubscribe ? { unsubscribe } : {}) };
      if (mentionAt[i] >= 0) {
        const row = rows[mentionAt[i]];
        const mentioned = decideMention(decision, this.factsOf(caller.brandId, check.subjectId, row), check.channel, now);
        const link = this.unsubscribeFor(caller.brandId, { ...check, purpose: check.mention! }, row, mentioned);
        result.mention = { purpose: check.mention!, ...mentioned, ...(link ? { unsubscribe: link } : {}) };
      }
      return result;
    });
  }

  /**
   * The same decisions with the facts each was made from: what the person's "what would the
   * brand be told" panel explains (GET /v1/me/decisions). The same query and policy as `decideMany`.
   */
  async explain(brandId: string, checks: ContactCheckDto[]): Promise<ExplainedDecision[]> {
    const rows = await this.reader.read(brandId, checks);
    const now = new Date();
    return checks.map((check, i) => {
      const facts = this.factsOf(brandId, check.subjectId, rows[i]);
      return { check, facts, decision: decideContact(facts, check.channel, now) };
    });
  }

  private factsOf(brandId: string, subjectId: string, row: DecisionRow): ContactFacts {
    return toFacts(row, this.suppressionReason(brandId, subjectId, row));
  }

  /**
   * Every email a consent-based purpose allows carries a one-click unsubscribe link (RFC 8058),
   * built from the row the decision read: no further query.
   */
  private unsubscribeFor(brandId: string, check: ContactCheckDto, row: DecisionRow, decision: ContactDecision): UnsubscribeLink | null {
    if (!decision.allowed || check.channel !== 'email' || row.legal_basis !== 'consent' || row.brand_slug === null || row.unsubscribe_generation === null) return null;
    return this.unsubscribeLinks.linkFor(row.brand_slug, { brandId, subjectId: check.subjectId, purpose: check.purpose, generation: row.unsubscribe_generation });
  }

  /** The active suppression's reason, opened with the subject's key (sealed since migration 1764920000000). */
  private suppressionReason(brandId: string, subjectId: string, row: DecisionRow): string {
    if (row.suppression_reason_ct && row.suppression_key && row.suppression_id) {
      return this.subjects.unsealWith(brandId, subjectId, row.suppression_key, suppressionReasonField(row.suppression_id), row.suppression_reason_ct);
    }
    return row.suppression_reason ?? '';
  }

  recordContact(caller: BrandActor, subjectId: string, input: RecordContactDto): Promise<ContactResponse> {
    assertPurposeAllowed(caller, input.purpose);
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const purpose = await em.getRepository(PurposeEntity).findOneBy({ brandId: caller.brandId, key: input.purpose });
      if (!purpose) {
        throw new DomainError('unknown-purpose', 'The purpose named is not defined for this brand.', {
          errors: [{ path: 'purpose', message: 'is not a purpose of this brand' }],
        });
      }
      const contact = em.getRepository(ContactEntity).create({
        brandId: caller.brandId,
        id: randomUUID(),
        subjectId,
        purpose: input.purpose,
        channel: input.channel,
        at: input.at ?? new Date(),
        // Frequency caps count marketing only: an order update or a customer-care reply does not use them up.
        marketing: purpose.marketing,
      });
      await em.getRepository(ContactEntity).insert(contact);
      return { id: contact.id, purpose: contact.purpose, channel: contact.channel as Channel, at: contact.at.toISOString(), marketing: contact.marketing };
    });
  }

  suppress(caller: BrandActor, subjectId: string, input: CreateSuppressionDto): Promise<SuppressionResponse> {
    const now = new Date();
    if (input.until.getTime() <= now.getTime()) throw DomainError.validation([{ path: 'until', message: 'must be in the future' }]);
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const id = randomUUID();
      const reasonCt = await this.subjects.seal(em, caller.brandId, subjectId, suppressionReasonField(id), input.reason);
      const row = em.getRepository(SuppressionEntity).create({ brandId: caller.brandId, id, subjectId, reasonCt, plainReason: null, until: input.until, createdAt: now, endedAt: null });
      await em.getRepository(SuppressionEntity).insert(row);
      return toSuppressionResponse(row, input.reason, now);
    });
  }

  /** A subject's suppressions, newest first, ended and lapsed ones too; each read is in the person's access log. */
  listSuppressions(caller: BrandActor, subjectId: string, query: PageQuery): Promise<Page<SuppressionResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const scope = { list: 'suppressions', brandId: caller.brandId, parent: subjectId } as const;
      const after = this.cursors.decode(scope, query.cursor, { at: 'timestamp', id: 'uuid' });
      const qb = em
        .getRepository(SuppressionEntity)
        .createQueryBuilder('x')
        .where('x.brand_id = :brandId AND x.subject_id = :subjectId', { brandId: caller.brandId, subjectId })
        .orderBy('x.created_at', 'DESC')
        .addOrderBy('x.suppression_id', 'DESC')
        .limit(limit + 1);
      if (after) qb.andWhere('(x.created_at, x.suppression_id) < (:at, :id)', { at: after.at, id: after.id });
      const rows = await qb.getMany();
      const page = rows.slice(0, limit);
      const now = new Date();
      const data: SuppressionResponse[] = [];
      for (const row of page) data.push(toSuppressionResponse(row, await this.reasonOf(em, row), now));
      await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'suppressions', purpose: null, fields: ['suppressions'] });
      const last = page[page.length - 1];
      return { data, nextCursor: rows.length > limit ? this.cursors.encode(scope, { at: last.createdAt.toISOString(), id: last.id }) : null };
    });
  }

  /**
   * Ends a suppression early (the cart was bought, the case closed): marketing decisions stop
   * waiting for it at once. Ending one that has already ended or lapsed changes nothing.
   */
  endSuppression(caller: BrandActor, subjectId: string, suppressionId: string): Promise<void> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const repo = em.getRepository(SuppressionEntity);
      const row = await repo.findOne({ where: { brandId: caller.brandId, id: suppressionId }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.subjectId !== subjectId) throw DomainError.notFound('suppression', suppressionId);
      const now = new Date();
      if (row.endedAt === null && row.until.getTime() > now.getTime()) await repo.update({ brandId: caller.brandId, id: suppressionId }, { endedAt: now });
    });
  }

  private async reasonOf(em: EntityManager, row: SuppressionEntity): Promise<string> {
    if (!row.reasonCt) return row.plainReason ?? '';
    return (await this.subjects.unseal(em, row.brandId, row.subjectId, suppressionReasonField(row.id), row.reasonCt)) ?? '';
  }
}

function toSuppressionResponse(row: SuppressionEntity, reason: string, now: Date): SuppressionResponse {
  return {
    id: row.id,
    reason,
    until: row.until.toISOString(),
    createdAt: row.createdAt.toISOString(),
    endedAt: row.endedAt ? row.endedAt.toISOString() : null,
    active: row.endedAt === null && row.until.getTime() > now.getTime(),
  };
}

function toFacts(row: DecisionRow, suppressionReason: string): ContactFacts {
  return {
    subjectExists: row.subject_exists,
    erased: row.erased_at !== null,
    timezone: row.timezone,
    purposeExists: row.purpose_exists,
    legalBasis: row.legal_basis,
    purposeChannels: row.purpose_channels ?? [],
    consent: row.consent_granted === null ? null : { granted: row.consent_granted, expiresAt: row.consent_expires_at },
    channels: row.pref_channels,
    quietHours: row.quiet_hours,
    lastMarketingContactAt: row.last_contact_at,
    suppression: row.suppression_until ? { reason: suppressionReason, until: row.suppression_until } : null,
    pendingConfirmation: row.pending_confirmation,
    ...(row.marketing === null ? {} : { marketing: row.marketing }),
    chosenChannels: Array.isArray(row.chosen_channels) ? row.chosen_channels : null,
  };
}

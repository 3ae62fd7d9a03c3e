import { assertPurposeAllowed } from '../../common/authz/personal-data';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import type { Channel } from '../purposes/purpose-catalogue';
import { SubjectsService } from '../subjects/subjects.service';
import { UnsubscribeLink, UnsubscribeLinks } from '../unsubscribe/unsubscribe-links';
import { ContactFacts, ContactDecision, decideContact } from './contact-policy';
import { DecisionReader, DecisionRow } from './decision-reader';
import { ContactEntity, SuppressionEntity, suppressionReasonField } from './decision.entity';
import { ContactCheckDto, ContactResponse, CreateSuppressionDto, RecordContactDto, SuppressionResponse } from './dto/decision.dto';

/** "May I contact this person on this channel for this purpose now?" — the call brands make before every send. */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly reader: DecisionReader,
    private readonly unsubscribeLinks: UnsubscribeLinks,
  ) {}

  /** One check. An unknown subject or purpose is a 404/422, as for any other route. */
  async decide(caller: BrandActor, check: ContactCheckDto): Promise<ContactDecision & { unsubscribe?: UnsubscribeLink }> {
    const [result] = await this.decideMany(caller, [check]);
    if (result.reasons[0] === 'subject-unknown') throw DomainError.notFound('subject', check.subjectId);
    if (result.mergedInto) throw DomainError.subjectMerged(result.mergedInto);
    if (result.reasons[0] === 'purpose-unknown') {
      throw new DomainError('unknown-purpose', 'The purpose named is not defined for this brand.', {
        errors: [{ path: 'purpose', message: 'is not a purpose of this brand' }],
      });
    }
    return { allowed: result.allowed, reasons: result.reasons, ...(result.unsubscribe ? { unsubscribe: result.unsubscribe } : {}) };
  }

  /** Up to 1000 checks in one query; results in the order of the checks. */
  async decideMany(caller: BrandActor, checks: ContactCheckDto[]): Promise<Array<ContactDecision & ContactCheckDto & { unsubscribe?: UnsubscribeLink; mergedInto?: string }>> {
    const rows = await this.reader.read(caller.brandId, checks);
    const now = new Date();
    return rows.map((row, i) => {
      // A record merged into another decides nothing: its consent now lives on the survivor.
      if (row.merged_into && row.erased_at === null) return { ...checks[i], allowed: false, reasons: ['subject-merged'], mergedInto: row.merged_into };
      const decision = decideContact(toFacts(row, this.suppressionReason(caller.brandId, checks[i].subjectId, row)), checks[i].channel as Channel, now);
      const unsubscribe = this.unsubscribeFor(caller.brandId, checks[i], row, decision);
      return { ...checks[i], ...decision, ...(unsubscribe ? { unsubscribe } : {}) };
    });
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
      const [purpose] = await em.query(`SELECT legal_basis FROM purposes WHERE brand_id = $1 AND purpose_key = $2`, [caller.brandId, input.purpose]);
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
        marketing: !['contract', 'legal_obligation'].includes(purpose.legal_basis),
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
      const row = em.getRepository(SuppressionEntity).create({ brandId: caller.brandId, id, subjectId, reasonCt, plainReason: null, until: input.until, createdAt: now });
      await em.getRepository(SuppressionEntity).insert(row);
      return { id: row.id, reason: input.reason, until: row.until.toISOString(), createdAt: row.createdAt.toISOString() };
    });
  }
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
  };
}

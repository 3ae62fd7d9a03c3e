import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import type { LegalBasis } from '../purposes/purpose.entity';
import type { Channel } from '../purposes/purpose-catalogue';
import { SubjectsService } from '../subjects/subjects.service';
import { ContactFacts, ContactDecision, decideContact } from './contact-policy';
import { ContactEntity, SuppressionEntity } from './decision.entity';
import { ContactCheckDto, ContactResponse, CreateSuppressionDto, RecordContactDto, SuppressionResponse } from './dto/decision.dto';

interface DecisionRow {
  ord: string;
  subject_exists: boolean;
  erased_at: Date | null;
  timezone: string | null;
  purpose_exists: boolean;
  legal_basis: LegalBasis | null;
  purpose_channels: string[] | null;
  consent_granted: boolean | null;
  consent_expires_at: Date | null;
  pref_channels: ContactFacts['channels'];
  quiet_hours: ContactFacts['quietHours'];
  last_contact_at: Date | null;
  suppression_reason: string | null;
  suppression_until: Date | null;
}

/**
 * Everything one contact decision needs, for a whole batch, in one indexed query: one row per
 * check, in order. The rules themselves are the pure `decideContact`.
 */
const DECISION_SQL = `
  WITH req AS (
    SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS r(subject_id, purpose_key, channel, ord)
  )
  SELECT r.ord,
         s.subject_id IS NOT NULL AS subject_exists, s.erased_at, s.timezone,
         p.purpose_key IS NOT NULL AS purpose_exists, p.legal_basis, p.channels AS purpose_channels,
         cs.granted AS consent_granted, cs.expires_at AS consent_expires_at,
         pr.channels AS pref_channels, pr.quiet_hours,
         (SELECT c.at FROM contacts c
           WHERE c.brand_id = $1 AND c.subject_id = r.subject_id AND c.channel = r.channel AND c.marketing
           ORDER BY c.at DESC LIMIT 1) AS last_contact_at,
         sup.reason AS suppression_reason, sup.until AS suppression_until
  FROM req r
  LEFT JOIN subjects s ON s.brand_id = $1 AND s.subject_id = r.subject_id
  LEFT JOIN purposes p ON p.brand_id = $1 AND p.purpose_key = r.purpose_key
  LEFT JOIN consent_states cs ON cs.brand_id = $1 AND cs.subject_id = r.subject_id AND cs.purpose_key = r.purpose_key
  LEFT JOIN preferences pr ON pr.brand_id = $1 AND pr.subject_id = r.subject_id
  LEFT JOIN LATERAL (
    SELECT x.reason, x.until FROM suppressions x
    WHERE x.brand_id = $1 AND x.subject_id = r.subject_id AND x.until > now()
    ORDER BY x.until DESC LIMIT 1
  ) sup ON true
  ORDER BY r.ord`;

/** "May I contact this person on this channel for this purpose now?" — the call brands make before every send. */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
  ) {}

  /** One check. An unknown subject or purpose is a 404/422, as for any other route. */
  async decide(caller: BrandActor, check: ContactCheckDto): Promise<ContactDecision> {
    const [result] = await this.decideMany(caller, [check]);
    if (result.reasons[0] === 'subject-unknown') throw DomainError.notFound('subject', check.subjectId);
    if (result.reasons[0] === 'purpose-unknown') {
      throw new DomainError('unknown-purpose', `The purpose "${check.purpose}" is not defined for this brand.`, {
        errors: [{ path: 'purpose', message: 'is not a purpose of this brand' }],
      });
    }
    return { allowed: result.allowed, reasons: result.reasons };
  }

  /** Up to 1000 checks in one query; results in the order of the checks. */
  decideMany(caller: BrandActor, checks: ContactCheckDto[]): Promise<Array<ContactDecision & ContactCheckDto>> {
    return this.db.run(caller.brandId, async (em) => {
      const rows: DecisionRow[] = await em.query(DECISION_SQL, [
        caller.brandId,
        checks.map((c) => c.subjectId),
        checks.map((c) => c.purpose),
        checks.map((c) => c.channel),
      ]);
      const now = new Date();
      return rows.map((row, i) => ({ ...checks[i], ...decideContact(toFacts(row), checks[i].channel as Channel, now) }));
    });
  }

  recordContact(caller: BrandActor, subjectId: string, input: RecordContactDto): Promise<ContactResponse> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const [purpose] = await em.query(`SELECT legal_basis FROM purposes WHERE brand_id = $1 AND purpose_key = $2`, [caller.brandId, input.purpose]);
      if (!purpose) {
        throw new DomainError('unknown-purpose', `The purpose "${input.purpose}" is not defined for this brand.`, {
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
      const row = em.getRepository(SuppressionEntity).create({ brandId: caller.brandId, id: randomUUID(), subjectId, reason: input.reason, until: input.until, createdAt: now });
      await em.getRepository(SuppressionEntity).insert(row);
      return { id: row.id, reason: row.reason, until: row.until.toISOString(), createdAt: row.createdAt.toISOString() };
    });
  }
}

function toFacts(row: DecisionRow): ContactFacts {
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
    suppression: row.suppression_reason ? { reason: row.suppression_reason, until: row.suppression_until! } : null,
  };
}

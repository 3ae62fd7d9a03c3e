import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import { assertPurposeAllowed, purposesOf } from '../../common/authz/personal-data';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { ConsentLedgerService } from '../consents/consent-ledger.service';
import { SubjectsService } from '../subjects/subjects.service';
import { UnsubscribeResultResponse, UnsubscribeStateResponse } from './dto/unsubscribe.dto';
import { UnsubscribeLinks } from './unsubscribe-links';
import type { UnsubscribeClaims } from './unsubscribe-token';

interface LinkRow {
  brand_slug: string;
  brand_name: string;
  default_locale: string;
  purpose_name: Record<string, string> | null;
  locale: string | null;
  subject_live: boolean;
  granted: boolean | null;
  captured_at: Date | null;
  consent_event_id: string | null;
  unsubscribe_generation: number | null;
}

/**
 * One-click unsubscribe (RFC 8058): the link an allowed email decision carries withdraws that
 * purpose's consent for that person with one credential-less POST. The link is a sealed token (no
 * lookup table): it is valid while the subject's consent state for the purpose still carries the
 * generation it was sealed with, so `revoke` — one increment — ends every link issued so far.
 */
@Injectable()
export class UnsubscribeService {
  constructor(
    private readonly db: TenantDb,
    private readonly links: UnsubscribeLinks,
    private readonly ledger: ConsentLedgerService,
    private readonly subjects: SubjectsService,
    private readonly audit: AuditService,
  ) {}

  /** What the link would do, and whether it already has. Reading never unsubscribes (mail scanners fetch links). */
  read(token: string): Promise<UnsubscribeStateResponse> {
    const sealed = this.claimsOf(token);
    return this.db.run(sealed.brandId, async (em) => {
      const claims = await this.followMerge(em, sealed);
      return toState(claims, await this.load(em, claims));
    });
  }

  /**
   * Withdraws the consent through the ledger (source `one-click-unsubscribe`, actor the person).
   * Idempotent: when it is already withdrawn — by this link, the portal or anything else — nothing
   * new is recorded and the answer is the same.
   */
  unsubscribe(token: string): Promise<UnsubscribeResultResponse> {
    const sealed = this.claimsOf(token);
    return this.db.run(sealed.brandId, async (em) => {
      // Under the chain head (as every append), so two POSTs of one link record one withdrawal.
      await this.ledger.lockChain(em, sealed.brandId);
      const claims = await this.followMerge(em, sealed);
      const row = await this.load(em, claims);
      if (row.granted === false) return { ...toState(claims, row), changed: false, consentEventId: row.consent_event_id! };
      const person: CustomerActor = { kind: 'customer', brandId: claims.brandId, subjectId: claims.subjectId, sessionId: 'unsubscribe-link' };
      const event = await this.ledger.append(em, person, claims.subjectId, { purpose: claims.purpose, granted: false, source: 'one-click-unsubscribe' }, {
        requestEvidence: { via: 'one-click unsubscribe link (RFC 8058)', linkGeneration: String(claims.generation) },
      });
      return { ...toState(claims, { ...row, granted: false, captured_at: new Date(event.capturedAt) }), changed: true, consentEventId: event.id };
    });
  }

  /**
   * Revokes every unsubscribe link issued so far for the subject (or one purpose of theirs): the
   * next decision carries a new one. For a link that leaked (a forwarded email). A key limited to
   * purposes revokes only its own purposes' links.
   */
  revoke(caller: BrandActor, subjectId: string, purpose?: string): Promise<void> {
    if (purpose !== undefined) assertPurposeAllowed(caller, purpose);
    const limit = purposesOf(caller);
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      if (purpose !== undefined) {
        const [known] = await em.query(`SELECT 1 FROM purposes WHERE brand_id = $1 AND purpose_key = $2`, [caller.brandId, purpose]);
        if (!known) throw DomainError.unknownPurpose(purpose);
      }
      const revoked: Array<{ purpose_key: string }> = await em.query(
        `UPDATE consent_states SET unsubscribe_generation = unsubscribe_generation + 1
         WHERE brand_id = $1 AND subject_id = $2 AND ($3::text IS NULL OR purpose_key = $3) AND ($4::text[] IS NULL OR purpose_key = ANY($4))
         RETURNING purpose_key`,
        [caller.brandId, subjectId, purpose ?? null, limit ? [...limit] : null],
      );
      await this.audit.record(em, caller.brandId, caller, 'unsubscribe_links.revoked', subjectId, { purposes: revoked.map((r) => r.purpose_key).sort() });
    });
  }

  /**
   * A link sent to a record since merged into another of the person's records withdraws on the
   * survivor: the person asked not to be written to, whichever record the email came from. Its
   * generation was the merged record's (whose states went with the merge), so it is checked against
   * nothing; at worst an old link withdraws, which is what it is for.
   */
  private async followMerge(em: EntityManager, claims: UnsubscribeClaims): Promise<UnsubscribeClaims> {
    const [merged]: Array<{ survivor: string; generation: number | null }> = await em.query(
      `SELECT s.merged_into AS survivor, cs.unsubscribe_generation AS generation
       FROM subjects s LEFT JOIN consent_states cs ON cs.brand_id = s.brand_id AND cs.subject_id = s.merged_into AND cs.purpose_key = $3
       WHERE s.brand_id = $1 AND s.subject_id = $2 AND s.merged_into IS NOT NULL`,
      [claims.brandId, claims.subjectId, claims.purpose],
    );
    return merged ? { ...claims, subjectId: merged.survivor, generation: merged.generation ?? claims.generation } : claims;
  }

  private claimsOf(token: string): UnsubscribeClaims {
    const claims = this.links.open(token);
    if (!claims) throw new DomainError('unsubscribe-link-invalid', 'This is not an unsubscribe link Candor issued: it may have been cut short or changed. Nothing was changed.');
    return claims;
  }

  /** The link's brand, purpose and consent state; 410 when the link was revoked or its subject erased. */
  private async load(em: EntityManager, claims: UnsubscribeClaims): Promise<LinkRow> {
    const [row]: LinkRow[] = await em.query(
      `SELECT b.slug AS brand_slug, b.name AS brand_name, b.default_locale, p.name AS purpose_name,
              s.locale, (s.subject_id IS NOT NULL AND s.erased_at IS NULL) AS subject_live,
              cs.granted, cs.captured_at, cs.consent_event_id, cs.unsubscribe_generation
       FROM brands b
       LEFT JOIN subjects s ON s.brand_id = b.brand_id AND s.subject_id = $2
       LEFT JOIN purposes p ON p.brand_id = b.brand_id AND p.purpose_key = $3
       LEFT JOIN consent_states cs ON cs.brand_id = b.brand_id AND cs.subject_id = $2 AND cs.purpose_key = $3
       WHERE b.brand_id = $1`,
      [claims.brandId, claims.subjectId, claims.purpose],
    );
    if (!row) throw new DomainError('unsubscribe-link-invalid', 'This is not an unsubscribe link Candor issued. Nothing was changed.');
    if (!row.subject_live || !row.purpose_name || row.granted === null || row.unsubscribe_generation !== claims.generation) {
      throw new DomainError(
        'unsubscribe-link-revoked',
        'This unsubscribe link no longer works (it was replaced or revoked). Nothing was changed; the person can manage their choices in the portal.',
      );
    }
    return row;
  }
}

function toState(claims: UnsubscribeClaims, row: LinkRow): UnsubscribeStateResponse {
  return {
    brand: { slug: row.brand_slug, name: row.brand_name, defaultLocale: row.default_locale },
    purpose: { key: claims.purpose, name: row.purpose_name ?? {} },
    locale: row.locale,
    subscribed: row.granted === true,
    unsubscribedAt: row.granted === false && row.captured_at ? new Date(row.captured_at).toISOString() : null,
  };
}

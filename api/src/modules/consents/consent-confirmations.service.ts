import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CustomerActor } from '../../common/authz/actor';
import { Clock } from '../../common/clock';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { SubjectsService } from '../subjects/subjects.service';
import { ConsentLedgerService } from './consent-ledger.service';
import { confirmationEvidenceField, CONFIRMATION_TOKEN } from './confirmation-requests';
import { ConsentConfirmationResponse } from './dto/confirmation.dto';

interface ConfirmationRow {
  confirmation_id: string;
  subject_id: string;
  purpose_key: string;
  notice_version: number | null;
  source: string;
  requested_by: string;
  captured_at: Date;
  requested_at: Date;
  expires_at: Date;
  consent_expires_at: Date | null;
  evidence_ct: Buffer | null;
  locale: string;
  mailed_at: Date | null;
  resolved_at: Date | null;
  resolution: 'confirmed' | 'granted' | 'withdrawn' | null;
  purpose_name: Record<string, string>;
  notice_text: Record<string, string> | null;
  brand_name: string;
  brand_slug: string;
  default_locale: string;
}

/**
 * The person's side of double opt-in, for whoever holds the emailed link (no credential: the
 * token is it). Reading the link changes nothing (mail scanners fetch links); "Confirm" records the
 * grant through the ledger — actor the subject, source `double-opt-in`, the confirmation as evidence.
 */
@Injectable()
export class ConsentConfirmationsService {
  constructor(
    private readonly db: TenantDb,
    private readonly ledger: ConsentLedgerService,
    private readonly subjects: SubjectsService,
    private readonly clock: Clock,
  ) {}

  /** What the link asks the person to confirm, and where it stands. Unknown or malformed tokens are 404. */
  async read(token: string): Promise<ConsentConfirmationResponse> {
    const { brandId, tokenHash } = await this.find(token);
    return this.db.run(brandId, async (em) => toResponse(await this.load(em, brandId, tokenHash), this.clock.now()));
  }

  /**
   * Records the grant the link stands for. Confirming twice answers as the first time did; an
   * expired link is 410 `confirmation-expired`, one whose consent was withdrawn meanwhile 409.
   */
  async confirm(token: string, requestEvidence: Record<string, string | undefined> = {}): Promise<ConsentConfirmationResponse> {
    const { brandId, tokenHash } = await this.find(token);
    return this.db.run(brandId, async (em) => {
      // The chain head first, as every append takes it, then this confirmation's row.
      await this.ledger.lockChain(em, brandId);
      const row = await this.load(em, brandId, tokenHash, true);
      const now = this.clock.now();
      if (row.resolution === 'confirmed' || row.resolution === 'granted') return toResponse(row, now);
      if (row.resolution === 'withdrawn') {
        throw new DomainError('confirmation-withdrawn', 'The consent was withdrawn after this link was sent, so there is nothing to confirm. The person can grant it again in the portal.');
      }
      if (expired(row, now)) throw new DomainError('confirmation-expired', 'This confirmation link has expired; nothing was recorded. The brand can ask again.');

      const original = row.evidence_ct ? await this.subjects.unseal(em, brandId, row.subject_id, confirmationEvidenceField(row.confirmation_id), row.evidence_ct) : null;
      // The person acts, proven by the link that reached their mailbox rather than by a session.
      const person: CustomerActor = { kind: 'customer', brandId, subjectId: row.subject_id, sessionId: `confirmation:${row.confirmation_id}` };
      const event = await this.ledger.append(
        em,
        person,
        row.subject_id,
        {
          purpose: row.purpose_key,
          granted: true,
          source: 'double-opt-in',
          capturedAt: now,
          ...(row.notice_version !== null ? { noticeVersion: row.notice_version } : {}),
          ...(row.consent_expires_at ? { expiresAt: new Date(row.consent_expires_at) } : {}),
          evidence: {
            ...(original ? (JSON.parse(original) as Record<string, unknown>) : {}),
            doubleOptIn: {
              confirmationId: row.confirmation_id,
              requestedBy: row.requested_by,
              requestedSource: row.source,
              capturedAt: new Date(row.captured_at).toISOString(),
              requestedAt: new Date(row.requested_at).toISOString(),
              emailedAt: row.mailed_at ? new Date(row.mailed_at).toISOString() : null,
              confirmedAt: now.toISOString(),
            },
          },
        },
        { confirmationId: row.confirmation_id, requestEvidence },
      );
      return toResponse({ ...row, resolution: 'confirmed', resolved_at: new Date(event.capturedAt) }, now);
    });
  }

  private async find(token: string): Promise<{ brandId: string; tokenHash: string }> {
    const notFound = DomainError.notFound('confirmation', 'this link');
    if (!CONFIRMATION_TOKEN.test(token)) throw notFound;
    const tokenHash = CryptoService.secretHash(token);
    const found: Array<{ brand_id: string }> = await this.db.lookup({ tokenHash }, (em) =>
      em.query(`SELECT brand_id FROM consent_confirmations WHERE token_hash = $1`, [tokenHash]),
    );
    if (!found.length) throw notFound;
    return { brandId: found[0].brand_id, tokenHash };
  }

  private async load(em: EntityManager, brandId: string, tokenHash: string, lock = false): Promise<ConfirmationRow> {
    const [row]: ConfirmationRow[] = await em.query(
      `SELECT c.confirmation_id, c.subject_id, c.purpose_key, c.notice_version, c.source, c.requested_by, c.captured_at,
              c.requested_at, c.expires_at, c.consent_expires_at, c.evidence_ct, c.locale, c.mailed_at, c.resolved_at, c.resolution,
              p.name AS purpose_name, n.text AS notice_text, b.name AS brand_name, b.slug AS brand_slug, b.default_locale
       FROM consent_confirmations c
       JOIN purposes p ON p.brand_id = c.brand_id AND p.purpose_key = c.purpose_key
       JOIN brands b ON b.brand_id = c.brand_id
       JOIN subjects s ON s.brand_id = c.brand_id AND s.subject_id = c.subject_id AND s.erased_at IS NULL
       LEFT JOIN notices n ON n.brand_id = c.brand_id AND n.purpose_key = c.purpose_key AND n.version = c.notice_version
       WHERE c.brand_id = $1 AND c.token_hash = $2
       ${lock ? 'FOR UPDATE OF c' : ''}`,
      [brandId, tokenHash],
    );
    if (!row) throw DomainError.notFound('confirmation', 'this link');
    return row;
  }
}

/** Past the link's lifetime, or past the end the brand gave the grant itself. */
function expired(row: ConfirmationRow, now: Date): boolean {
  return new Date(row.expires_at).getTime() <= now.getTime() || (row.consent_expires_at !== null && new Date(row.consent_expires_at).getTime() <= now.getTime());
}

function toResponse(row: ConfirmationRow, now: Date): ConsentConfirmationResponse {
  const confirmed = row.resolution === 'confirmed' || row.resolution === 'granted';
  return {
    brand: { slug: row.brand_slug, name: row.brand_name, defaultLocale: row.default_locale },
    purpose: { key: row.purpose_key, name: row.purpose_name },
    notice: row.notice_version !== null && row.notice_text ? { version: row.notice_version, text: row.notice_text } : null,
    locale: row.locale,
    status: confirmed ? 'confirmed' : row.resolution === 'withdrawn' ? 'withdrawn' : expired(row, now) ? 'expired' : 'pending',
    requestedAt: new Date(row.requested_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    confirmedAt: confirmed && row.resolved_at ? new Date(row.resolved_at).toISOString() : null,
  };
}

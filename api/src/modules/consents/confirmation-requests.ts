import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { actorRef, BrandActor } from '../../common/authz/actor';
import { Clock } from '../../common/clock';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { pickLocale, type Locale } from '../../common/i18n/locale';
import { MailerService } from '../mail/mailer.service';
import { BrandEntity } from '../brands/brand.entity';
import { SubjectsService } from '../subjects/subjects.service';
import type { PendingConfirmationResponse } from './dto/confirmation.dto';
import type { CaptureConsentDto } from './dto/consent.dto';

/** Confirmation tokens: `cco_` and 32 random bytes (256 bits), base64url. Only their SHA-256 is stored. */
export const CONFIRMATION_TOKEN = /^cco_[A-Za-z0-9_-]{43}$/;

/** The sealed field a confirmation's evidence is bound to (with the subject, by SubjectsService's context). */
export function confirmationEvidenceField(confirmationId: string): string {
  return `consent-confirmation-evidence:${confirmationId}`;
}

/** A confirmation email composed inside a transaction, sent by the caller once it has committed. */
export interface PendingConfirmationMail {
  send(): Promise<void>;
}

/** A grant the ledger has checked (subject, purpose, notice, times) and not yet recorded. */
export interface CheckedGrant {
  noticeVersion: number | null;
  capturedAt: Date;
}

/**
 * Double opt-in requests: a brand-API grant of a purpose with `doubleOptIn` becomes a pending
 * confirmation and an email, never a ledger event; `ConsentLedgerService` calls `request` after its
 * own checks (under the brand's chain-head lock, so concurrent grants of one person queue here), and
 * `settle` whenever it records a decision for such a purpose. The person's "Confirm" is recorded by
 * `ConsentConfirmationsService` through the ledger.
 */
@Injectable()
export class ConfirmationRequests {
  private readonly logger = new Logger(ConfirmationRequests.name);

  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly mailer: MailerService,
    private readonly clock: Clock,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
  ) {}

  /**
   * Opens a confirmation for the grant and composes its email — unless a link for this subject and
   * purpose went out within the resend window, in which case nothing is sent (no mailbox is
   * flooded by repeated grants) and the answer names the open request.
   */
  async request(
    em: EntityManager,
    caller: BrandActor,
    subjectId: string,
    input: CaptureConsentDto,
    checked: CheckedGrant,
    requestEvidence: Record<string, string | undefined> = {},
  ): Promise<{ response: PendingConfirmationResponse; mail: PendingConfirmationMail | null }> {
    const brandId = caller.brandId;
    const now = this.clock.now();
    const windowStart = new Date(now.getTime() - this.config.doubleOptInResendHours * 3_600_000);
    const [recent]: Array<{ requested_at: Date; expires_at: Date }> = await em.query(
      `SELECT requested_at, expires_at FROM consent_confirmations
       WHERE brand_id = $1 AND subject_id = $2 AND purpose_key = $3 AND resolved_at IS NULL
         AND expires_at > $4 AND requested_at > $5 AND mail_failed_at IS NULL
       ORDER BY requested_at DESC LIMIT 1`,
      [brandId, subjectId, input.purpose, now, windowStart],
    );
    if (recent) return { response: pending(input.purpose, recent.requested_at, recent.expires_at, 'recently-sent'), mail: null };

    const subject = await this.subjects.presentInTx(em, brandId, subjectId);
    if (!subject.email) {
      throw new DomainError(
        'confirmation-email-missing',
        `This purpose needs the person's confirmation by email (double opt-in), and the subject has no email address. The person can grant it in the portal instead.`,
      );
    }
    const brand = await em.getRepository(BrandEntity).findOneByOrFail({ brandId });
    const [purpose]: Array<{ name: Record<string, string> }> = await em.query(`SELECT name FROM purposes WHERE brand_id = $1 AND purpose_key = $2`, [brandId, input.purpose]);
    const locale: Locale = pickLocale(subject.locale, brand.defaultLocale);
    const id = randomUUID();
    const token = `cco_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(now.getTime() + this.config.doubleOptInDays * 86_400_000);
    const evidence = { ...(input.evidence ?? {}), ...definedOnly(requestEvidence) };
    const evidenceCt = Object.keys(evidence).length ? await this.subjects.seal(em, brandId, subjectId, confirmationEvidenceField(id), JSON.stringify(evidence)) : null;
    await em.query(
      `INSERT INTO consent_confirmations
         (brand_id, confirmation_id, subject_id, purpose_key, token_hash, notice_version, source, requested_by,
          captured_at, requested_at, expires_at, consent_expires_at, evidence_ct, locale)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        brandId, id, subjectId, input.purpose, CryptoService.secretHash(token), checked.noticeVersion, input.source ?? 'api', actorRef(caller),
        checked.capturedAt, now, expiresAt, input.expiresAt ?? null, evidenceCt, locale,
      ],
    );
    const mail = {
      to: subject.email,
      locale,
      brandName: brand.name,
      purposeName: purpose.name[locale] ?? purpose.name[brand.defaultLocale] ?? purpose.name.en ?? Object.values(purpose.name)[0] ?? input.purpose,
      link: `${this.config.portalUrl}/${brand.slug}/confirm/${token}?lang=${locale}`,
      days: this.config.doubleOptInDays,
      confirmationId: id,
    };
    return {
      response: pending(input.purpose, now, expiresAt, 'sending'),
      mail: { send: () => this.send(brandId, mail) },
    };
  }

  /**
   * A decision recorded for a double opt-in purpose settles its open confirmations: the one the
   * person used (`confirmationId`) as confirmed, any other as granted (another way: the portal) or
   * withdrawn — a withdrawn request can no longer be confirmed.
   */
  async settle(em: EntityManager, brandId: string, event: { subjectId: string; purpose: string; granted: boolean; id: string; capturedAt: Date }, confirmationId?: string): Promise<void> {
    await em.query(
      `UPDATE consent_confirmations
       SET resolved_at = $5, consent_event_id = $6,
           resolution = CASE WHEN confirmation_id = $7::uuid THEN 'confirmed' WHEN $4::boolean THEN 'granted' ELSE 'withdrawn' END
       WHERE brand_id = $1 AND subject_id = $2 AND purpose_key = $3 AND resolved_at IS NULL`,
      [brandId, event.subjectId, event.purpose, event.granted, event.capturedAt, event.id, confirmationId ?? null],
    );
  }

  /**
   * Sends after the commit. A failed send is marked so the next grant tries again at once instead
   * of waiting out the resend window; the request itself stays open.
   */
  private async send(brandId: string, mail: Parameters<MailerService['sendConsentConfirmation']>[0]): Promise<void> {
    let column = 'mailed_at';
    try {
      await this.mailer.sendConsentConfirmation(mail);
    } catch (error) {
      column = 'mail_failed_at';
      this.logger.warn({ err: error, confirmationId: mail.confirmationId }, 'sending a consent confirmation failed');
    }
    await this.db
      .run(brandId, (em) => em.query(`UPDATE consent_confirmations SET ${column} = $3 WHERE brand_id = $1 AND confirmation_id = $2`, [brandId, mail.confirmationId, this.clock.now()]))
      .catch((error) => this.logger.warn({ err: error, confirmationId: mail.confirmationId }, 'recording a confirmation email failed'));
  }
}

function pending(purpose: string, requestedAt: Date, expiresAt: Date, email: PendingConfirmationResponse['email']): PendingConfirmationResponse {
  return { status: 'pending-confirmation', purpose, requestedAt: new Date(requestedAt).toISOString(), expiresAt: new Date(expiresAt).toISOString(), email };
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

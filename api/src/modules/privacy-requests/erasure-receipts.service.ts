import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { formatDay, pickLocale } from '../../common/i18n/locale';
import { MailerService } from '../mail/mailer.service';
import { BrandEntity } from '../brands/brand.entity';
import { SubjectsService } from '../subjects/subjects.service';
import { ErasureReceiptResponse } from './dto/privacy-request.dto';

/** Receipt tokens: `cer_` and 32 random bytes (256 bits), base64url. Only their SHA-256 is stored. */
const TOKEN = /^cer_[A-Za-z0-9_-]{43}$/;

/** An erasure receipt's email, composed while the customer's data key still exists and sent once the erasure is committed. */
export interface PendingReceiptMail {
  send(): Promise<void>;
}

/**
 * Erasure receipts: a PII-free page behind an unguessable link that shows a customer their erasure
 * request, its certificate and which downstream systems confirmed `subject.erased` (a webhook
 * delivery answered 2xx), still pending or failed. The link is emailed to the address sealed under
 * the customer's data key, so the address is read before the erasure destroys that key.
 */
@Injectable()
export class ErasureReceiptsService {
  private readonly logger = new Logger(ErasureReceiptsService.name);

  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly mailer: MailerService,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
  ) {}

  /**
   * Step one of an erasure, before the key is destroyed: issues the receipt (in the caller's
   * transaction) and composes its email to the customer's address, in the language of the page
   * they confirmed on, else their stored language, else the brand's default. Null when
   * the customer has no email address (the brand still has the certificate). The email is sent by
   * the caller after its transaction commits, so no email ever announces an erasure that rolled back,
   * and the address lives only in this process's memory until then, never in the database.
   */
  async prepare(em: EntityManager, brandId: string, requestId: string, subjectId: string, pageLocale?: string): Promise<PendingReceiptMail | null> {
    // Already erased (a bulk job got there first): there is no address left to write to.
    const [live] = await em.query(`SELECT 1 FROM subjects WHERE brand_id = $1 AND subject_id = $2 AND erased_at IS NULL`, [brandId, subjectId]);
    if (!live) return null;
    const subject = await this.subjects.presentInTx(em, brandId, subjectId);
    if (!subject.email) return null;
    const brand = await em.getRepository(BrandEntity).findOneByOrFail({ brandId });
    const locale = pickLocale(pageLocale, subject.locale, brand.defaultLocale);
    const token = `cer_${randomBytes(32).toString('base64url')}`;
    const now = new Date();
    await em.query(
      `INSERT INTO erasure_receipts (brand_id, receipt_id, request_id, token_hash, locale, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [brandId, randomUUID(), requestId, CryptoService.secretHash(token), locale, now],
    );
    const mail = {
      to: subject.email,
      brandName: brand.name,
      locale,
      erasedOn: formatDay(now, locale, subject.timezone),
      link: `${this.config.portalUrl}/${brand.slug}/erasure-receipt/${token}?lang=${locale}`,
      requestId,
    };
    return {
      send: () => this.mailer.sendErasureReceipt(mail).catch((error) => this.logger.warn({ err: error, requestId }, 'sending an erasure receipt failed')),
    };
  }

  /** The receipt behind a token, for anyone holding the link; an unknown or malformed token is 404. */
  async read(token: string): Promise<ErasureReceiptResponse> {
    const notFound = DomainError.notFound('erasure receipt', 'this link');
    if (!TOKEN.test(token)) throw notFound;
    const tokenHash = CryptoService.secretHash(token);
    const found: Array<{ brand_id: string }> = await this.db.lookup({ tokenHash }, (em) =>
      em.query(`SELECT brand_id FROM erasure_receipts WHERE token_hash = $1`, [tokenHash]),
    );
    if (!found.length) throw notFound;
    const brandId = found[0].brand_id;
    return this.db.run(brandId, async (em) => {
      const [row] = await em.query(
        `SELECT r.locale, p.request_id, p.subject_id, p.status, p.received_at, p.completed_at, p.certificate, b.name, b.slug
         FROM erasure_receipts r
         JOIN privacy_requests p ON p.brand_id = r.brand_id AND p.request_id = r.request_id
         JOIN brands b ON b.brand_id = r.brand_id
         WHERE r.brand_id = $1 AND r.token_hash = $2`,
        [brandId, tokenHash],
      );
      if (!row) throw notFound;
      const deliveries: Array<{ name: string; status: string; delivered_at: Date | null; attempts: number }> = await em.query(
        `SELECT e.name, d.status, d.delivered_at, d.attempts
         FROM outbox_events o
         JOIN webhook_deliveries d ON d.brand_id = o.brand_id AND d.event_id = o.event_id
         JOIN webhook_endpoints e ON e.brand_id = d.brand_id AND e.endpoint_id = d.endpoint_id
         WHERE o.brand_id = $1 AND o.subject_id = $2 AND o.type = 'subject.erased'
         ORDER BY e.name, d.created_at`,
        [brandId, row.subject_id],
      );
      const certificate = (row.certificate ?? {}) as Record<string, unknown>;
      const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
      return {
        requestId: row.request_id,
        brand: { name: row.name, slug: row.slug },
        locale: row.locale,
        status: row.status,
        receivedAt: new Date(row.received_at).toISOString(),
        completedAt: iso(row.completed_at),
        certificate: {
          erasedAt: typeof certificate.erasedAt === 'string' ? certificate.erasedAt : null,
          tombstone: typeof certificate.tombstone === 'string' ? certificate.tombstone : null,
          ledgerVerified: certificate.ledgerVerified === true,
          dataKeyDestroyed: certificate.dataKeyDestroyed === true,
        },
        downstream: deliveries.map((d) => ({
          system: d.name,
          // A 2xx answer to the signed `subject.erased` delivery is the system's confirmation.
          status: d.status === 'delivered' ? 'confirmed' : d.status === 'pending' ? 'pending' : 'failed',
          confirmedAt: iso(d.delivered_at),
          attempts: d.attempts,
        })),
      };
    });
  }
}

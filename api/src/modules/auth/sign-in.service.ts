import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { BrandActor, CustomerActor } from '../../common/authz/actor';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { CryptoService, normaliseEmail } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { BrandEntity } from '../brands/brand.entity';
import { BrandsService } from '../brands/brands.service';
import { SubjectEntity } from '../subjects/subject.entity';
import { SubjectsService } from '../subjects/subjects.service';
import { SessionEntity, SignInTokenEntity } from './auth.entity';
import { assertGrantWithin, customerSessionGrant } from '../../common/authz/abilities';
import { PortalLinkResponse, SessionResponse } from './dto/auth.dto';
import { pickLocale } from '../../common/i18n/locale';
import { MailerService } from '../mail/mailer.service';

const MAGIC_LINK_TTL_MS = 15 * 60_000;
const PORTAL_LINK_TTL_MS = 72 * 3600_000;
const SESSION_TTL_MS = 12 * 3600_000;

/**
 * Customer sign-in: one-time tokens (emailed magic links, brand-issued portal links) exchanged
 * once for a short-lived session. Only SHA-256 hashes of tokens are stored.
 */
@Injectable()
export class SignInService {
  private readonly logger = new Logger(SignInService.name);

  constructor(
    private readonly db: TenantDb,
    private readonly crypto: CryptoService,
    private readonly subjects: SubjectsService,
    private readonly mailer: MailerService,
    private readonly brands: BrandsService,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
  ) {}

  /**
   * Emails a sign-in link when the brand has a customer with that email. The caller always gets
   * the same answer, at once: the work happens after the response, so neither the answer nor its
   * timing tells whether the address is known.
   */
  requestMagicLink(brandSlug: string, email: string, pageLocale?: string): void {
    this.sendMagicLink(brandSlug, email, pageLocale).catch((error) => this.logger.warn({ err: error }, 'sending a sign-in link failed'));
  }

  /**
   * The email is in the language of the page that asked (what the person reads right now), else
   * the customer's stored language, else the brand's default, else English.
   */
  private async sendMagicLink(brandSlug: string, email: string, pageLocale: string | undefined): Promise<void> {
    const brand = await this.brands.findBySlug(brandSlug);
    if (!brand) return;
    const normalised = normaliseEmail(email);
    const issued = await this.db.run(brand.id, async (em) => {
      let subject = await em.getRepository(SubjectEntity).findOneBy({
        brandId: brand.id,
        emailHash: this.crypto.lookupHash(brand.id, 'email', normalised),
      });
      // An email the person is known by as an identifier (another silo's, or a merged record's) signs them in too.
      if (!subject) {
        const [holder] = await this.subjects.holdersOf(em, brand.id, { type: 'email', value: normalised });
        subject = holder ? await em.getRepository(SubjectEntity).findOneBy({ brandId: brand.id, id: holder }) : null;
      }
      if (!subject || subject.erasedAt) return null;
      return { subjectId: subject.id, locale: subject.locale, ...(await this.issueToken(em, brand.id, subject.id, 'magic_link', MAGIC_LINK_TTL_MS)) };
    });
    if (!issued) return;
    await this.mailer.sendSignInLink({
      to: normalised,
      brandName: brand.name,
      locale: pickLocale(pageLocale, issued.locale, brand.defaultLocale),
      link: `${this.config.portalUrl}/${brand.slug}/link/${issued.token}`,
      minutes: MAGIC_LINK_TTL_MS / 60_000,
      subjectId: issued.subjectId,
    });
  }

  /** A one-time link a brand puts in its "manage your preferences" emails. */
  issuePortalLink(caller: BrandActor, subjectId: string): Promise<PortalLinkResponse> {
    // The link becomes the customer's session; whoever mints it holds it, so it must hold that much already.
    assertGrantWithin(caller, customerSessionGrant(), 'A portal link (a customer session)');
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const brand = await em.getRepository(BrandEntity).findOneByOrFail({ brandId: caller.brandId });
      const { token, expiresAt } = await this.issueToken(em, caller.brandId, subjectId, 'portal_link', PORTAL_LINK_TTL_MS);
      return { url: `${this.config.portalUrl}/${brand.slug}/link/${token}`, token, expiresAt: expiresAt.toISOString() };
    });
  }

  /** Consumes a sign-in token exactly once and opens a session. */
  async createSession(token: string): Promise<SessionResponse> {
    const tokenHash = CryptoService.secretHash(token);
    const found = await this.db.lookup({ tokenHash }, (em) => em.getRepository(SignInTokenEntity).findOneBy({ tokenHash }));
    const invalid = new DomainError('unauthenticated', 'This sign-in link has expired or was already used. Ask for a new one.');
    if (!found) throw invalid;
    return this.db.run(found.brandId, async (em) => {
      // The conditional update is what makes a token single-use, even under concurrent attempts.
      const consumed: Array<{ subject_id: string }> = await em.query(
        `UPDATE sign_in_tokens SET consumed_at = now()
         WHERE brand_id = $1 AND token_hash = $2 AND consumed_at IS NULL AND expires_at > now()
         RETURNING subject_id`,
        [found.brandId, tokenHash],
      );
      // RETURNING through TypeORM's query() yields [rows, count] for UPDATE on postgres.
      const rows = (Array.isArray(consumed[0]) ? consumed[0] : consumed) as Array<{ subject_id: string }>;
      if (!rows.length) throw invalid;
      const subject = await em.getRepository(SubjectEntity).findOneBy({ brandId: found.brandId, id: rows[0].subject_id });
      if (!subject || subject.erasedAt) throw invalid;
      const brand = await em.getRepository(BrandEntity).findOneByOrFail({ brandId: found.brandId });
      const sessionToken = `cst_${randomBytes(32).toString('base64url')}`;
      const now = new Date();
      const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
      await em.getRepository(SessionEntity).insert({
        brandId: found.brandId,
        id: randomUUID(),
        tokenHash: CryptoService.secretHash(sessionToken),
        subjectId: subject.id,
        expiresAt,
        revokedAt: null,
        createdAt: now,
      });
      return { sessionToken, expiresAt: expiresAt.toISOString(), brand: brand.slug, subjectId: subject.id };
    });
  }

  /** Ends the caller's session at once. */
  endSession(customer: CustomerActor): Promise<void> {
    return this.db.run(customer.brandId, async (em) => {
      await em.getRepository(SessionEntity).update({ brandId: customer.brandId, id: customer.sessionId }, { revokedAt: new Date() });
    });
  }

  private async issueToken(
    em: EntityManager,
    brandId: string,
    subjectId: string,
    kind: SignInTokenEntity['kind'],
    ttlMs: number,
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = `${kind === 'magic_link' ? 'cml' : 'cpl'}_${randomBytes(32).toString('base64url')}`;
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs);
    await em.getRepository(SignInTokenEntity).insert({
      brandId,
      id: randomUUID(),
      tokenHash: CryptoService.secretHash(token),
      subjectId,
      kind,
      expiresAt,
      consumedAt: null,
      createdAt: now,
    });
    return { token, expiresAt };
  }
}

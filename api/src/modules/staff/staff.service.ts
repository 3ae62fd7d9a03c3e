import { Injectable, Logger, Inject } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { IsNull, MoreThan } from 'typeorm';
import { assertGrantWithin, staffGrant } from '../../common/authz/abilities';
import type { Actor, BrandActor, StaffActor } from '../../common/authz/actor';
import { CryptoService, normaliseEmail } from '../../common/crypto/crypto.service';
import { isUniqueViolation } from '../../common/database/errors';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { AuditService } from '../audit/audit.service';
import { pickLocale } from '../../common/i18n/locale';
import { MailerService } from '../mail/mailer.service';
import { BrandEntity } from '../brands/brand.entity';
import { BrandsService } from '../brands/brands.service';
import { ConsentStatsResponse, CreateStaffDto, StaffResponse, StaffSessionResponse } from './dto/staff.dto';
import { StaffCredentialEntity, StaffMemberEntity } from './staff.entity';
import { Cursors, Page, PageQuery } from '../../common/http/pagination';

const LINK_TTL_MS = 15 * 60_000;
const SESSION_TTL_MS = 8 * 3600_000;

/** Staff of a brand: accounts with roles, sign-in by emailed link, short sessions; every change audited. */
@Injectable()
export class StaffService {
  private readonly logger = new Logger(StaffService.name);

  constructor(
    private readonly cursors: Cursors,
    private readonly db: TenantDb,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly mailer: MailerService,
    private readonly brands: BrandsService,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
  ) {}

  async create(caller: BrandActor, input: CreateStaffDto): Promise<StaffResponse> {
    assertGrantWithin(caller, staffGrant(input.role), `A staff member with the role "${input.role}"`);
    const email = normaliseEmail(input.email);
    try {
      return await this.db.run(caller.brandId, async (em) => {
        const id = randomUUID();
        const member = em.getRepository(StaffMemberEntity).create({
          brandId: caller.brandId,
          id,
          emailHash: this.crypto.lookupHash(caller.brandId, 'staff-email', email),
          emailCt: this.crypto.wrapKey(Buffer.from(email, 'utf8'), `staff-email:${caller.brandId}:${id}`),
          name: input.name,
          role: input.role,
          createdAt: new Date(),
          disabledAt: null,
        });
        await em.getRepository(StaffMemberEntity).insert(member);
        await this.audit.record(em, caller.brandId, caller, 'staff.created', id, { role: input.role });
        return this.present(member);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_staff_members_email')) throw new DomainError('conflict', 'A staff member with this email already exists.');
      throw error;
    }
  }

  /** The brand's staff, oldest first, one page at a time. */
  list(caller: BrandActor, query: PageQuery): Promise<Page<StaffResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const all = (await em.getRepository(StaffMemberEntity).find({ where: { brandId: caller.brandId }, order: { createdAt: 'ASC' } })).map((m) => this.present(m));
      return this.cursors.pageOf({ list: 'staff', brandId: caller.brandId }, all, query, (m) => `${m.createdAt}|${m.id}`);
    });
  }

  /** Disables a staff member; only a caller that could have created them (their role) may (403 `grant-exceeds-caller`). */
  disable(caller: BrandActor, id: string): Promise<void> {
    return this.db.run(caller.brandId, async (em) => {
      const target = await em.getRepository(StaffMemberEntity).findOneBy({ brandId: caller.brandId, id, disabledAt: IsNull() });
      if (!target) throw DomainError.notFound('staff member', id);
      assertGrantWithin(caller, staffGrant(target.role), `The staff member with the role "${target.role}"`);
      const result = await em.getRepository(StaffMemberEntity).update({ brandId: caller.brandId, id, disabledAt: IsNull() }, { disabledAt: new Date() });
      if (!result.affected) throw DomainError.notFound('staff member', id);
      await em.query(`UPDATE staff_credentials SET used_at = now() WHERE brand_id = $1 AND staff_id = $2 AND used_at IS NULL`, [caller.brandId, id]);
      await this.audit.record(em, caller.brandId, caller, 'staff.disabled', id);
    });
  }

  /** Emails a console sign-in link if the address belongs to active staff; the answer never says which. */
  requestLink(brandSlug: string, email: string, pageLocale?: string): void {
    this.sendLink(brandSlug, normaliseEmail(email), pageLocale).catch((error) => this.logger.warn({ err: error }, 'sending a staff sign-in link failed'));
  }

  /** In the language of the page that asked, else the brand's default, else English. */
  private async sendLink(brandSlug: string, email: string, pageLocale: string | undefined): Promise<void> {
    const brand = await this.brands.findBySlug(brandSlug);
    if (!brand) return;
    const issued = await this.db.run(brand.id, async (em) => {
      const member = await em.getRepository(StaffMemberEntity).findOneBy({
        brandId: brand.id,
        emailHash: this.crypto.lookupHash(brand.id, 'staff-email', email),
        disabledAt: IsNull(),
      });
      if (!member) return null;
      return { staffId: member.id, token: await this.issue(em, brand.id, member.id, 'sign_in_link', 'ssl', LINK_TTL_MS) };
    });
    if (!issued) return;
    await this.mailer.sendStaffSignInLink({
      to: email,
      brandName: brand.name,
      locale: pickLocale(pageLocale, brand.defaultLocale),
      link: `${this.config.portalUrl}/${brand.slug}/admin/link/${issued.token.token}`,
      minutes: LINK_TTL_MS / 60_000,
      staffId: issued.staffId,
    });
  }

  /** Exchanges a sign-in link for a session, once. */
  async createSession(token: string): Promise<StaffSessionResponse> {
    const tokenHash = CryptoService.secretHash(token);
    const invalid = new DomainError('unauthenticated', 'This sign-in link has expired or was already used. Ask for a new one.');
    const found = await this.db.lookup({ tokenHash }, (em) => em.getRepository(StaffCredentialEntity).findOneBy({ tokenHash, kind: 'sign_in_link' }));
    if (!found) throw invalid;
    return this.db.run(found.brandId, async (em) => {
      const result: [unknown[], number] = await em.query(
        `UPDATE staff_credentials SET used_at = now() WHERE brand_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > now()`,
        [found.brandId, tokenHash],
      );
      if (!result[1]) throw invalid;
      const member = await em.getRepository(StaffMemberEntity).findOneBy({ brandId: found.brandId, id: found.staffId, disabledAt: IsNull() });
      if (!member) throw invalid;
      const brand = await em.getRepository(BrandEntity).findOneByOrFail({ brandId: found.brandId });
      const session = await this.issue(em, found.brandId, member.id, 'session', 'sss', SESSION_TTL_MS);
      const actor: Actor = { kind: 'staff', brandId: found.brandId, staffId: member.id, role: member.role, name: member.name, sessionId: session.id };
      await this.audit.record(em, found.brandId, actor, 'staff.signed_in', member.id);
      return { sessionToken: session.token, expiresAt: session.expiresAt.toISOString(), brand: brand.slug, staffId: member.id, name: member.name, role: member.role };
    });
  }

  /** Resolves a `sss_` session token into a staff actor, or null. */
  async resolve(token: string): Promise<StaffActor | null> {
    const tokenHash = CryptoService.secretHash(token);
    return this.db.lookup({ tokenHash }, async (em) => {
      const session = await em.getRepository(StaffCredentialEntity).findOneBy({ tokenHash, kind: 'session', usedAt: IsNull(), expiresAt: MoreThan(new Date()) });
      if (!session) return null;
      // The member row is only visible inside the brand's scope.
      await em.query(`SELECT set_config('app.brand_id', $1, true)`, [session.brandId]);
      const member = await em.getRepository(StaffMemberEntity).findOneBy({ brandId: session.brandId, id: session.staffId, disabledAt: IsNull() });
      return member ? { kind: 'staff', brandId: session.brandId, staffId: member.id, role: member.role, name: member.name, sessionId: session.id } : null;
    });
  }

  endSession(staff: StaffActor): Promise<void> {
    return this.db.run(staff.brandId, async (em) => {
      await em.getRepository(StaffCredentialEntity).update({ brandId: staff.brandId, id: staff.sessionId }, { usedAt: new Date() });
    });
  }

  /** Consent grants and withdrawals per purpose and day, for the console's chart. */
  consentStats(caller: BrandActor, days: number): Promise<ConsentStatsResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const rows: Array<{ purpose_key: string; day: string; granted: number; withdrawn: number }> = await em.query(
        `SELECT purpose_key, to_char(date_trunc('day', recorded_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
                count(*) FILTER (WHERE granted)::int AS granted, count(*) FILTER (WHERE NOT granted)::int AS withdrawn
         FROM consent_events
         WHERE brand_id = $1 AND recorded_at >= date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => $2 - 1)
         GROUP BY 1, 2 ORDER BY 1, 2`,
        [caller.brandId, days],
      );
      const byPurpose = new Map<string, Array<{ date: string; granted: number; withdrawn: number }>>();
      for (const r of rows) byPurpose.set(r.purpose_key, [...(byPurpose.get(r.purpose_key) ?? []), { date: r.day, granted: r.granted, withdrawn: r.withdrawn }]);
      return { days, purposes: [...byPurpose.entries()].map(([purpose, series]) => ({ purpose, series })) };
    });
  }

  private async issue(em: import('typeorm').EntityManager, brandId: string, staffId: string, kind: StaffCredentialEntity['kind'], prefix: string, ttlMs: number) {
    const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs);
    await em.getRepository(StaffCredentialEntity).insert({ brandId, id, tokenHash: CryptoService.secretHash(token), staffId, kind, expiresAt, usedAt: null, createdAt: now });
    return { id, token, expiresAt };
  }

  private present(m: StaffMemberEntity): StaffResponse {
    return {
      id: m.id,
      email: this.crypto.unwrapKey(m.emailCt, `staff-email:${m.brandId}:${m.id}`).toString('utf8'),
      name: m.name,
      role: m.role,
      createdAt: m.createdAt.toISOString(),
      disabledAt: m.disabledAt ? m.disabledAt.toISOString() : null,
    };
  }
}

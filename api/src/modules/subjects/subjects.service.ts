import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import { abilityFor } from '../../common/authz/abilities';
import type { BrandActor } from '../../common/authz/actor';
import { purposesOf } from '../../common/authz/personal-data';
import { CryptoService, normaliseEmail, normalisePhone } from '../../common/crypto/crypto.service';
import { mapInTurn } from '../../common/database/in-turn';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, MAX_PAGE_SIZE, Page } from '../../common/http/pagination';
import { AccessLogService } from '../profiles/access-log.service';
import { ConsentStateEntity } from '../consents/consent.entity';
import { hasStanding } from '../consents/consent-validity';
import { PurposeEntity } from '../purposes/purpose.entity';
import type { LookupQuery } from './dto/identifier.dto';
import { CreateSubjectDto, SubjectQuery, SubjectResponse } from './dto/subject.dto';
import { identifierErrors, IdentifierInput, identifierHashKind, normaliseIdentifier } from './identifiers';
import { SubjectEntity, SubjectKeyEntity } from './subject.entity';

export interface SealedSubject {
  id: string;
  dataKey: Buffer;
  wrappedKey: Buffer;
  emailCt: Buffer | null;
  emailHash: string | null;
  phoneCt: Buffer | null;
  phoneHash: string | null;
  externalIdHash: string;
}

/** Customers of a brand. Identifiers are encrypted under each subject's own data key. */
@Injectable()
export class SubjectsService {
  constructor(
    private readonly db: TenantDb,
    private readonly crypto: CryptoService,
    private readonly accessLog: AccessLogService,
    private readonly cursors: Cursors,
  ) {}

  /**
   * Creates a subject, or returns the existing one with the same `externalId` (`created: false`).
   * Returning an existing subject is a read of its identifiers: redacted and logged like `get`.
   */
  create(caller: BrandActor, input: CreateSubjectDto): Promise<{ created: boolean; subject: SubjectResponse }> {
    return this.db.run(caller.brandId, async (em) => {
      const result = await this.createInTx(em, caller.brandId, input);
      if (result.created) return result;
      return { created: false, subject: (await this.disclose(em, caller, [result.subject], undefined))[0] };
    });
  }

  /**
   * What a caller may see of subjects' identifiers, and its access record. Contact data (email,
   * phone) goes only to a caller that may read subjects (CASL `read Subject`: a key with only
   * `subjects:write` that re-posts an existing externalId sees none). Then:
   * - with a stated purpose (any caller): only for subjects with standing for it (`hasStanding`,
   *   the profile route's check: valid consent, or no objection on another legal basis), and only
   *   the channels that purpose uses (`contactChannels`: `email` → email, `sms` → phone);
   * - with none: everything for keys not limited to purposes and staff; nothing for limited keys.
   * Subjects whose contact data is withheld keep appearing, with `email`/`phone` null.
   */
  private async disclose(em: EntityManager, caller: BrandActor, subjects: SubjectResponse[], purposeKey: string | undefined): Promise<SubjectResponse[]> {
    const visible = await this.contactVisibility(em, caller, subjects.map((s) => s.id), purposeKey);
    const reveal = (s: SubjectResponse) => visible(s.id);
    const shown: SubjectResponse[] = [];
    const groups = new Map<string, { fields: string[]; ids: string[] }>();
    for (const s of subjects) {
      const r = reveal(s);
      shown.push({ ...s, email: r.email ? s.email : null, phone: r.phone ? s.phone : null });
      const fields = ['externalId', 'locale', 'timezone', ...(r.email ? ['email'] : []), ...(r.phone ? ['phone'] : [])];
      const group = groups.get(fields.join()) ?? { fields, ids: [] };
      group.ids.push(s.id);
      groups.set(fields.join(), group);
    }
    // Candor's own jobs (demo seeding, imports) are not a brand reading: only credentials leave records.
    if (caller.kind !== 'system') {
      for (const { fields, ids } of groups.values()) await this.accessLog.record(em, caller.brandId, caller, ids, { kind: 'subject', purpose: purposeKey ?? null, fields });
    }
    return shown;
  }

  /**
   * Which contact details (email, phone) `caller` may see of each subject, by the rules `disclose`
   * states; identifiers of type email and phone follow the same rules.
   */
  async contactVisibility(
    em: EntityManager,
    caller: BrandActor,
    subjectIds: readonly string[],
    purposeKey: string | undefined,
  ): Promise<(subjectId: string) => { email: boolean; phone: boolean }> {
    const mayRead = abilityFor(caller).can('read', 'Subject');
    if (purposeKey === undefined) return () => ({ email: mayRead && purposesOf(caller) === null, phone: mayRead && purposesOf(caller) === null });
    const purpose = await em.getRepository(PurposeEntity).findOneBy({ brandId: caller.brandId, key: purposeKey });
    if (!purpose) throw DomainError.unknownPurpose(purposeKey);
    const channels = contactChannels(purpose);
    const states = subjectIds.length && mayRead && (channels.email || channels.phone)
      ? await em.getRepository(ConsentStateEntity).findBy({ brandId: caller.brandId, subjectId: In([...subjectIds]), purpose: purposeKey })
      : [];
    const now = new Date();
    const standing = new Set(subjectIds.filter((id) => hasStanding(purpose, states.find((c) => c.subjectId === id), now)));
    return (id) => (mayRead && standing.has(id) ? channels : { email: false, phone: false });
  }

  /**
   * The subject one identifier names (`GET /v1/subjects/lookup`): its extra identifiers, and the
   * email, phone or externalId of subjects themselves, matched by keyed hash. 404 when none holds
   * it; 409 `identifier-ambiguous` when several do (subjects' own emails need not be unique: two
   * such records of one person are what a merge is for). Disclosed and logged like `get`.
   */
  lookup(caller: BrandActor, query: LookupQuery): Promise<SubjectResponse> {
    const errors = identifierErrors(query);
    if (errors.length) throw DomainError.validation(errors);
    return this.db.run(caller.brandId, async (em) => {
      const ids = await this.holdersOf(em, caller.brandId, query);
      if (!ids.length) throw new DomainError('not-found', 'No subject of this brand has that identifier.');
      if (ids.length > 1) {
        throw new DomainError('identifier-ambiguous', 'Several subjects hold this identifier: they may be records of one person (POST /v1/subjects/{id}/merge joins them).', { subjectIds: ids });
      }
      const subject = await em.getRepository(SubjectEntity).findOneByOrFail({ brandId: caller.brandId, id: ids[0] });
      return (await this.disclose(em, caller, [await this.toResponse(em, subject)], query.purpose))[0];
    });
  }

  /**
   * The live subjects (neither erased nor merged away) holding an identifier: as an extra
   * identifier, or as their own email, phone or externalId. Sorted by id.
   */
  async holdersOf(em: EntityManager, brandId: string, identifier: IdentifierInput): Promise<string[]> {
    const normalised = normaliseIdentifier(identifier.type, identifier.value);
    const hash = this.crypto.lookupHash(brandId, identifierHashKind(identifier.type, identifier.system), normalised);
    // The subject's own column holding this kind of identifier (another system's ids have none).
    const own =
      identifier.type === 'email' ? 's.email_hash = $2' : identifier.type === 'phone' ? 's.phone_hash = $2' : identifier.system ? 'false' : 's.external_id = $3';
    // Two indexed lookups (the subjects' own hash or external id, the identifiers' unique hash).
    const rows: Array<{ subject_id: string }> = await em.query(
      `SELECT s.subject_id FROM subjects s WHERE s.brand_id = $1 AND ${own} AND s.erased_at IS NULL AND s.merged_into IS NULL
       UNION
       SELECT s.subject_id FROM subject_identifiers i JOIN subjects s ON s.brand_id = i.brand_id AND s.subject_id = i.subject_id
       WHERE i.brand_id = $1 AND i.value_hash = $2 AND s.erased_at IS NULL AND s.merged_into IS NULL
       ORDER BY 1`,
      own.includes('$3') ? [brandId, hash, normalised] : [brandId, hash],
    );
    return rows.map((r) => r.subject_id);
  }

  /** `create` inside the caller's transaction (imports). */
  async createInTx(em: EntityManager, brandId: string, input: CreateSubjectDto): Promise<{ created: boolean; subject: SubjectResponse }> {
    {
      const email = input.email ? normaliseEmail(input.email) : null;
      const phone = input.phone ? normalisePhone(input.phone) : null;
      const existing = await em.getRepository(SubjectEntity).findOneBy({ brandId, externalId: input.externalId });
      if (existing?.erasedAt) throw new DomainError('subject-erased', 'The subject with that externalId was erased; it cannot be re-created.');
      if (existing) return { created: false, subject: await this.toResponse(em, existing) };
      // An external id a merge (or the brand) gave another subject as an identifier names that subject.
      const [holder] = await this.holdersOf(em, brandId, { type: 'external', value: input.externalId });
      if (holder) return { created: false, subject: await this.toResponse(em, await em.getRepository(SubjectEntity).findOneByOrFail({ brandId, id: holder })) };

      await this.refuseErased(em, brandId, input.externalId, email, phone);
      const sealed = this.sealNew(brandId, input);
      const { id, dataKey } = sealed;
      const now = new Date();
      const subject = em.getRepository(SubjectEntity).create({
        brandId,
        id,
        externalId: input.externalId,
        emailCt: sealed.emailCt,
        emailHash: sealed.emailHash,
        phoneCt: sealed.phoneCt,
        phoneHash: sealed.phoneHash,
        locale: input.locale ?? null,
        timezone: input.timezone ?? null,
        createdAt: now,
        updatedAt: now,
      });
      // A concurrent create with the same externalId loses the race here and returns the winner.
      const inserted: unknown[] = await em.query(
        `INSERT INTO subjects (brand_id, subject_id, external_id, email_ct, email_hash, phone_ct, phone_hash, locale, timezone, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT ON CONSTRAINT uq_subjects_external_id DO NOTHING
         RETURNING subject_id`,
        [brandId, id, subject.externalId, subject.emailCt, subject.emailHash, subject.phoneCt, subject.phoneHash, subject.locale, subject.timezone, now],
      );
      if (!inserted.length) {
        const winner = await em.getRepository(SubjectEntity).findOneByOrFail({ brandId, externalId: input.externalId });
        return { created: false, subject: await this.toResponse(em, winner) };
      }
      await em.getRepository(SubjectKeyEntity).insert({
        brandId,
        subjectId: id,
        wrappedKey: sealed.wrappedKey,
        createdAt: now,
      });
      return { created: true, subject: this.present(subject, dataKey) };
    }
  }

  /**
   * A new subject's identity as `create` stores it, not yet stored: a fresh id and data key (also
   * returned wrapped), identifiers encrypted under it, and the lookup hashes tombstones are keyed
   * by. Bulk imports seal subjects with this while the upload streams in.
   */
  sealNew(brandId: string, input: Pick<CreateSubjectDto, 'externalId' | 'email' | 'phone'>): SealedSubject {
    const email = input.email ? normaliseEmail(input.email) : null;
    const phone = input.phone ? normalisePhone(input.phone) : null;
    const id = randomUUID();
    const dataKey = this.crypto.newDataKey();
    return {
      id,
      dataKey,
      wrappedKey: this.crypto.wrapKey(dataKey, keyContext(brandId, id)),
      emailCt: email ? this.crypto.encrypt(dataKey, email, fieldContext(brandId, id, 'email')) : null,
      emailHash: email ? this.crypto.lookupHash(brandId, 'email', email) : null,
      phoneCt: phone ? this.crypto.encrypt(dataKey, phone, fieldContext(brandId, id, 'phone')) : null,
      phoneHash: phone ? this.crypto.lookupHash(brandId, 'phone', phone) : null,
      externalIdHash: this.crypto.lookupHash(brandId, 'external_id', input.externalId),
    };
  }

  /** A subject; an erased one answers 410 so callers know to drop their copy. */
  get(caller: BrandActor, id: string, purposeKey?: string): Promise<SubjectResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const subject = await em.getRepository(SubjectEntity).findOneBy({ brandId: caller.brandId, id });
      if (!subject) throw DomainError.notFound('subject', id);
      if (subject.erasedAt) throw new DomainError('subject-gone', `The subject was erased on ${subject.erasedAt.toISOString()}.`);
      if (subject.mergedInto) throw DomainError.subjectMerged(subject.mergedInto);
      return (await this.disclose(em, caller, [await this.toResponse(em, subject)], purposeKey))[0];
    });
  }

  list(caller: BrandActor, query: SubjectQuery): Promise<Page<SubjectResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      const limit = Math.min(query.limit ?? 50, MAX_PAGE_SIZE);
      const after = this.cursors.decode({ list: 'subjects', brandId: caller.brandId }, query.cursor, { id: 'uuid' });
      const qb = em
        .getRepository(SubjectEntity)
        .createQueryBuilder('s')
        .where('s.brand_id = :brandId AND s.erased_at IS NULL AND s.merged_into IS NULL', { brandId: caller.brandId })
        .orderBy('s.subject_id', 'ASC')
        .limit(limit + 1);
      if (query.externalId !== undefined) qb.andWhere('s.external_id = :externalId', { externalId: query.externalId });
      if (query.email !== undefined) {
        qb.andWhere('s.email_hash = :emailHash', {
          emailHash: this.crypto.lookupHash(caller.brandId, 'email', normaliseEmail(query.email)),
        });
      }
      if (after) qb.andWhere('s.subject_id > :after', { after: after.id });
      const rows = await qb.getMany();
      const page = rows.slice(0, limit);
      const data = await this.disclose(em, caller, await mapInTurn(page, (row) => this.toResponse(em, row)), query.purpose);
      return { data, nextCursor: rows.length > limit ? this.cursors.encode({ list: 'subjects', brandId: caller.brandId }, { id: page[page.length - 1].id }) : null };
    });
  }

  /** The subject as its owner or brand sees it, inside the caller's transaction. */
  async presentInTx(em: EntityManager, brandId: string, id: string) {
    return this.toResponse(em, await this.require(em, brandId, id));
  }

  /** Tombstones stop an erased customer from being re-created, by external id, email or phone (409). */
  private async refuseErased(em: EntityManager, brandId: string, externalId: string, email: string | null, phone: string | null): Promise<void> {
    const keys: Array<[string, string]> = [['external_id', this.crypto.lookupHash(brandId, 'external_id', externalId)]];
    if (email) keys.push(['email', this.crypto.lookupHash(brandId, 'email', email)]);
    if (phone) keys.push(['phone', this.crypto.lookupHash(brandId, 'phone', phone)]);
    const hits: unknown[] = await em.query(
      `SELECT 1 FROM tombstones WHERE brand_id = $1 AND (kind, hash) IN (SELECT * FROM unnest($2::text[], $3::text[])) LIMIT 1`,
      [brandId, keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
    if (hits.length) {
      throw new DomainError('subject-erased', 'This customer asked to be erased; their identifiers cannot be used to create a subject again.');
    }
  }

  /**
   * The subject, or 404 when it does not exist or was erased, or 410 `subject-merged` (naming the
   * survivor) when it was merged into another. With `lock`, its row stays locked until the
   * transaction ends: work that must not run twice at once for one person (erasure, objection,
   * merge) takes it first, before any other lock, so concurrent requests queue instead of
   * deadlocking, and the later one finds the subject already erased or merged.
   */
  async require(em: EntityManager, brandId: string, id: string, opts: { lock?: boolean } = {}): Promise<SubjectEntity> {
    const subject = await em.getRepository(SubjectEntity).findOne({ where: { brandId, id }, ...(opts.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!subject || subject.erasedAt) throw DomainError.notFound('subject', id);
    if (subject.mergedInto) throw DomainError.subjectMerged(subject.mergedInto);
    return subject;
  }

  /** The subject's data key, or null once it has been destroyed (erasure). */
  async dataKey(em: EntityManager, brandId: string, subjectId: string): Promise<Buffer | null> {
    const row = await em.getRepository(SubjectKeyEntity).findOneBy({ brandId, subjectId });
    // The key is bound to the id as stored (lower case), whichever way the caller wrote it.
    return row ? this.crypto.unwrapKey(row.wrappedKey, keyContext(row.brandId, row.subjectId)) : null;
  }

  /**
   * Seals a value that waits for its subject (a staged import line's identifier, whose subject may
   * not exist yet) under a key of its own, bound to a fresh id; `openStaged` opens it at the merge.
   * The staged rows, and with them the key, go when the import finishes.
   */
  sealStaged(brandId: string, value: string): { id: string; wrappedKey: Buffer; sealed: Buffer } {
    const id = randomUUID();
    const dataKey = this.crypto.newDataKey();
    return { id, wrappedKey: this.crypto.wrapKey(dataKey, keyContext(brandId, id)), sealed: this.crypto.encrypt(dataKey, value, fieldContext(brandId, id, 'staged')) };
  }

  openStaged(brandId: string, id: string, wrappedKey: Buffer, sealed: Buffer): string {
    return this.crypto.decrypt(this.unwrapDataKey(brandId, id, wrappedKey), sealed, fieldContext(brandId, id, 'staged'));
  }

  /** A subject's data key from its wrapped form, as set-wise readers (imports, backfills) select it. */
  unwrapDataKey(brandId: string, subjectId: string, wrappedKey: Buffer): Buffer {
    return this.crypto.unwrapKey(wrappedKey, keyContext(brandId, subjectId));
  }

  /** Decrypts a value sealed with `seal`, given the subject's wrapped key as a set-wise read selected it. */
  unsealWith(brandId: string, subjectId: string, wrappedKey: Buffer, field: string, sealed: Buffer): string {
    return this.crypto.decrypt(this.unwrapDataKey(brandId, subjectId, wrappedKey), sealed, fieldContext(brandId, subjectId, field));
  }

  /** Decrypts a value sealed with `seal`, under a subject's data key already unwrapped. */
  openWith(brandId: string, subjectId: string, dataKey: Buffer, field: string, sealed: Buffer): string {
    return this.crypto.decrypt(dataKey, sealed, fieldContext(brandId, subjectId, field));
  }

  /** Encrypts a value under a subject's data key already unwrapped (set-wise writers, backfills). */
  sealWith(brandId: string, subjectId: string, dataKey: Buffer, field: string, value: string): Buffer {
    return this.crypto.encrypt(dataKey, value, fieldContext(brandId, subjectId, field));
  }

  /** Encrypts a value under the subject's key (for ledger evidence and other personal data). */
  async seal(em: EntityManager, brandId: string, subjectId: string, field: string, value: string): Promise<Buffer> {
    const key = await this.dataKey(em, brandId, subjectId);
    if (!key) throw new DomainError('not-found', 'No subject with that id exists.');
    return this.crypto.encrypt(key, value, fieldContext(brandId, subjectId, field));
  }

  /** Decrypts a value sealed with `seal`, or null when the key is gone. */
  async unseal(em: EntityManager, brandId: string, subjectId: string, field: string, sealed: Buffer): Promise<string | null> {
    const key = await this.dataKey(em, brandId, subjectId);
    return key ? this.crypto.decrypt(key, sealed, fieldContext(brandId, subjectId, field)) : null;
  }

  private async toResponse(em: EntityManager, subject: SubjectEntity): Promise<SubjectResponse> {
    return this.present(subject, await this.dataKey(em, subject.brandId, subject.id));
  }

  private present(s: SubjectEntity, dataKey: Buffer | null): SubjectResponse {
    const open = (ct: Buffer | null, field: string) =>
      ct && dataKey ? this.crypto.decrypt(dataKey, ct, fieldContext(s.brandId, s.id, field)) : null;
    return {
      id: s.id,
      externalId: s.externalId,
      email: open(s.emailCt, 'email'),
      phone: open(s.phoneCt, 'phone'),
      locale: s.locale,
      timezone: s.timezone,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
    };
  }
}

/**
 * The contact fields a purpose uses: its channels decide (`email` → email, `sms` → phone), so
 * email_marketing (channels [email]) sees the email only. A purpose without channels that covers
 * the `contact` category sees both; any other purpose neither.
 */
export function contactChannels(purpose: { channels: readonly string[]; dataCategories: readonly string[] }): { email: boolean; phone: boolean } {
  if (!purpose.channels.length) return { email: purpose.dataCategories.includes('contact'), phone: purpose.dataCategories.includes('contact') };
  return { email: purpose.channels.includes('email'), phone: purpose.channels.includes('sms') };
}

function keyContext(brandId: string, subjectId: string): string {
  return `subject-key:${brandId}:${subjectId}`;
}

function fieldContext(brandId: string, subjectId: string, field: string): string {
  return `subject-field:${brandId}:${subjectId}:${field}`;
}

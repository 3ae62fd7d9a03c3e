import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { BrandActor } from '../../common/authz/actor';
import { CryptoService } from '../../common/crypto/crypto.service';
import { isUniqueViolation } from '../../common/database/errors';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, Page } from '../../common/http/pagination';
import { AccessLogService } from '../profiles/access-log.service';
import { AddIdentifierDto, IdentifierQuery, IdentifierResponse } from './dto/identifier.dto';
import { identifierErrors, identifierField, IdentifierInput, identifierHashKind, IdentifierType, normaliseIdentifier } from './identifiers';
import { SubjectsService } from './subjects.service';

/** An identifier row as stored: its value sealed under its subject's data key. */
interface IdentifierRow {
  identifier_id: string;
  subject_id: string;
  type: IdentifierType;
  system: string | null;
  value_ct: Buffer;
  value_hash: string;
  origin: 'api' | 'merge' | 'import';
  merged_from: string | null;
  created_at: Date;
}

/** An identifier to store for a subject, in normal form. */
export interface NewIdentifier {
  type: IdentifierType;
  system: string | null;
  /** Normalised (`normaliseIdentifier`). */
  value: string;
  origin: 'api' | 'merge' | 'import';
  mergedFrom: string | null;
}

/**
 * A subject's identifiers beyond its externalId (issue 17): the shop's email, the call centre's
 * phone, the loyalty programme's member number. Stored like the subject's own email and phone:
 * sealed under the subject's data key, found only by keyed hash, unique per brand (a kind of hash
 * per type and system), and blocked by an erased person's tombstones.
 */
@Injectable()
export class SubjectIdentifiersService {
  constructor(
    private readonly db: TenantDb,
    private readonly crypto: CryptoService,
    private readonly subjects: SubjectsService,
    private readonly accessLog: AccessLogService,
    private readonly cursors: Cursors,
  ) {}

  /**
   * Adds an identifier: 409 `subject-erased` when an erased person held it, 409 `identifier-taken`
   * when this or another subject holds it already (as an identifier, or as its own email, phone or
   * externalId). Answers what the caller sent, in normal form.
   */
  add(caller: BrandActor, subjectId: string, input: AddIdentifierDto): Promise<IdentifierResponse> {
    const errors = identifierErrors(input);
    if (errors.length) throw DomainError.validation(errors);
    return this.db.run(caller.brandId, async (em) => {
      // Locked like a merge locks it, so an identifier never lands on a record being merged away.
      await this.subjects.require(em, caller.brandId, subjectId, { lock: true });
      const identifier: IdentifierInput = { type: input.type, system: input.system ?? null, value: input.value };
      if ((await this.refuseTaken(em, caller.brandId, subjectId, identifier)) === 'held') throw taken('this');
      const value = normaliseIdentifier(input.type, input.value);
      try {
        const [row] = await this.insert(em, caller.brandId, subjectId, [{ type: input.type, system: input.system ?? null, value, origin: 'api', mergedFrom: null }]);
        return toResponse(row, value);
      } catch (error) {
        // Two requests adding the same identifier at once: the second meets the unique key.
        if (isUniqueViolation(error, 'uq_subject_identifiers_hash')) throw taken('another');
        throw error;
      }
    });
  }

  /**
   * Adds an identifier inside the caller's transaction (a bulk import's identifier line): `held` when
   * the subject holds it already (nothing to do), else as `add` (409 problems when it is taken).
   */
  async addInTx(em: EntityManager, brandId: string, subjectId: string, identifier: IdentifierInput, origin: NewIdentifier['origin']): Promise<'added' | 'held'> {
    if ((await this.refuseTaken(em, brandId, subjectId, identifier)) === 'held') return 'held';
    const added = await this.insert(
      em,
      brandId,
      subjectId,
      [{ type: identifier.type, system: identifier.system ?? null, value: normaliseIdentifier(identifier.type, identifier.value), origin, mergedFrom: null }],
      { skipTaken: true },
    );
    if (!added.length) throw taken('another');
    return 'added';
  }

  /** 409 when an erased person or another live subject holds the identifier; `held` when this subject does. */
  private async refuseTaken(em: EntityManager, brandId: string, subjectId: string, identifier: IdentifierInput): Promise<'held' | null> {
    const hash = this.hashOf(brandId, identifier.type, identifier.system ?? null, normaliseIdentifier(identifier.type, identifier.value));
    const [tombstone] = await em.query(`SELECT 1 FROM tombstones WHERE brand_id = $1 AND kind = $2 AND hash = $3`, [
      brandId,
      identifierHashKind(identifier.type, identifier.system),
      hash,
    ]);
    if (tombstone) throw new DomainError('subject-erased', 'This identifier belonged to a customer who asked to be erased; it cannot be used again.');
    const holders = await this.subjects.holdersOf(em, brandId, identifier);
    if (holders.includes(subjectId)) return 'held';
    if (holders.length) throw taken('another');
    // A record merged away or erased keeps no identifiers, but its row may still hold the hash while it is being changed.
    const [held] = await em.query(`SELECT 1 FROM subject_identifiers WHERE brand_id = $1 AND value_hash = $2`, [brandId, hash]);
    if (held) throw taken('another');
    return null;
  }

  /** A subject's identifiers, oldest first; emails and phones only where the caller may see them (as on GET /v1/subjects/{id}). Logged. */
  list(caller: BrandActor, subjectId: string, query: IdentifierQuery): Promise<Page<IdentifierResponse>> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId);
      const rows: IdentifierRow[] = await em.query(
        `SELECT identifier_id, subject_id, type, system, value_ct, value_hash, origin, merged_from, created_at
         FROM subject_identifiers WHERE brand_id = $1 AND subject_id = $2`,
        [caller.brandId, subjectId],
      );
      const page = this.cursors.pageOf(
        { list: 'subject-identifiers', brandId: caller.brandId, parent: subjectId },
        rows,
        query,
        (r) => `${new Date(r.created_at).toISOString()}|${r.identifier_id}`,
      );
      const visible = (await this.subjects.contactVisibility(em, caller, [subjectId], query.purpose))(subjectId);
      const shown = (r: IdentifierRow) => r.type === 'external' || visible[r.type];
      const dataKey = page.data.some(shown) ? await this.subjects.dataKey(em, caller.brandId, subjectId) : null;
      const data = page.data.map((r) =>
        toResponse(r, shown(r) && dataKey ? this.subjects.openWith(caller.brandId, subjectId, dataKey, identifierField(r.identifier_id), r.value_ct) : null),
      );
      const read = [...new Set(page.data.filter(shown).map((r) => (r.type === 'external' ? 'identifiers' : r.type)))];
      await this.accessLog.record(em, caller.brandId, caller, [subjectId], { kind: 'subject', purpose: query.purpose ?? null, fields: ['identifiers', ...read.filter((f) => f !== 'identifiers')] });
      return { data, nextCursor: page.nextCursor };
    });
  }

  /** Every identifier of a subject, opened, oldest first: what its export holds (inside the caller's transaction). */
  async openAll(em: EntityManager, brandId: string, subjectId: string): Promise<Array<{ type: IdentifierType; system: string | null; value: string; origin: string; addedAt: string }>> {
    const rows: IdentifierRow[] = await em.query(
      `SELECT identifier_id, subject_id, type, system, value_ct, value_hash, origin, merged_from, created_at
       FROM subject_identifiers WHERE brand_id = $1 AND subject_id = $2 ORDER BY created_at, identifier_id`,
      [brandId, subjectId],
    );
    const dataKey = rows.length ? await this.subjects.dataKey(em, brandId, subjectId) : null;
    if (!dataKey) return [];
    return rows.map((r) => ({
      type: r.type,
      system: r.system,
      value: this.subjects.openWith(brandId, subjectId, dataKey, identifierField(r.identifier_id), r.value_ct),
      origin: r.origin,
      addedAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** Removes one identifier of the subject (404 when the subject holds none with that id). */
  remove(caller: BrandActor, subjectId: string, identifierId: string): Promise<void> {
    return this.db.run(caller.brandId, async (em) => {
      await this.subjects.require(em, caller.brandId, subjectId, { lock: true });
      const [, removed] = await em.query(`DELETE FROM subject_identifiers WHERE brand_id = $1 AND subject_id = $2 AND identifier_id = $3`, [
        caller.brandId,
        subjectId,
        identifierId,
      ]);
      if (!removed) throw DomainError.notFound('identifier', identifierId);
    });
  }

  /**
   * Stores identifiers of a subject, sealed under its data key, inside the caller's transaction
   * (the single route, merges, imports); one that another row holds already is skipped, and the
   * rows written are returned.
   */
  async insert(em: EntityManager, brandId: string, subjectId: string, identifiers: readonly NewIdentifier[], opts: { skipTaken?: boolean } = {}): Promise<IdentifierRow[]> {
    if (!identifiers.length) return [];
    const dataKey = await this.subjects.dataKey(em, brandId, subjectId);
    if (!dataKey) throw DomainError.notFound('subject', subjectId);
    const now = new Date();
    const ids = identifiers.map(() => randomUUID());
    const rows: IdentifierRow[] = await em.query(
      `INSERT INTO subject_identifiers (brand_id, identifier_id, subject_id, type, system, value_ct, value_hash, origin, merged_from, created_at)
       SELECT $1, x.id, $2, x.type, x.system, x.value_ct, x.value_hash, x.origin, x.merged_from, $3
       FROM unnest($4::uuid[], $5::text[], $6::text[], $7::bytea[], $8::text[], $9::text[], $10::uuid[]) AS x(id, type, system, value_ct, value_hash, origin, merged_from)
       ${opts.skipTaken ? 'ON CONFLICT (brand_id, value_hash) DO NOTHING' : ''}
       RETURNING identifier_id, subject_id, type, system, value_ct, value_hash, origin, merged_from, created_at`,
      [
        brandId,
        subjectId,
        now,
        ids,
        identifiers.map((i) => i.type),
        identifiers.map((i) => i.system),
        identifiers.map((i, n) => this.subjects.sealWith(brandId, subjectId, dataKey, identifierField(ids[n]), i.value)),
        identifiers.map((i) => this.hashOf(brandId, i.type, i.system, i.value)),
        identifiers.map((i) => i.origin),
        identifiers.map((i) => i.mergedFrom),
      ],
    );
    return rows;
  }

  /**
   * Moves every identifier of `fromId` to `toId` (a merge), re-sealed under the survivor's key:
   * each was sealed bound to its subject. Returns how many moved.
   */
  async moveAll(em: EntityManager, brandId: string, fromId: string, toId: string, fromKey: Buffer, toKey: Buffer): Promise<number> {
    const rows: IdentifierRow[] = await em.query(
      `SELECT identifier_id, subject_id, type, system, value_ct, value_hash, origin, merged_from, created_at
       FROM subject_identifiers WHERE brand_id = $1 AND subject_id = $2 FOR UPDATE`,
      [brandId, fromId],
    );
    if (!rows.length) return 0;
    const resealed = rows.map((r) =>
      this.subjects.sealWith(brandId, toId, toKey, identifierField(r.identifier_id), this.subjects.openWith(brandId, fromId, fromKey, identifierField(r.identifier_id), r.value_ct)),
    );
    await em.query(
      `UPDATE subject_identifiers i SET subject_id = $3, value_ct = x.value_ct, merged_from = coalesce(i.merged_from, $2::uuid)
       FROM unnest($4::uuid[], $5::bytea[]) AS x(id, value_ct)
       WHERE i.brand_id = $1 AND i.identifier_id = x.id`,
      [brandId, fromId, toId, rows.map((r) => r.identifier_id), resealed],
    );
    return rows.length;
  }

  /** The keyed hash an identifier is stored and found by. */
  hashOf(brandId: string, type: IdentifierType, system: string | null, normalised: string): string {
    return this.crypto.lookupHash(brandId, identifierHashKind(type, system), normalised);
  }
}

function taken(holder: 'this' | 'another'): DomainError {
  return holder === 'this'
    ? new DomainError('identifier-taken', 'This subject already holds this identifier (as an identifier, or as its own email, phone or externalId).')
    : new DomainError('identifier-taken', 'Another subject holds this identifier. If both are records of one person, merge them (POST /v1/subjects/{id}/merge).');
}

function toResponse(r: IdentifierRow, value: string | null): IdentifierResponse {
  return {
    id: r.identifier_id,
    type: r.type,
    system: r.system,
    value,
    origin: r.origin,
    mergedFrom: r.merged_from,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

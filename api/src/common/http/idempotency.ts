import { createHash } from 'node:crypto';
import { Column, Entity, EntityManager, In, PrimaryColumn } from 'typeorm';
import canonicalize from 'canonicalize';
import { DomainError } from '../errors/domain-error';

@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ type: 'text' }) scope: string;
  @PrimaryColumn({ name: 'idempotency_key', type: 'text' }) key: string;
  @Column({ name: 'request_hash', type: 'text' }) requestHash: string;
  @Column({ name: 'status_code', type: 'integer' }) statusCode: number;
  @Column({ type: 'jsonb' }) response: unknown;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** The subject the request was about: erasing the subject deletes the key, its request hash and response. */
  @Column({ name: 'subject_id', type: 'uuid', nullable: true }) subjectId: string | null;
}

export interface IdempotentRequest {
  brandId: string;
  /** The operation, e.g. `consent.capture`: the same key may be reused across operations. */
  scope: string;
  key: string;
  /** Everything that defines the request: a repeat with other content is refused. */
  request: unknown;
  /** The subject the request is about, if any: its erasure deletes what is remembered here. */
  subjectId?: string;
}

/** Keyed hashing (`CryptoService.lookupHash`): what the store holds instead of the key and the body. */
export type LookupHasher = (brandId: string, kind: string, value: string) => string;

/**
 * `Idempotency-Key` support, inside the caller's transaction. Call `replay` after taking the
 * lock that serialises the operation (so a concurrent twin sees the first one's result), and
 * `remember` in the same transaction as the write.
 *
 * The store holds keyed hashes of the key and of the request, never the key a client chose (it may
 * carry personal data) nor an unkeyed digest of the body (which would confirm a guessed email or IP).
 * Rows written before that hold the raw key and a SHA-256 of the body; `replay` still finds them.
 */
export const Idempotency = {
  async replay<T>(em: EntityManager, hash: LookupHasher, req: IdempotentRequest): Promise<T | null> {
    const keys = idempotencyKeyHashes(hash, req);
    const rows = await em.getRepository(IdempotencyKeyEntity).findBy({ brandId: req.brandId, scope: req.scope, key: In(keys) });
    const row = rows.find((r) => r.key === keys[0]) ?? rows[0];
    if (!row) return null;
    const expected = row.key === keys[0] ? requestHash(hash, req) : legacyRequestHash(req.request);
    if (row.requestHash !== expected) {
      throw new DomainError(
        'idempotency-key-reused',
        'This Idempotency-Key was already used with a different request body. Use a new key for a new request.',
      );
    }
    return row.response as T;
  },

  async remember(em: EntityManager, hash: LookupHasher, req: IdempotentRequest, statusCode: number, response: unknown): Promise<void> {
    await em.getRepository(IdempotencyKeyEntity).insert({
      brandId: req.brandId,
      scope: req.scope,
      key: idempotencyKeyHashes(hash, req)[0],
      requestHash: requestHash(hash, req),
      statusCode,
      response: response as object,
      createdAt: new Date(),
      subjectId: req.subjectId ?? null,
    });
  },
};

/** The stored form of a key (a keyed hash, scoped to the brand and operation), then the raw key rows from before. */
export function idempotencyKeyHashes(hash: LookupHasher, req: Pick<IdempotentRequest, 'brandId' | 'scope' | 'key'>): [string, string] {
  return [hash(req.brandId, `idempotency-key:${req.scope}`, req.key), req.key];
}

function requestHash(hash: LookupHasher, req: IdempotentRequest): string {
  return hash(req.brandId, `idempotency-request:${req.scope}`, canonicalize(req.request) ?? 'null');
}

function legacyRequestHash(request: unknown): string {
  return createHash('sha256').update(canonicalize(request) ?? 'null').digest('hex');
}

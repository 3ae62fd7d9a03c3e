import { createHash } from 'node:crypto';
import { Column, Entity, EntityManager, PrimaryColumn } from 'typeorm';
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

/**
 * `Idempotency-Key` support, inside the caller's transaction. Call `replay` after taking the
 * lock that serialises the operation (so a concurrent twin sees the first one's result), and
 * `remember` in the same transaction as the write.
 */
export const Idempotency = {
  async replay<T>(em: EntityManager, req: IdempotentRequest): Promise<T | null> {
    const row = await em.getRepository(IdempotencyKeyEntity).findOneBy({ brandId: req.brandId, scope: req.scope, key: req.key });
    if (!row) return null;
    if (row.requestHash !== requestHash(req.request)) {
      throw new DomainError(
        'idempotency-key-reused',
        'This Idempotency-Key was already used with a different request body. Use a new key for a new request.',
      );
    }
    return row.response as T;
  },

  async remember(em: EntityManager, req: IdempotentRequest, statusCode: number, response: unknown): Promise<void> {
    await em.getRepository(IdempotencyKeyEntity).insert({
      brandId: req.brandId,
      scope: req.scope,
      key: req.key,
      requestHash: requestHash(req.request),
      statusCode,
      response: response as object,
      createdAt: new Date(),
      subjectId: req.subjectId ?? null,
    });
  },
};

function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalize(request) ?? 'null').digest('hex');
}

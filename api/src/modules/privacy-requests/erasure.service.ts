import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { SubjectEntity } from '../subjects/subject.entity';
import { ConsentLedgerService } from '../consents/consent-ledger.service';
import { OutboxService } from '../webhooks/outbox.service';
import { TombstoneEntity } from './privacy-request.entity';

export interface ErasureCertificate {
  erasedAt: string;
  /** The keyed hash that now stands for the subject's external id; it identifies no one. */
  tombstone: string;
  ledgerVerified: boolean;
  deleted: Record<string, number>;
  dataKeyDestroyed: boolean;
}

/** Tables whose rows about the subject are deleted outright. Order respects foreign keys. */
const ERASED_TABLES = [
  'facts', 'preferences', 'sessions', 'sign_in_tokens', 'contacts', 'suppressions', 'access_log',
  'question_responses', 'consent_conflicts', 'consent_states', 'subject_keys',
] as const;

/**
 * Erasure that really erases, in the caller's single transaction: personal rows deleted, the
 * subject's data key destroyed (ledger evidence becomes unreadable while the hash chain still
 * verifies, because hashes cover ciphertext), identifiers replaced by tombstones (keyed hashes) so
 * the subject cannot be re-created, and `subject.erased` put in the outbox for every endpoint.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly crypto: CryptoService,
    private readonly ledger: ConsentLedgerService,
    private readonly outbox: OutboxService,
  ) {}

  async erase(em: EntityManager, brandId: string, subjectId: string, erasedAt: Date): Promise<ErasureCertificate> {
    const subject = await em.getRepository(SubjectEntity).findOneOrFail({ where: { brandId, id: subjectId }, lock: { mode: 'pessimistic_write' } });
    const tombstone = this.crypto.lookupHash(brandId, 'external_id', subject.externalId);
    const tombstones: Array<Pick<TombstoneEntity, 'kind' | 'hash'>> = [{ kind: 'external_id', hash: tombstone }];
    if (subject.emailHash) tombstones.push({ kind: 'email', hash: subject.emailHash });
    if (subject.phoneHash) tombstones.push({ kind: 'phone', hash: subject.phoneHash });
    await em
      .createQueryBuilder()
      .insert()
      .into(TombstoneEntity)
      .values(tombstones.map((t) => ({ ...t, brandId, subjectId, erasedAt })))
      .orIgnore()
      .execute();

    const deleted: Record<string, number> = {};
    for (const table of ERASED_TABLES) {
      const result: [unknown[], number] = await em.query(`DELETE FROM ${table} WHERE brand_id = $1 AND subject_id = $2`, [brandId, subjectId]);
      deleted[table] = result[1];
    }
    // The row stays so the id answers 410 and the ledger's foreign keys hold; it keeps nothing personal.
    await em.getRepository(SubjectEntity).update(
      { brandId, id: subjectId },
      { externalId: `erased:${subjectId}`, emailCt: null, emailHash: null, phoneCt: null, phoneHash: null, locale: null, timezone: null, erasedAt, updatedAt: erasedAt },
    );
    await this.outbox.emit(em, brandId, 'subject.erased', { subjectId, tombstone, erasedAt: erasedAt.toISOString() }, subjectId);
    const verdict = await this.ledger.verifyInTx(em, brandId);
    return { erasedAt: erasedAt.toISOString(), tombstone, ledgerVerified: verdict.ok, deleted, dataKeyDestroyed: deleted.subject_keys === 1 };
  }
}

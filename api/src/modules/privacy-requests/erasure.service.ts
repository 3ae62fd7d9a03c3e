import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { ConsentLedgerService } from '../consents/consent-ledger.service';
import { OutboxService } from '../webhooks/outbox.service';

/** What erasing one subject did: the certificate without the ledger verdict. */
export interface SubjectErasure {
  erasedAt: string;
  /** The keyed hash that now stands for the subject's external id; it identifies no one. */
  tombstone: string;
  /** Rows deleted per table, the records merged into the subject included. */
  deleted: Record<string, number>;
  dataKeyDestroyed: boolean;
  /** Records merged into the subject before (the same person), erased with it, their data keys too. */
  mergedRecordsErased?: string[];
}

export interface ErasureCertificate extends SubjectErasure {
  ledgerVerified: boolean;
  /** Set when the subject had already been erased (by another request or a bulk job): nothing was left to delete. */
  alreadyErased?: true;
}

/** Tables whose rows about the subject are deleted outright. Order respects foreign keys. */
export const ERASED_TABLES = [
  'recommendation_feedback', 'facts', 'preferences', 'preference_changes', 'sessions', 'sign_in_tokens', 'contacts', 'suppressions', 'access_log',
  'question_responses', 'consent_conflicts', 'consent_states', 'idempotency_keys', 'consent_confirmations', 'fact_use', 'subject_identifiers',
  'subject_merges', 'subject_keys',
] as const;

/**
 * Tables with a `subject_id` whose rows outlive the subject's erasure, and why they identify no one
 * afterwards. Every other table with a `subject_id` must be in ERASED_TABLES: a test reads the
 * catalog and fails on a table in neither list, so a new table about subjects cannot be forgotten.
 */
export const KEPT_TABLES: Record<string, string> = {
  subjects: 'the row stays so the id answers 410; identifiers, contact data and locale are cleared',
  consent_events: 'the hash-chained ledger; its evidence is ciphertext under the destroyed data key',
  privacy_requests: 'the erasure itself must be provable; free-text notes and extension reasons are replaced',
  tombstones: 'keyed hashes that stop the subject being re-created; they reveal nothing without the key',
  outbox_events: 'webhook events carry ids and purpose keys, never personal values',
  erasure_job_items: 'which line of a bulk job named which (erased) subject id',
};

/** What stands in place of free text erased with its subject (privacy-request notes, extension reasons). */
export const ERASED_TEXT = '[erased with the subject]';

/**
 * Erasure that really erases, in the caller's single transaction: personal rows deleted, the
 * subject's data key destroyed (ledger evidence becomes unreadable while the hash chain still
 * verifies, because hashes cover ciphertext), identifiers replaced by tombstones (keyed hashes) so
 * the subject cannot be re-created, and `subject.erased` put in the outbox for every endpoint.
 *
 * `eraseMany` is the one implementation, set-wise whatever the number of subjects (a bulk job
 * passes a few thousand at a time); `erase` is the single-subject case of it plus the whole-ledger
 * verification its certificate carries. Bulk jobs verify the ledger once, not per subject.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly crypto: CryptoService,
    private readonly ledger: ConsentLedgerService,
    private readonly outbox: OutboxService,
  ) {}

  async erase(em: EntityManager, brandId: string, subjectId: string, erasedAt: Date): Promise<ErasureCertificate> {
    const erased = (await this.eraseMany(em, brandId, [subjectId], erasedAt)).get(subjectId);
    const verdict = await this.ledger.verifyInTx(em, brandId);
    if (erased) return { ...erased, ledgerVerified: verdict.ok };
    // Erased before (a bulk job got there first): certify what stands, from the tombstone.
    const [before] = await em.query(
      `SELECT hash, erased_at FROM tombstones WHERE brand_id = $1 AND subject_id = $2 AND kind = 'external_id' LIMIT 1`,
      [brandId, subjectId],
    );
    if (!before) throw new Error(`subject ${subjectId} of brand ${brandId} does not exist`);
    return { erasedAt: new Date(before.erased_at).toISOString(), tombstone: before.hash, ledgerVerified: verdict.ok, deleted: {}, dataKeyDestroyed: false, alreadyErased: true };
  }

  /**
   * Erases every subject of `subjectIds` that exists in the brand and is not erased yet (others are
   * left alone and absent from the answer), with one statement per table whatever their number:
   * tombstones by INSERT … SELECT, one DELETE per table, one UPDATE of `subjects`, and one
   * `subject.erased` event per subject in the outbox. Subjects are locked in id order first, so
   * concurrent erasures of overlapping sets wait for each other instead of deadlocking.
   */
  async eraseMany(em: EntityManager, brandId: string, subjectIds: readonly string[], erasedAt: Date): Promise<Map<string, SubjectErasure>> {
    const result = new Map<string, SubjectErasure>();
    if (!subjectIds.length) return result;
    // Records merged into a subject are the same person: they go with it, counted in its answer.
    const subjects: Array<{ subject_id: string; external_id: string; merged_into: string | null }> = await em.query(
      `SELECT subject_id, external_id, merged_into FROM subjects
       WHERE brand_id = $1 AND (subject_id = ANY($2::uuid[]) OR merged_into = ANY($2::uuid[])) AND erased_at IS NULL
       ORDER BY subject_id FOR UPDATE`,
      [brandId, subjectIds],
    );
    if (!subjects.length) return result;
    const ids = subjects.map((s) => s.subject_id);
    const hashes = subjects.map((s) => this.crypto.lookupHash(brandId, 'external_id', s.external_id));
    const at = erasedAt.toISOString();
    const asked = new Set(subjectIds);
    /** Whose answer each erased row counts in: its own, or the subject it was merged into. */
    const ownerOf = new Map(subjects.map((s) => [s.subject_id, asked.has(s.subject_id) || !s.merged_into ? s.subject_id : s.merged_into]));
    subjects.forEach((s, i) => {
      if (ownerOf.get(s.subject_id) === s.subject_id) result.set(s.subject_id, { erasedAt: at, tombstone: hashes[i], deleted: {}, dataKeyDestroyed: false });
    });
    for (const s of subjects) {
      const owner = result.get(ownerOf.get(s.subject_id)!);
      if (owner && ownerOf.get(s.subject_id) !== s.subject_id) (owner.mergedRecordsErased ??= []).push(s.subject_id);
    }

    await em.query(
      `INSERT INTO tombstones (brand_id, kind, hash, subject_id, erased_at)
       SELECT s.brand_id, t.kind, t.hash, s.subject_id, $4
       FROM unnest($2::uuid[], $3::text[]) AS x(subject_id, external_id_hash)
       JOIN subjects s ON s.brand_id = $1 AND s.subject_id = x.subject_id
       CROSS JOIN LATERAL (VALUES ('external_id', x.external_id_hash), ('email', s.email_hash), ('phone', s.phone_hash)) AS t(kind, hash)
       WHERE t.hash IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [brandId, ids, hashes, erasedAt],
    );
    // Their other identifiers too (a merged record's email, phone and external id among them), each
    // under the kind it is looked up by (see identifierHashKind).
    await em.query(
      `INSERT INTO tombstones (brand_id, kind, hash, subject_id, erased_at)
       SELECT brand_id, CASE WHEN type <> 'external' THEN type WHEN system IS NULL THEN 'external_id' ELSE 'external:' || system END,
              value_hash, subject_id, $3
       FROM subject_identifiers WHERE brand_id = $1 AND subject_id = ANY($2::uuid[])
       ON CONFLICT DO NOTHING`,
      [brandId, ids, erasedAt],
    );

    for (const table of ERASED_TABLES) {
      const counts: Array<{ subject_id: string; n: number }> = await em.query(
        `WITH gone AS (DELETE FROM ${table} WHERE brand_id = $1 AND subject_id = ANY($2::uuid[]) RETURNING subject_id)
         SELECT subject_id, count(*)::int AS n FROM gone GROUP BY subject_id`,
        [brandId, ids],
      );
      for (const erasure of result.values()) erasure.deleted[table] = 0;
      for (const c of counts) {
        const erasure = result.get(ownerOf.get(c.subject_id)!);
        if (erasure) erasure.deleted[table] += c.n;
      }
    }
    // Every key of the person: the subject's own and those of the records merged into it.
    for (const erasure of result.values()) erasure.dataKeyDestroyed = erasure.deleted.subject_keys === 1 + (erasure.mergedRecordsErased?.length ?? 0);

    // Privacy requests stay as proof, but free text written about the subject (a rectification note
    // such as "Changed email from …", an extension's reason) goes: the history keeps who did what, when.
    await em.query(
      `UPDATE privacy_request_events e SET note = $3
       FROM privacy_requests r
       WHERE r.brand_id = $1 AND r.subject_id = ANY($2::uuid[]) AND e.brand_id = r.brand_id AND e.request_id = r.request_id AND e.note IS NOT NULL`,
      [brandId, ids, ERASED_TEXT],
    );
    await em.query(
      `UPDATE privacy_requests
       SET extension_reason = CASE WHEN extension_reason IS NULL THEN NULL ELSE $3 END,
           certificate = CASE WHEN jsonb_typeof(certificate->'note') = 'string' THEN certificate || jsonb_build_object('note', $3::text) ELSE certificate END
       WHERE brand_id = $1 AND subject_id = ANY($2::uuid[]) AND (extension_reason IS NOT NULL OR jsonb_typeof(certificate->'note') = 'string')`,
      [brandId, ids, ERASED_TEXT],
    );

    // The rows stay so the ids answer 410 and the ledger's foreign keys hold; they keep nothing personal.
    await em.query(
      `UPDATE subjects SET external_id = 'erased:' || subject_id, email_ct = NULL, email_hash = NULL, phone_ct = NULL, phone_hash = NULL,
              locale = NULL, timezone = NULL, erased_at = $3, updated_at = $3
       WHERE brand_id = $1 AND subject_id = ANY($2::uuid[])`,
      [brandId, ids, erasedAt],
    );
    await this.outbox.emitMany(
      em,
      brandId,
      'subject.erased',
      subjects.map((s, i) => ({ subjectId: s.subject_id, data: { subjectId: s.subject_id, tombstone: hashes[i], erasedAt: at } })),
    );
    return result;
  }
}

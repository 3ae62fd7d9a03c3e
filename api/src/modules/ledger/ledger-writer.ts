import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { copyInto, copyRow, type CopyValue } from '../../common/database/copy';
import { ConsentEventEntity, LedgerHeadEntity } from '../consents/consent.entity';
import type { ConsentEventResponse } from '../consents/dto/consent.dto';
import { OutboxService } from '../webhooks/outbox.service';
import { hashEvent, type ChainedEvent } from './hash-chain';

/** Why a decision cannot enter the ledger; the same words for a single capture and an import line. */
export type DecisionRefusal = { code: 'unknown-purpose' | 'unknown-notice-version' | 'notice-required'; path: 'purpose' | 'noticeVersion'; message: string };

/** What the brand's configuration says about a decision's purpose and notice, looked up by the caller. */
export interface DecisionFacts {
  purposeExists: boolean;
  /** Whether the named `noticeVersion` is published; null when the decision names none. */
  noticeExists: boolean | null;
  /** The newest published notice version of the purpose, or null when it has none. */
  latestNotice: number | null;
}

/**
 * The ledger's rules for one decision, pure: the purpose must be the brand's, a named notice version
 * must be published, and a grant needs a notice (a grant is proof only with the words the customer
 * agreed to). Answers the notice version the event records, or why it is refused.
 */
export function checkDecision(
  decision: { granted: boolean; noticeVersion?: number | null },
  facts: DecisionFacts,
): { ok: true; noticeVersion: number | null } | { ok: false; refusal: DecisionRefusal } {
  if (!facts.purposeExists) {
    return { ok: false, refusal: { code: 'unknown-purpose', path: 'purpose', message: 'is not a purpose of this brand (GET /v1/purposes lists them)' } };
  }
  if (decision.noticeVersion !== undefined && decision.noticeVersion !== null) {
    if (!facts.noticeExists) return { ok: false, refusal: { code: 'unknown-notice-version', path: 'noticeVersion', message: "is not a published version of this purpose's notice" } };
    return { ok: true, noticeVersion: decision.noticeVersion };
  }
  if (decision.granted && facts.latestNotice === null) {
    return { ok: false, refusal: { code: 'notice-required', path: 'purpose', message: 'has no published notice: publish one before recording grants' } };
  }
  return { ok: true, noticeVersion: facts.latestNotice };
}

/** A refusal as an upload rejection says it: the code, then where and what, never the submitted value. */
export function refusalReason(refusal: DecisionRefusal): string {
  return `${refusal.code}: ${refusal.path} ${refusal.message}`;
}

/** A decision that passed `checkDecision`, ready to be chained. */
export interface LedgerDecision {
  subjectId: string;
  purpose: string;
  granted: boolean;
  noticeVersion: number | null;
  source: string;
  capturedAt: Date;
  /** Only a grant can expire; a withdrawal's is ignored. */
  expiresAt: Date | null;
  /** Evidence sealed under the subject's data key, or null. */
  evidenceCt: Buffer | null;
}

/** Above this many events a batch goes by COPY; below, as plain inserts. */
const COPY_THRESHOLD = 20;

/**
 * The only writer of the consent ledger. Every path that records a consent decision — a single
 * capture, the portal, Global Privacy Control, bulk imports, and every later path — appends through
 * `appendMany`, inside the caller's brand transaction: the brand's chain head is locked, events get
 * consecutive `seq` in the order given, each is hashed over its predecessor, the head moves, every
 * event is announced in the outbox (`consent.changed`), and the current-state projection follows
 * the latest decision by capture time, then ledger order. A test fails when another module writes
 * the ledger's tables.
 */
@Injectable()
export class LedgerWriter {
  constructor(private readonly outbox: OutboxService) {}

  /** Starts a new brand's chain: its head, before any event. */
  async startChain(em: EntityManager, brandId: string): Promise<void> {
    await em.getRepository(LedgerHeadEntity).insert({ brandId, lastSeq: 0, lastHash: null });
  }

  /**
   * Locks the brand's chain head for the rest of the transaction. Callers that must check something
   * (idempotency, a repeat in an import) under the lock take it first; `appendMany` takes it anyway.
   */
  async lockHead(em: EntityManager, brandId: string): Promise<LedgerHeadEntity> {
    const head = await em.getRepository(LedgerHeadEntity).findOne({ where: { brandId }, lock: { mode: 'pessimistic_write' } });
    if (!head) throw new Error(`brand ${brandId} has no ledger head`);
    return head;
  }

  /**
   * Appends the decisions, in order, to the brand's chain; returns the events written. `lockedHead`:
   * the head the caller already locked in this transaction with `lockHead`.
   */
  async appendMany(
    em: EntityManager,
    brandId: string,
    actor: string,
    decisions: readonly LedgerDecision[],
    lockedHead?: LedgerHeadEntity,
  ): Promise<ConsentEventEntity[]> {
    if (!decisions.length) return [];
    const head = lockedHead ?? (await this.lockHead(em, brandId));
    const recordedAt = new Date();
    let seq = Number(head.lastSeq);
    let prevHash = head.lastHash;
    const events = decisions.map((d) => {
      const event: ChainedEvent = {
        brandId,
        id: randomUUID(),
        seq: ++seq,
        subjectId: d.subjectId,
        purpose: d.purpose,
        granted: d.granted,
        noticeVersion: d.noticeVersion,
        source: d.source,
        actor,
        capturedAt: d.capturedAt,
        recordedAt,
        expiresAt: d.granted ? d.expiresAt : null,
        evidenceCt: d.evidenceCt,
        prevHash,
      };
      const hash = hashEvent(event);
      prevHash = hash;
      return Object.assign(new ConsentEventEntity(), event, { hash });
    });

    // A large batch (an import chunk) is staged by COPY in a table of this transaction, from which
    // the ledger, the outbox and the projection are each one INSERT … SELECT (sending thousands of
    // events as array parameters cost more than copying them); a small one travels as arrays.
    /** The staged events as a FROM item whose array parameters (if any) start at `$first`. */
    let rowsAt: (first: number) => string;
    let params: unknown[] = [];
    if (events.length >= COPY_THRESHOLD) {
      await em.query(
        `CREATE TEMPORARY TABLE IF NOT EXISTS ledger_append (
           consent_event_id uuid, seq bigint, subject_id uuid, purpose_key text, granted boolean, notice_version integer, source text,
           captured_at timestamptz, expires_at timestamptz, evidence_ct bytea, prev_hash text, hash text, outbox_event_id uuid, data jsonb
         ) ON COMMIT DROP`,
      );
      await em.query(`TRUNCATE ledger_append`);
      await copyInto(em, 'ledger_append', [
        events.map((e) => copyRow([...columnsOf(e), randomUUID(), JSON.stringify(changedPayload(e))])).join(''),
      ]);
      rowsAt = () => 'ledger_append';
      await this.outbox.emitStaged(em, brandId, 'consent.changed', `SELECT seq AS ord, outbox_event_id AS event_id, subject_id, data FROM ledger_append`);
    } else {
      const columns = events.map(columnsOf);
      params = columns[0].map((_, i) => columns.map((c) => c[i]));
      rowsAt = (first) =>
        `(SELECT * FROM unnest(${EVENT_COLUMNS.map((c, i) => `$${i + first}::${c.type}[]`).join(', ')}) AS x(${EVENT_COLUMNS.map((c) => c.name).join(', ')}))`;
      await this.outbox.emitMany(em, brandId, 'consent.changed', events.map((e) => ({ data: changedPayload(e), subjectId: e.subjectId })));
    }
    await em.query(
      `INSERT INTO consent_events (brand_id, consent_event_id, seq, subject_id, purpose_key, granted, notice_version, source, actor,
                                   captured_at, recorded_at, expires_at, evidence_ct, prev_hash, hash)
       SELECT $1, e.consent_event_id, e.seq, e.subject_id, e.purpose_key, e.granted, e.notice_version, e.source, $2, e.captured_at, $3,
              e.expires_at, e.evidence_ct, e.prev_hash, e.hash
       FROM ${rowsAt(4)} AS e ORDER BY e.seq`,
      [brandId, actor, recordedAt, ...params],
    );
    await em.getRepository(LedgerHeadEntity).update({ brandId }, { lastSeq: seq, lastHash: prevHash });
    // Per subject and purpose the latest of the new decisions by capture time (then ledger order),
    // applied only where it is not older than the current state (decisions can arrive backdated).
    await em.query(
      `INSERT INTO consent_states AS s
         (brand_id, subject_id, purpose_key, granted, notice_version, source, consent_event_id, captured_at, expires_at, updated_at)
       SELECT DISTINCT ON (e.subject_id, e.purpose_key)
              $1::uuid, e.subject_id, e.purpose_key, e.granted, e.notice_version, e.source, e.consent_event_id, e.captured_at, e.expires_at, $2::timestamptz
       FROM ${rowsAt(3)} AS e
       ORDER BY e.subject_id, e.purpose_key, e.captured_at DESC, e.seq DESC
       ON CONFLICT (brand_id, subject_id, purpose_key) DO UPDATE SET
         granted = EXCLUDED.granted, notice_version = EXCLUDED.notice_version, source = EXCLUDED.source,
         consent_event_id = EXCLUDED.consent_event_id, captured_at = EXCLUDED.captured_at,
         expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
       WHERE s.captured_at <= EXCLUDED.captured_at`,
      [brandId, recordedAt, ...params],
    );
    return events;
  }
}

/** The staged columns of an event, in order, with their SQL types (the array path names them). */
const EVENT_COLUMNS = [
  { name: 'consent_event_id', type: 'uuid' }, { name: 'seq', type: 'bigint' }, { name: 'subject_id', type: 'uuid' },
  { name: 'purpose_key', type: 'text' }, { name: 'granted', type: 'boolean' }, { name: 'notice_version', type: 'int' },
  { name: 'source', type: 'text' }, { name: 'captured_at', type: 'timestamptz' }, { name: 'expires_at', type: 'timestamptz' },
  { name: 'evidence_ct', type: 'bytea' }, { name: 'prev_hash', type: 'text' }, { name: 'hash', type: 'text' },
] as const;

function columnsOf(e: ChainedEvent & { hash: string }): CopyValue[] {
  return [e.id, e.seq, e.subjectId, e.purpose, e.granted, e.noticeVersion, e.source, e.capturedAt, e.expiresAt, e.evidenceCt, e.prevHash, e.hash];
}

/** The `consent.changed` payload of an event: ids and the decision, never personal data. */
function changedPayload(e: ChainedEvent): Record<string, unknown> {
  return { subjectId: e.subjectId, purpose: e.purpose, granted: e.granted, source: e.source, consentEventId: e.id, capturedAt: e.capturedAt.toISOString() };
}

/** The one mapping from a ledger event to what the API answers (captures, histories, exports). */
export function toEventResponse(e: ConsentEventEntity): ConsentEventResponse {
  return {
    id: e.id,
    purpose: e.purpose,
    granted: e.granted,
    noticeVersion: e.noticeVersion,
    source: e.source,
    actor: e.actor,
    capturedAt: e.capturedAt.toISOString(),
    recordedAt: e.recordedAt.toISOString(),
    expiresAt: e.expiresAt ? e.expiresAt.toISOString() : null,
    seq: e.seq,
    hash: e.hash,
    prevHash: e.prevHash,
  };
}

import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { copyInto, copyRow, type CopyValue } from '../../common/database/copy';
import { isConsentValid } from '../consents/consent-validity';
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
  /** The hash of an event this decision rests on (a merge cites the merged record's last event). */
  cites?: string | null;
}

/** One record's standing on one purpose, as its current state says, for a merge. */
export interface ConsentSnapshot {
  granted: boolean;
  noticeVersion: number | null;
  expiresAt: Date | null;
}

/** The merged person's decision on one purpose, and which record it came from. */
export interface MergedConsent {
  granted: boolean;
  noticeVersion: number | null;
  expiresAt: Date | null;
  /** Whose decision stands: the survivor's or the merged record's. */
  kept: 'survivor' | 'merged';
  /** The two records said different things (one agreed, the other withdrew or objected). */
  disagreed: boolean;
}

/**
 * The merged person's decision on one purpose, pure: the more protective one wins.
 * - The merged record never decided: nothing to merge (null), the survivor's decision stands.
 * - Either withdrew (or objected): withdrawn, until the person grants again.
 * - Both agreed: the agreement that is still valid, and of those the one that expires first
 *   (a grant that ran out is no refusal, but it is no consent either: it stands only when neither
 *   is valid). Ties keep the survivor's.
 * - Only the merged record agreed: its agreement (the person gave it; the survivor never decided).
 */
export function mergedConsent(survivor: ConsentSnapshot | null, merged: ConsentSnapshot | null, now: Date): MergedConsent | null {
  if (!merged) return null;
  const disagreed = survivor !== null && survivor.granted !== merged.granted;
  if (survivor && !survivor.granted) return { granted: false, noticeVersion: survivor.noticeVersion, expiresAt: null, kept: 'survivor', disagreed };
  if (!merged.granted) return { granted: false, noticeVersion: merged.noticeVersion, expiresAt: null, kept: 'merged', disagreed };
  if (!survivor) return { ...merged, kept: 'merged', disagreed };
  const [survivorValid, mergedValid] = [isConsentValid(survivor, now), isConsentValid(merged, now)];
  const ends = (s: ConsentSnapshot) => s.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const keepMerged = survivorValid === mergedValid ? ends(merged) < ends(survivor) : mergedValid;
  const kept = keepMerged ? merged : survivor;
  return { granted: true, noticeVersion: kept.noticeVersion, expiresAt: kept.expiresAt, kept: keepMerged ? 'merged' : 'survivor', disagreed };
}

/** What a merge recorded for one purpose: the decision, the survivor's new event and the event it cites. */
export interface MergeOutcome extends MergedConsent {
  purpose: string;
  eventId: string;
  /** The hash of the merged record's last event for the purpose. */
  cites: string;
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
    return this.append(em, brandId, actor, decisions, lockedHead, false);
  }

  /**
   * Merges the consent of `mergedId` into `survivorId`, inside the caller's brand transaction (which
   * has locked both subjects): per purpose the merged record decided, one event on the survivor
   * with the more protective decision (`mergedConsent`, source `merge`), citing the hash of the
   * merged record's last event for that purpose, so the chain proves both histories. The survivor's
   * state follows these events whatever its capture time; the merged record's states go (its events
   * stay, in the chain, under its own id).
   */
  async mergeRecords(em: EntityManager, brandId: string, actor: string, survivorId: string, mergedId: string): Promise<MergeOutcome[]> {
    const head = await this.lockHead(em, brandId);
    const rows: Array<{ subject_id: string; purpose_key: string; granted: boolean; notice_version: number | null; expires_at: Date | null; last_hash: string }> = await em.query(
      `SELECT s.subject_id, s.purpose_key, s.granted, s.notice_version, s.expires_at,
              (SELECT e.hash FROM consent_events e
               WHERE e.brand_id = s.brand_id AND e.subject_id = s.subject_id AND e.purpose_key = s.purpose_key
               ORDER BY e.seq DESC LIMIT 1) AS last_hash
       FROM consent_states s
       WHERE s.brand_id = $1 AND s.subject_id = ANY($2::uuid[])
       ORDER BY s.purpose_key`,
      [brandId, [survivorId, mergedId]],
    );
    const snapshot = (r: (typeof rows)[number] | undefined): ConsentSnapshot | null =>
      r ? { granted: r.granted, noticeVersion: r.notice_version, expiresAt: r.expires_at ? new Date(r.expires_at) : null } : null;
    const now = new Date();
    const planned: Array<{ purpose: string; merged: MergedConsent; cites: string }> = [];
    for (const other of rows.filter((r) => r.subject_id === mergedId)) {
      const merged = mergedConsent(snapshot(rows.find((r) => r.subject_id === survivorId && r.purpose_key === other.purpose_key)), snapshot(other), now);
      if (merged) planned.push({ purpose: other.purpose_key, merged, cites: other.last_hash });
    }
    const events = await this.append(
      em,
      brandId,
      actor,
      planned.map(({ purpose, merged, cites }) => ({
        subjectId: survivorId,
        purpose,
        granted: merged.granted,
        noticeVersion: merged.noticeVersion,
        source: 'merge',
        capturedAt: now,
        expiresAt: merged.expiresAt,
        evidenceCt: null,
        cites,
      })),
      head,
      true,
    );
    await em.query(`DELETE FROM consent_states WHERE brand_id = $1 AND subject_id = $2`, [brandId, mergedId]);
    return planned.map((p, i) => ({ purpose: p.purpose, ...p.merged, eventId: events[i].id, cites: p.cites }));
  }

  /**
   * Appends in order; `force`: the projection takes these events whatever the capture time of the
   * state they replace (a merge decides now, over states that may be captured later, within skew).
   */
  private async append(
    em: EntityManager,
    brandId: string,
    actor: string,
    decisions: readonly LedgerDecision[],
    lockedHead: LedgerHeadEntity | undefined,
    force: boolean,
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
        cites: d.cites ?? null,
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
           captured_at timestamptz, expires_at timestamptz, evidence_ct bytea, prev_hash text, hash text, cites_hash text, outbox_event_id uuid, data jsonb
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
                                   captured_at, recorded_at, expires_at, evidence_ct, prev_hash, hash, cites_hash)
       SELECT $1, e.consent_event_id, e.seq, e.subject_id, e.purpose_key, e.granted, e.notice_version, e.source, $2, e.captured_at, $3,
              e.expires_at, e.evidence_ct, e.prev_hash, e.hash, e.cites_hash
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
       ${force ? '' : 'WHERE s.captured_at <= EXCLUDED.captured_at'}`,
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
  { name: 'cites_hash', type: 'text' },
] as const;

function columnsOf(e: ChainedEvent & { hash: string }): CopyValue[] {
  return [e.id, e.seq, e.subjectId, e.purpose, e.granted, e.noticeVersion, e.source, e.capturedAt, e.expiresAt, e.evidenceCt, e.prevHash, e.hash, e.cites ?? null];
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
    ...(e.cites ? { cites: e.cites } : {}),
  };
}

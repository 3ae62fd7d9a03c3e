import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The fields of a consent event that its hash covers: everything but the hash itself. */
export interface ChainedEvent {
  id: string;
  brandId: string;
  seq: number;
  subjectId: string;
  purpose: string;
  granted: boolean;
  noticeVersion: number | null;
  source: string;
  actor: string;
  capturedAt: Date;
  recordedAt: Date;
  expiresAt: Date | null;
  /** Encrypted evidence: the hash covers the ciphertext, so it still verifies after crypto-shredding. */
  evidenceCt: Buffer | null;
  prevHash: string | null;
}

/** SHA-256 (hex) over the RFC 8785 canonical JSON of the event, which includes `prevHash`. */
export function hashEvent(event: ChainedEvent): string {
  return createHash('sha256').update(canonicalize(hashedContent(event))!, 'utf8').digest('hex');
}

/**
 * Exactly what an event's hash covers, as plain JSON: anyone holding it can recompute the hash
 * (SHA-256 of its RFC 8785 canonical form) — this is what a consent receipt carries.
 */
export function hashedContent(event: ChainedEvent) {
  return {
    v: 1,
    id: event.id,
    brandId: event.brandId,
    seq: event.seq,
    subjectId: event.subjectId,
    purpose: event.purpose,
    granted: event.granted,
    noticeVersion: event.noticeVersion,
    source: event.source,
    actor: event.actor,
    capturedAt: event.capturedAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
    expiresAt: event.expiresAt ? event.expiresAt.toISOString() : null,
    evidence: event.evidenceCt ? event.evidenceCt.toString('base64') : null,
    prevHash: event.prevHash,
  };
}

export type ChainFault = 'hash-mismatch' | 'broken-link' | 'sequence-gap' | 'chain-truncated';

export interface ChainVerdict {
  ok: boolean;
  events: number;
  firstBadEventId?: string;
  fault?: ChainFault;
}

/**
 * Checks a brand's chain incrementally, event by event in `seq` order: each event must follow the
 * previous one without a gap, point at its hash, and hash to what it says. `finish` compares the
 * end of the chain with the head row, which catches deleted events at the tail.
 */
export class ChainVerifier {
  private count = 0;
  private lastSeq = 0;
  private lastHash: string | null = null;
  private fault?: { id?: string; fault: ChainFault };

  /** Feeds the next event; returns false once the chain is known to be bad. */
  push(event: ChainedEvent & { hash: string }): boolean {
    if (this.fault) return false;
    this.count += 1;
    if (event.seq !== this.lastSeq + 1) this.fault = { id: event.id, fault: 'sequence-gap' };
    else if (event.prevHash !== this.lastHash) this.fault = { id: event.id, fault: 'broken-link' };
    else if (hashEvent(event) !== event.hash) this.fault = { id: event.id, fault: 'hash-mismatch' };
    this.lastSeq = event.seq;
    this.lastHash = event.hash;
    return !this.fault;
  }

  finish(head: { lastSeq: number; lastHash: string | null } | null): ChainVerdict {
    if (!this.fault && head && (head.lastSeq !== this.lastSeq || head.lastHash !== this.lastHash)) {
      this.fault = { fault: 'chain-truncated' };
    }
    return this.fault
      ? { ok: false, events: this.count, firstBadEventId: this.fault.id, fault: this.fault.fault }
      : { ok: true, events: this.count };
  }
}

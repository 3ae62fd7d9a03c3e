import { hash } from 'node:crypto';
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
  /**
   * Another event this one rests on, by its hash: a merge names the merged record's last event
   * for the purpose. Absent (or null) on every other event, whose hashed content stays version 1.
   */
  cites?: string | null;
}

/** SHA-256 (hex) over the RFC 8785 canonical JSON of the event, which includes `prevHash`. */
export function hashEvent(event: ChainedEvent): string {
  return hash('sha256', canonicalEventJson(hashedContent(event)), 'hex');
}

/** `hashedContent`'s keys in RFC 8785 order (UTF-16 code units). */
const CANONICAL_KEYS = [
  'actor', 'brandId', 'capturedAt', 'evidence', 'expiresAt', 'granted', 'id', 'noticeVersion',
  'prevHash', 'purpose', 'recordedAt', 'seq', 'source', 'subjectId', 'v',
] as const;

/**
 * RFC 8785 canonical JSON of an event's hashed content, written out directly: the content is a
 * flat object with fixed keys, so sorting them once and serialising each value as JSON (which is
 * what RFC 8785 prescribes for strings, numbers, booleans and null) gives the same text as the
 * general `canonicalize`, several times faster — bulk imports hash every event they append. A
 * value of any other kind, or another set of keys (a version 2 event's `cites`: merges are
 * rare), takes the general path.
 */
export function canonicalEventJson(content: HashedContent): string {
  if (Object.keys(content).length !== CANONICAL_KEYS.length) return canonicalize(content)!;
  let out = '{';
  for (let i = 0; i < CANONICAL_KEYS.length; i++) {
    const key = CANONICAL_KEYS[i];
    const value: unknown = content[key as keyof HashedContent];
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return canonicalize(content)!;
    out += `${i ? ',' : ''}"${key}":${JSON.stringify(value)}`;
  }
  return out + '}';
}

/**
 * Exactly what an event's hash covers, as plain JSON: anyone holding it can recompute the hash
 * (SHA-256 of its RFC 8785 canonical form) — this is what a consent receipt carries. An event that
 * cites another (a merge) is version 2 and carries `cites`; every other event is version 1, as
 * it always was, so no stored hash changes.
 */
export function hashedContent(event: ChainedEvent): HashedContent {
  const content = {
    v: 1 as number,
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
  return event.cites ? { ...content, v: 2, cites: event.cites } : content;
}

/** What an event's hash covers (`hashedContent`). */
export type HashedContent = {
  v: number;
  id: string;
  brandId: string;
  seq: number;
  subjectId: string;
  purpose: string;
  granted: boolean;
  noticeVersion: number | null;
  source: string;
  actor: string;
  capturedAt: string;
  recordedAt: string;
  expiresAt: string | null;
  evidence: string | null;
  prevHash: string | null;
  /** Version 2: the hash of the event this one cites. */
  cites?: string;
};

export type ChainFault = 'hash-mismatch' | 'broken-link' | 'sequence-gap' | 'chain-truncated' | 'missing-entry' | 'unchained-entry';

export interface ChainVerdict {
  ok: boolean;
  events: number;
  firstBadEventId?: string;
  fault?: ChainFault;
}

/** A link of any hash chain: its position, the hash it points back to and its own hash. */
export interface ChainLink {
  id: string;
  seq: number;
  prevHash: string | null;
  hash: string;
}

/**
 * Checks a hash chain incrementally, link by link in `seq` order: each link must follow the
 * previous one without a gap, point at its hash, and hash to what it says (`hashOf` recomputes
 * it from the stored content). `finish` compares the end of the chain with the head row, which
 * catches deleted links at the tail. Used for the consent ledger and the audit log.
 */
export class ChainVerifier<T extends ChainLink = ChainedEvent & { hash: string }> {
  private count = 0;
  private lastSeq = 0;
  private lastHash: string | null = null;
  private fault?: { id?: string; fault: ChainFault };

  constructor(private readonly hashOf: (link: T) => string = hashEvent as unknown as (link: T) => string) {}

  /** Feeds the next link; returns false once the chain is known to be bad. */
  push(link: T): boolean {
    if (this.fault) return false;
    this.count += 1;
    if (link.seq !== this.lastSeq + 1) this.fault = { id: link.id, fault: 'sequence-gap' };
    else if (link.prevHash !== this.lastHash) this.fault = { id: link.id, fault: 'broken-link' };
    else if (this.hashOf(link) !== link.hash) this.fault = { id: link.id, fault: 'hash-mismatch' };
    this.lastSeq = link.seq;
    this.lastHash = link.hash;
    return !this.fault;
  }

  /** Marks the chain bad for a reason found outside the link order (a missing or unchained entry). */
  fail(id: string | undefined, fault: ChainFault): void {
    this.fault ??= { id, fault };
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

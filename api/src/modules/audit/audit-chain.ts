import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export interface AuditLink {
  id: string;
  brandId: string;
  seq: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  prevHash: string | null;
}

/** SHA-256 over the RFC 8785 canonical JSON of an audit entry and its place in the chain. */
export function hashAuditEntry(e: AuditLink): string {
  const content = {
    v: 1,
    id: e.id,
    brandId: e.brandId,
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    target: e.target,
    details: e.details,
    prevHash: e.prevHash,
  };
  return createHash('sha256').update(canonicalize(content)!, 'utf8').digest('hex');
}

import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Actor, actorRef, BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { ChainVerdict, ChainVerifier } from '../ledger/hash-chain';
import { AuditLink, hashAuditEntry } from './audit-chain';

const VERIFY_BATCH = 2000;

interface ChainedRow {
  seq: string;
  audit_id: string;
  prev_hash: string | null;
  hash: string;
  at: Date | null;
  actor: string | null;
  action: string | null;
  target: string | null;
  details: Record<string, unknown> | null;
}

/**
 * The audit log of operator, staff, configuration and compliance actions: append-only and hash
 * chained per brand (`audit_chain`), written inside the caller's transaction.
 */
@Injectable()
export class AuditService {
  constructor(private readonly db: TenantDb) {}

  async record(
    em: EntityManager,
    brandId: string,
    actor: Actor,
    action: string,
    target: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const head = await this.lockHead(em, brandId);
    // Entries written before the chain existed are chained once, in their original order.
    if (head.lastSeq === 0) await this.chainUnchained(em, brandId, head);
    const entry = { brandId, id: randomUUID(), at: new Date(), actor: actorRef(actor), action, target, details };
    await em.query(
      `INSERT INTO audit_log (brand_id, audit_id, at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [brandId, entry.id, entry.at, entry.actor, entry.action, entry.target, JSON.stringify(details)],
    );
    await this.link(em, head, entry);
    await em.query(`UPDATE audit_heads SET last_seq = $2, last_hash = $3 WHERE brand_id = $1`, [brandId, head.lastSeq, head.lastHash]);
  }

  verify(caller: BrandActor): Promise<ChainVerdict> {
    return this.db.run(caller.brandId, async (em) => {
      const verifier = new ChainVerifier<AuditLink & { hash: string }>(hashAuditEntry);
      let after = 0;
      for (;;) {
        const rows: ChainedRow[] = await em.query(
          `SELECT c.seq, c.audit_id, c.prev_hash, c.hash, a.at, a.actor, a.action, a.target, a.details
           FROM audit_chain c LEFT JOIN audit_log a ON a.brand_id = c.brand_id AND a.audit_id = c.audit_id
           WHERE c.brand_id = $1 AND c.seq > $2 ORDER BY c.seq LIMIT ${VERIFY_BATCH}`,
          [caller.brandId, after],
        );
        let good = true;
        for (const r of rows) {
          if (r.at === null) {
            verifier.fail(r.audit_id, 'missing-entry');
            good = false;
            break;
          }
          const link = {
            id: r.audit_id,
            brandId: caller.brandId,
            seq: Number(r.seq),
            at: new Date(r.at),
            actor: r.actor!,
            action: r.action!,
            target: r.target,
            details: r.details ?? {},
            prevHash: r.prev_hash,
            hash: r.hash,
          };
          if (!(good = verifier.push(link))) break;
        }
        if (!good || rows.length < VERIFY_BATCH) break;
        after = Number(rows[rows.length - 1].seq);
      }
      const [unchained] = await em.query(
        `SELECT a.audit_id FROM audit_log a WHERE a.brand_id = $1
           AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.brand_id = a.brand_id AND c.audit_id = a.audit_id) LIMIT 1`,
        [caller.brandId],
      );
      if (unchained) verifier.fail(unchained.audit_id, 'unchained-entry');
      const [head] = await em.query(`SELECT last_seq, last_hash FROM audit_heads WHERE brand_id = $1`, [caller.brandId]);
      return verifier.finish(head ? { lastSeq: Number(head.last_seq), lastHash: head.last_hash } : null);
    });
  }

  private async lockHead(em: EntityManager, brandId: string): Promise<{ brandId: string; lastSeq: number; lastHash: string | null }> {
    await em.query(`INSERT INTO audit_heads (brand_id) VALUES ($1) ON CONFLICT DO NOTHING`, [brandId]);
    const [head] = await em.query(`SELECT last_seq, last_hash FROM audit_heads WHERE brand_id = $1 FOR UPDATE`, [brandId]);
    return { brandId, lastSeq: Number(head.last_seq), lastHash: head.last_hash };
  }

  private async chainUnchained(em: EntityManager, brandId: string, head: { brandId: string; lastSeq: number; lastHash: string | null }): Promise<void> {
    const rows: Array<{ audit_id: string; at: Date; actor: string; action: string; target: string | null; details: Record<string, unknown> }> = await em.query(
      `SELECT a.audit_id, a.at, a.actor, a.action, a.target, a.details FROM audit_log a
       WHERE a.brand_id = $1 AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.brand_id = a.brand_id AND c.audit_id = a.audit_id)
       ORDER BY a.at, a.audit_id`,
      [brandId],
    );
    for (const r of rows) {
      await this.link(em, head, { brandId, id: r.audit_id, at: new Date(r.at), actor: r.actor, action: r.action, target: r.target, details: r.details ?? {} });
    }
  }

  /** Appends one entry to the chain and advances the in-memory head (written back by `record`). */
  private async link(em: EntityManager, head: { brandId: string; lastSeq: number; lastHash: string | null }, entry: Omit<AuditLink, 'seq' | 'prevHash'>): Promise<void> {
    const seq = head.lastSeq + 1;
    const hash = hashAuditEntry({ ...entry, seq, prevHash: head.lastHash });
    await em.query(`INSERT INTO audit_chain (brand_id, seq, audit_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5)`, [head.brandId, seq, entry.id, head.lastHash, hash]);
    head.lastSeq = seq;
    head.lastHash = hash;
  }
}

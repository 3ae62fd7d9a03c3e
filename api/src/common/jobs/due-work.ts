import type { TenantDb } from '../database/tenant-db.service';

/** Kinds of background work, each found across brands by `candor_due_work` (migration 1765090000000). */
export type DueWorkKind = 'webhook-deliveries' | 'imports' | 'erasure-jobs' | 'expired-facts' | 'retention';

export interface DueWork {
  brandId: string;
  /** The job's id for job kinds; null where the work is per brand. */
  itemId: string | null;
}

/**
 * What background work is due, across every brand, in one statement: the idle cost of a process is
 * the same for ten brands as for ten thousand. Only ids come back; the work is then done in each
 * brand's own tenant scope.
 */
export async function findDueWork(db: TenantDb, kind: DueWorkKind, maxRows = 1000): Promise<DueWork[]> {
  const rows: Array<{ brand_id: string; item_id: string | null }> = await db.lookup({}, (em) =>
    em.query(`SELECT brand_id, item_id FROM candor_due_work($1, $2)`, [kind, maxRows]),
  );
  return rows.map((r) => ({ brandId: r.brand_id, itemId: r.item_id }));
}

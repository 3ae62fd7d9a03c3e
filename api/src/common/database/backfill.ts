import type { EntityManager } from 'typeorm';
import type { TenantDb } from './tenant-db.service';

/**
 * Runs a start-up backfill over every brand: `batch` is called in its own brand-scoped transaction
 * until it handles fewer than `size` rows, and returns how many it handled. A batch should take its
 * rows `FOR UPDATE SKIP LOCKED` and pick only rows still to do, so the backfill is idempotent and
 * processes starting together share it. Returns the total handled.
 */
export async function backfillEveryBrand(
  db: TenantDb,
  size: number,
  batch: (em: EntityManager, brandId: string, size: number) => Promise<number>,
): Promise<number> {
  const brands: Array<{ brand_id: string }> = await db.lookup({ allBrands: true }, (em) => em.query(`SELECT brand_id FROM brands ORDER BY brand_id`));
  let done = 0;
  for (const { brand_id: brandId } of brands) {
    for (;;) {
      const n = await db.run(brandId, (em) => batch(em, brandId, size));
      done += n;
      if (n < size) break;
    }
  }
  return done;
}

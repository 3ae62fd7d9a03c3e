import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { backfillEveryBrand } from '../../common/database/backfill';
import { TenantDb } from '../../common/database/tenant-db.service';
import { SubjectsService } from '../subjects/subjects.service';
import { sealFact } from './fact-sealing';

/** Rows sealed per transaction. */
const BATCH = 2_000;

/**
 * Seals facts written before migration 1764910000000 (plaintext `value` and `source`): the
 * migration cannot, without the master key. Runs when the API starts, before it serves requests
 * (an awaited bootstrap hook), brand by brand in batches of its own transactions; each batch locks
 * the rows it takes (`SKIP LOCKED`), seals them under their subject's data key and empties their
 * plaintext columns. Idempotent: only rows still unsealed are picked, so a restart or a second
 * process carries on where the other left off, and once everything is sealed it costs one indexed
 * lookup per brand (`ix_facts_unsealed`).
 */
@Injectable()
export class FactSealingBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger(FactSealingBackfill.name);

  constructor(
    private readonly db: TenantDb,
    private readonly crypto: CryptoService,
    private readonly subjects: SubjectsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const sealed = await this.run();
    if (sealed) this.logger.log({ sealed }, 'sealed facts stored in plaintext before migration 1764910000000');
  }

  /** Seals every unsealed fact of every brand; returns how many it sealed. */
  run(batch = BATCH): Promise<number> {
    return backfillEveryBrand(this.db, batch, (em, brandId, size) => this.sealBatch(em, brandId, size));
  }

  private async sealBatch(em: EntityManager, brandId: string, limit: number): Promise<number> {
    const rows: Array<{ fact_id: string; subject_id: string; fact_key: string; value: string; source: string; wrapped_key: Buffer }> = await em.query(
      `SELECT f.fact_id, f.subject_id, f.fact_key, f.value, f.source, k.wrapped_key
       FROM facts f JOIN subject_keys k ON k.brand_id = f.brand_id AND k.subject_id = f.subject_id
       WHERE f.brand_id = $1 AND f.value_ct IS NULL
       LIMIT $2 FOR UPDATE OF f SKIP LOCKED`,
      [brandId, limit],
    );
    if (!rows.length) return 0;
    const keys = new Map<string, Buffer>();
    const sealed = rows.map((r) => {
      let dataKey = keys.get(r.subject_id);
      if (!dataKey) keys.set(r.subject_id, (dataKey = this.subjects.unwrapDataKey(brandId, r.subject_id, r.wrapped_key)));
      return sealFact(this.crypto, dataKey, { brandId, subjectId: r.subject_id, id: r.fact_id, key: r.fact_key, value: r.value, source: r.source });
    });
    await em.query(
      `UPDATE facts f SET value_ct = x.value_ct, value_hash = x.value_hash, source_ct = x.source_ct, value = NULL, source = NULL
       FROM unnest($2::uuid[], $3::bytea[], $4::text[], $5::bytea[]) AS x(fact_id, value_ct, value_hash, source_ct)
       WHERE f.brand_id = $1 AND f.fact_id = x.fact_id`,
      [brandId, rows.map((r) => r.fact_id), sealed.map((s) => s.valueCt), sealed.map((s) => s.valueHash), sealed.map((s) => s.sourceCt)],
    );
    return rows.length;
  }
}

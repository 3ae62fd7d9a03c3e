import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { backfillEveryBrand } from '../../common/database/backfill';
import { TenantDb } from '../../common/database/tenant-db.service';
import { SubjectsService } from '../subjects/subjects.service';
import { suppressionReasonField } from './decision.entity';

/** Rows sealed per transaction. */
const BATCH = 2_000;

/**
 * Seals suppression reasons written before migration 1764920000000 (plaintext `reason`), which the
 * migration cannot do without the master key: when the API starts, before it serves, in batches
 * taken `FOR UPDATE SKIP LOCKED`, only rows still unsealed (idempotent; see backfillEveryBrand).
 */
@Injectable()
export class SuppressionSealingBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger(SuppressionSealingBackfill.name);

  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const sealed = await this.run();
    if (sealed) this.logger.log({ sealed }, 'sealed suppression reasons stored in plaintext before migration 1764920000000');
  }

  /** Seals every unsealed suppression reason of every brand; returns how many it sealed. */
  run(batch = BATCH): Promise<number> {
    return backfillEveryBrand(this.db, batch, (em, brandId, size) => this.sealBatch(em, brandId, size));
  }

  private async sealBatch(em: EntityManager, brandId: string, limit: number): Promise<number> {
    const rows: Array<{ suppression_id: string; subject_id: string; reason: string; wrapped_key: Buffer }> = await em.query(
      `SELECT x.suppression_id, x.subject_id, x.reason, k.wrapped_key
       FROM suppressions x JOIN subject_keys k ON k.brand_id = x.brand_id AND k.subject_id = x.subject_id
       WHERE x.brand_id = $1 AND x.reason_ct IS NULL
       LIMIT $2 FOR UPDATE OF x SKIP LOCKED`,
      [brandId, limit],
    );
    if (!rows.length) return 0;
    const sealed = rows.map((r) =>
      this.subjects.sealWith(brandId, r.subject_id, this.subjects.unwrapDataKey(brandId, r.subject_id, r.wrapped_key), suppressionReasonField(r.suppression_id), r.reason),
    );
    await em.query(
      `UPDATE suppressions x SET reason_ct = u.reason_ct, reason = NULL
       FROM unnest($2::uuid[], $3::bytea[]) AS u(suppression_id, reason_ct)
       WHERE x.brand_id = $1 AND x.suppression_id = u.suppression_id`,
      [brandId, rows.map((r) => r.suppression_id), sealed],
    );
    return rows.length;
  }
}

import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { backfillEveryBrand } from '../../common/database/backfill';
import { TenantDb } from '../../common/database/tenant-db.service';
import { SubjectsService } from '../subjects/subjects.service';
import { PREFERENCE_TOPICS_FIELD } from './preferences.entity';

/** Rows sealed per transaction. */
const BATCH = 2_000;

/**
 * Seals preference topics written before migration 1764940000000 (plaintext `topics`), which the
 * migration cannot do without the master key: when the API starts, before it serves, in batches
 * taken `FOR UPDATE SKIP LOCKED`, only rows still unsealed (idempotent; see backfillEveryBrand).
 * The version does not move: the preferences are the same.
 */
@Injectable()
export class PreferenceSealingBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger(PreferenceSealingBackfill.name);

  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const sealed = await this.run();
    if (sealed) this.logger.log({ sealed }, 'sealed preference topics stored in plaintext before migration 1764940000000');
  }

  /** Seals every unsealed row's topics in every brand; returns how many rows it sealed. */
  run(batch = BATCH): Promise<number> {
    return backfillEveryBrand(this.db, batch, (em, brandId, size) => this.sealBatch(em, brandId, size));
  }

  private async sealBatch(em: EntityManager, brandId: string, limit: number): Promise<number> {
    const rows: Array<{ subject_id: string; topics: string[]; wrapped_key: Buffer }> = await em.query(
      `SELECT p.subject_id, p.topics, k.wrapped_key
       FROM preferences p JOIN subject_keys k ON k.brand_id = p.brand_id AND k.subject_id = p.subject_id
       WHERE p.brand_id = $1 AND p.topics_ct IS NULL
       LIMIT $2 FOR UPDATE OF p SKIP LOCKED`,
      [brandId, limit],
    );
    if (!rows.length) return 0;
    const sealed = rows.map((r) =>
      this.subjects.sealWith(brandId, r.subject_id, this.subjects.unwrapDataKey(brandId, r.subject_id, r.wrapped_key), PREFERENCE_TOPICS_FIELD, JSON.stringify(r.topics)),
    );
    await em.query(
      `UPDATE preferences p SET topics_ct = u.topics_ct, topics = NULL
       FROM unnest($2::uuid[], $3::bytea[]) AS u(subject_id, topics_ct)
       WHERE p.brand_id = $1 AND p.subject_id = u.subject_id`,
      [brandId, rows.map((r) => r.subject_id), sealed],
    );
    return rows.length;
  }
}

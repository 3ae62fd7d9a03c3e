import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor, BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { findDueWork } from '../../common/jobs/due-work';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { PurposeEntity } from '../purposes/purpose.entity';
import { OutboxService } from '../webhooks/outbox.service';

const RUN_EVERY_MS = 6 * 3600_000;

export interface RetentionRun {
  purged: Record<string, number>;
  ranAt: string;
}

/**
 * Storage limitation (GDPR Art. 5(1)(e)): a fact may be kept as long as the longest retention
 * period among the purposes that cover its data category. When every covering purpose has a
 * period and it has passed, the fact is purged; the run is recorded in the audit log. A category
 * with a purpose that keeps data until consent is withdrawn (no period) is never purged here.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: TenantDb,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  setPeriod(caller: BrandActor, purposeKey: string, days: number | null): Promise<{ purpose: string; retentionDays: number | null }> {
    return this.db.run(caller.brandId, async (em) => {
      const result = await em.getRepository(PurposeEntity).update({ brandId: caller.brandId, key: purposeKey }, { retentionDays: days });
      if (!result.affected) throw new DomainError('not-found', 'No purpose with that key is defined for this brand.');
      await this.audit.record(em, caller.brandId, caller, 'retention.set', purposeKey, { days });
      return { purpose: purposeKey, retentionDays: days };
    });
  }

  run(caller: BrandActor): Promise<RetentionRun> {
    return this.db.run(caller.brandId, (em) => this.purge(em, caller.brandId, caller));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runDue().catch((error) => this.logger.warn({ err: error }, 'retention run failed; will retry')), RUN_EVERY_MS);
    this.timer.unref();
  }

  /** Applies the retention periods of every brand that set one (found in one statement across brands). */
  async runDue(): Promise<void> {
    for (const { brandId } of await findDueWork(this.db, 'retention')) {
      await this.db.run(brandId, (em) => this.purge(em, brandId, { kind: 'system', brandId, name: 'retention' }));
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async purge(em: EntityManager, brandId: string, actor: Actor): Promise<RetentionRun> {
    const rows: Array<{ category: string; subject_id: string; fact_id: string; fact_key: string }> = await em.query(
      `WITH keep AS (
         SELECT category, max(p.retention_days) AS days, bool_or(p.retention_days IS NULL) AS indefinite
         FROM purposes p, unnest(p.data_categories) AS category
         WHERE p.brand_id = $1 GROUP BY category
       )
       DELETE FROM facts f USING keep k
       WHERE f.brand_id = $1 AND f.category = k.category AND NOT k.indefinite
         AND f.collected_at < now() - make_interval(days => k.days)
       RETURNING f.category, f.subject_id, f.fact_id, f.fact_key`,
      [brandId],
    );
    const deleted = (Array.isArray(rows[0]) ? rows[0] : rows) as typeof rows;
    const purged: Record<string, number> = {};
    for (const r of deleted) {
      purged[r.category] = (purged[r.category] ?? 0) + 1;
      await this.outbox.emit(em, brandId, 'fact.changed', { subjectId: r.subject_id, factId: r.fact_id, key: r.fact_key, change: 'deleted' }, r.subject_id);
    }
    const ranAt = new Date().toISOString();
    if (deleted.length) await this.audit.record(em, brandId, actor, 'retention.purged', null, { purged });
    return { purged, ranAt };
  }
}

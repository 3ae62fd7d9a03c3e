import { Logger } from '@nestjs/common';
import { TenantDb } from '../database/tenant-db.service';
import { findDueWork, type DueWorkKind } from './due-work';

/** Where a kind of long job keeps its rows, and what its rows say. */
export interface LeasedJobTable {
  /** For logs: "import", "erasure job". */
  name: string;
  table: string;
  idColumn: string;
  /** SQL condition on the row: the job is still to be done. */
  unfinished: string;
  /** How the sweep finds this table's unfinished jobs nobody holds, across brands (same condition). */
  dueKind: DueWorkKind;
  /** Extra assignments when a process takes the job (e.g. its status), or ''. */
  onClaim: string;
  leaseMs: number;
  /** What the row's `error` says when the job stops on a failure. */
  failure: (error: Error) => string;
}

/**
 * Drives long jobs (bulk imports, bulk erasures) in the background of every API process, exactly
 * once between them: a process takes a job by setting its lease when nobody holds a live one, then
 * calls `step` until it says there is no more; each step commits its own chunk with the job's
 * checkpoint and renews the lease under the job row's lock (that is the caller's part). Every
 * process sweeps for jobs whose lease lapsed — their process died or stopped — and takes them over.
 * A step that throws marks the job failed with the table's `failure` text.
 */
export class LeasedJobs {
  private readonly logger: Logger;
  private readonly running = new Set<string>();
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly db: TenantDb,
    private readonly jobs: LeasedJobTable,
    private readonly step: (brandId: string, jobId: string) => Promise<boolean>,
  ) {
    this.logger = new Logger(`LeasedJobs:${jobs.name}`);
  }

  /** Starts the sweep: soon after start, then every few seconds (never slower than the lease). */
  start(): void {
    this.timer = setInterval(() => void this.sweep(), Math.max(1000, Math.min(this.jobs.leaseMs, 10_000)));
    this.timer.unref();
    setTimeout(() => void this.sweep(), 500).unref();
  }

  stop(): void {
    this.stopping = true;
    clearInterval(this.timer);
  }

  /** Starts running a job in the background of this process (if nobody else holds it). */
  kick(brandId: string, jobId: string): void {
    void this.run(brandId, jobId);
  }

  /** Runs a job to the end, or until another process holds it. */
  async run(brandId: string, jobId: string): Promise<void> {
    if (this.running.has(jobId) || this.stopping) return;
    this.running.add(jobId);
    const { table, idColumn, unfinished } = this.jobs;
    try {
      if (!(await this.claim(brandId, jobId))) return;
      while (!this.stopping && (await this.step(brandId, jobId))) {
        // next chunk
      }
    } catch (error) {
      this.logger.error({ err: error, jobId }, `${this.jobs.name} failed`);
      await this.db
        .run(brandId, (em) =>
          em.query(
            `UPDATE ${table} SET status = 'failed', error = $3, lease_until = NULL, updated_at = now(), finished_at = now()
             WHERE brand_id = $1 AND ${idColumn} = $2 AND ${unfinished}`,
            [brandId, jobId, this.jobs.failure(error as Error)],
          ),
        )
        .catch(() => undefined);
    } finally {
      this.running.delete(jobId);
    }
  }

  /** Takes the job when nobody holds a live lease on it. */
  private async claim(brandId: string, jobId: string): Promise<boolean> {
    const { table, idColumn, unfinished, onClaim } = this.jobs;
    // TypeORM answers an UPDATE with [rows, count].
    const [claimed]: [unknown[], number] = await this.db.run(brandId, (em) =>
      em.query(
        `UPDATE ${table} SET ${onClaim ? `${onClaim}, ` : ''}updated_at = now(),
                lease_until = now() + make_interval(secs => $3::double precision / 1000)
         WHERE brand_id = $1 AND ${idColumn} = $2 AND ${unfinished} AND (lease_until IS NULL OR lease_until < now())
         RETURNING ${idColumn}`,
        [brandId, jobId, this.jobs.leaseMs],
      ),
    );
    return claimed.length > 0;
  }

  /** Finds jobs nobody is running (left by a crash or a restart), and starts them here. */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      // One statement across brands: an idle sweep costs the same for any number of brands.
      for (const { brandId, itemId } of await findDueWork(this.db, this.jobs.dueKind)) if (itemId) this.kick(brandId, itemId);
    } catch (error) {
      if (!this.stopping) this.logger.warn({ err: error }, `looking for unfinished ${this.jobs.name}s failed`);
    }
  }
}

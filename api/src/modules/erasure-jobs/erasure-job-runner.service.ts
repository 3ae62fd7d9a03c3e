import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { TenantDb } from '../../common/database/tenant-db.service';
import { LeasedJobs, LeasedJobTable } from '../../common/jobs/leased-jobs';
import { AuditService } from '../audit/audit.service';
import { ConsentLedgerService } from '../consents/consent-ledger.service';
import { ErasureService } from '../privacy-requests/erasure.service';
import { PrivacyRequestsService } from '../privacy-requests/privacy-requests.service';

/**
 * Erasure jobs: queued, then running until completed or failed. Subjects erased per transaction
 * (`CANDOR_ERASURE_CHUNK_SUBJECTS`: a chunk, its privacy requests and the job's checkpoint commit
 * together) and the lease (`CANDOR_ERASURE_LEASE_MS`) come from the configuration.
 */
const erasureJobs = (leaseMs: number): LeasedJobTable => ({
  name: 'erasure job',
  table: 'erasure_jobs',
  idColumn: 'job_id',
  unfinished: `status IN ('queued', 'running')`,
  dueKind: 'erasure-jobs',
  onClaim: `status = 'running', started_at = coalesce(started_at, now())`,
  leaseMs,
  failure: (error) => `Erasure stopped: ${error.message}. Subjects erased before stay erased; uploading the same lines again erases the rest.`,
});

interface JobRow {
  status: string;
  actor: string;
  phase: number;
  done_through: number;
  ledger_verified: boolean | null;
  created_at: Date;
}

/**
 * Runs bulk erasure jobs in the background of every API process, as `ImportMerger` runs imports.
 * Pass 1 erases the job's subjects in line order, a chunk of a few thousand per transaction, with
 * `ErasureService.eraseMany` (the same code as a single erasure) and opens each erased subject's
 * privacy request; pass 2 starts by verifying the brand's whole consent ledger once (erasure never
 * touches the chain: hashes cover ciphertext) and completes the requests, chunk by chunk, with that
 * verdict. Every chunk commits with the job's checkpoint and counters under the job row's lock, so
 * it is done exactly once even if two processes (or a restarted one) work on the same job; a
 * process that dies mid-chunk loses only that uncommitted chunk, which the next claimant redoes
 * once the lease (`CANDOR_ERASURE_LEASE_MS`) has lapsed.
 */
@Injectable()
export class ErasureJobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ErasureJobs');
  private readonly jobs: LeasedJobs;

  constructor(
    private readonly db: TenantDb,
    private readonly erasure: ErasureService,
    private readonly requests: PrivacyRequestsService,
    private readonly ledger: ConsentLedgerService,
    private readonly audit: AuditService,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
  ) {
    this.jobs = new LeasedJobs(db, erasureJobs(config.jobs.erasureLeaseMs), (brandId, jobId) => this.db.run(brandId, (em) => this.step(em, brandId, jobId)));
  }

  onApplicationBootstrap(): void {
    this.jobs.start();
  }

  onApplicationShutdown(): void {
    this.jobs.stop();
  }

  /** Looks once, across brands, for unfinished jobs nobody holds, and takes them (the timer does this every few seconds). */
  resumeAbandoned(): Promise<void> {
    return this.jobs.sweep();
  }

  /** Starts running a job in the background of this process (if nobody else holds it). */
  kick(brandId: string, jobId: string): void {
    this.jobs.kick(brandId, jobId);
  }

  /** Runs a job to the end, or until another process holds it; exposed for tests. */
  run(brandId: string, jobId: string): Promise<void> {
    return this.jobs.run(brandId, jobId);
  }

  /** Does the next chunk; returns false when the job is finished or no longer ours to run. */
  private async step(em: EntityManager, brandId: string, jobId: string): Promise<boolean> {
    const [job]: JobRow[] = await em.query(
      `SELECT status, actor, phase, done_through, ledger_verified, created_at FROM erasure_jobs WHERE brand_id = $1 AND job_id = $2 FOR UPDATE`,
      [brandId, jobId],
    );
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return false;
    const items: Array<{ line: number; subject_id: string; request_id: string }> = await em.query(
      `SELECT line, subject_id, request_id FROM erasure_job_items WHERE brand_id = $1 AND job_id = $2 AND line > $3 ORDER BY line LIMIT ${this.config.jobs.erasureChunkSubjects}`,
      [brandId, jobId, job.done_through],
    );
    if (job.phase === 1) {
      if (!items.length) return this.verifyLedger(em, brandId, jobId);
      const counts = await this.eraseChunk(em, brandId, jobId, job, items);
      await this.checkpoint(em, brandId, jobId, 1, items[items.length - 1].line, counts);
      return true;
    }
    if (!items.length) return this.finish(em, brandId, jobId, job);
    await this.requests.completeBulkErasures(em, brandId, job.actor, jobId, items.map((i) => i.request_id), job.ledger_verified === true);
    await this.checkpoint(em, brandId, jobId, 2, items[items.length - 1].line, { erased: 0, alreadyErased: 0 });
    return true;
  }

  /**
   * Pass 1, one chunk: the first line naming a subject that is not erased yet erases it; every other
   * line (a subject erased before, or named again) counts as already erased and changes nothing.
   */
  private async eraseChunk(
    em: EntityManager,
    brandId: string,
    jobId: string,
    job: JobRow,
    items: ReadonlyArray<{ line: number; subject_id: string; request_id: string }>,
  ): Promise<{ erased: number; alreadyErased: number }> {
    const firstLine = new Map<string, { subject_id: string; request_id: string }>();
    for (const item of items) if (!firstLine.has(item.subject_id)) firstLine.set(item.subject_id, item);
    const erased = await this.erasure.eraseMany(em, brandId, [...firstLine.keys()], new Date());
    await this.requests.openBulkErasures(
      em,
      brandId,
      job.actor,
      jobId,
      job.created_at,
      [...erased].map(([subjectId, erasure]) => ({ subjectId, requestId: firstLine.get(subjectId)!.request_id, erasure })),
    );
    return { erased: erased.size, alreadyErased: items.length - erased.size };
  }

  private async checkpoint(em: EntityManager, brandId: string, jobId: string, phase: number, through: number, counts: { erased: number; alreadyErased: number }): Promise<void> {
    await em.query(
      `UPDATE erasure_jobs SET phase = $3, done_through = $4, erased = erased + $5, already_erased = already_erased + $6, status = 'running',
              updated_at = now(), lease_until = now() + make_interval(secs => $7::double precision / 1000)
       WHERE brand_id = $1 AND job_id = $2`,
      [brandId, jobId, phase, through, counts.erased, counts.alreadyErased, this.config.jobs.erasureLeaseMs],
    );
  }

  /** End of pass 1: the whole ledger is verified once, its verdict kept on the job for pass 2. */
  private async verifyLedger(em: EntityManager, brandId: string, jobId: string): Promise<boolean> {
    const verdict = await this.ledger.verifyInTx(em, brandId);
    if (!verdict.ok) this.logger.error({ jobId, verdict }, 'the consent ledger does not verify after an erasure job');
    await em.query(
      `UPDATE erasure_jobs SET phase = 2, done_through = 0, ledger_verified = $3, ledger_events = $4, updated_at = now(),
              lease_until = now() + make_interval(secs => $5::double precision / 1000)
       WHERE brand_id = $1 AND job_id = $2`,
      [brandId, jobId, verdict.ok, verdict.events, this.config.jobs.erasureLeaseMs],
    );
    return true;
  }

  /** Completed: the job's audit entry, and its staged items dropped (the requests and rejections stay). */
  private async finish(em: EntityManager, brandId: string, jobId: string, job: JobRow): Promise<boolean> {
    const [done] = await em.query(
      `UPDATE erasure_jobs SET status = 'completed', lease_until = NULL, updated_at = now(), finished_at = now()
       WHERE brand_id = $1 AND job_id = $2
       RETURNING total_lines, erased, already_erased, rows_rejected, ledger_verified, ledger_events`,
      [brandId, jobId],
    ).then(([rows]: [Array<Record<string, unknown>>, number]) => rows);
    await this.audit.record(em, brandId, { kind: 'system', brandId, name: 'erasure-job' }, 'erasure_job.completed', jobId, {
      requestedBy: job.actor,
      totalLines: done.total_lines,
      erased: done.erased,
      alreadyErased: done.already_erased,
      rejected: done.rows_rejected,
      ledgerVerified: done.ledger_verified,
      ledgerEvents: done.ledger_events,
    });
    await em.query(`DELETE FROM erasure_job_items WHERE brand_id = $1 AND job_id = $2`, [brandId, jobId]);
    return false;
  }
}

import { Injectable } from '@nestjs/common';
import { copyInto, copyRow } from '../../common/database/copy';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { actorRef, BrandActor } from '../../common/authz/actor';
import { assertUnlimited } from '../../common/authz/personal-data';
import { CryptoService } from '../../common/crypto/crypto.service';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { AuditService } from '../audit/audit.service';
import { LineTooLongError, MAX_REJECTIONS_KEPT, numberedLines } from '../imports/import-lines';
import { ErasureJobResponse } from './dto/erasure-job.dto';
import { ErasureJobRunner } from './erasure-job-runner.service';
import { parseErasureLine } from './erasure-lines';

const MAX_REJECTIONS_SHOWN = 1000;
/** The 415 detail for a bulk erasure sent as anything but NDJSON. */
export const ERASURE_MEDIA_TYPE =
  'Send the subjects to erase as newline-delimited JSON with "Content-Type: application/x-ndjson", one {"subjectId": "…"} or {"externalId": "…"} per line.';

interface JobRow {
  job_id: string;
  status: ErasureJobResponse['status'];
  total_lines: number;
  erased: number;
  already_erased: number;
  rows_rejected: number;
  ledger_verified: boolean | null;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/**
 * Bulk erasure (`POST /v1/erasure-jobs`). The upload, once `NdjsonUploads` has received it whole, streams through: each line is checked, and the
 * lines go by `COPY` into a transaction-local table, where one statement resolves them to the
 * brand's subjects (by id, by external id, or — for a subject erased before — by the tombstone of
 * its external id) and stages the job's items; lines naming no subject of the brand are rejected
 * with their number. All in one transaction: when the upload is answered every line is staged or
 * rejected (if it was interrupted, nothing is). External ids never outlive that transaction.
 * `ErasureJobRunner` then erases chunk by chunk.
 */
@Injectable()
export class ErasureJobsService {
  constructor(
    private readonly db: TenantDb,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly runner: ErasureJobRunner,
  ) {}

  /** Stages an upload that `NdjsonUploads` has received in full (spooled): see that class for the limits. */
  async upload(caller: BrandActor, body: AsyncIterable<Buffer>): Promise<ErasureJobResponse> {
    // Erasing a customer erases every purpose's data: like one erasure request, it takes a key not limited to purposes.
    assertUnlimited(caller, 'A bulk erasure');
    const brandId = caller.brandId;
    const jobId = randomUUID();
    await this.db.run(brandId, async (em) => {
      await em.query(
        `INSERT INTO erasure_jobs (brand_id, job_id, status, actor, total_lines, created_at, updated_at) VALUES ($1, $2, 'queued', $3, 0, now(), now())`,
        [brandId, jobId, actorRef(caller)],
      );
      const counts = await this.stage(em, brandId, jobId, body);
      if (!counts.total) throw DomainError.validation([{ path: 'body', message: 'has no lines naming a subject to erase' }], 'The upload is empty.');
      await em.query(`UPDATE erasure_jobs SET total_lines = $3, rows_rejected = $4 WHERE brand_id = $1 AND job_id = $2`, [
        brandId, jobId, counts.total, counts.rejected,
      ]);
      await this.audit.record(em, brandId, caller, 'erasure_job.created', jobId, { totalLines: counts.total, accepted: counts.accepted, rejected: counts.rejected });
    });
    this.runner.kick(brandId, jobId);
    return this.status(caller, jobId);
  }

  status(caller: BrandActor, jobId: string): Promise<ErasureJobResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const [job]: JobRow[] = await em.query(
        `SELECT job_id, status, total_lines, erased, already_erased, rows_rejected, ledger_verified, error, created_at, finished_at
         FROM erasure_jobs WHERE brand_id = $1 AND job_id = $2`,
        [caller.brandId, jobId],
      );
      if (!job) throw DomainError.notFound('erasure job', jobId);
      const rejections: Array<{ line: number; reason: string }> = await em.query(
        `SELECT line, reason FROM erasure_job_rejections WHERE brand_id = $1 AND job_id = $2 ORDER BY line LIMIT ${MAX_REJECTIONS_SHOWN}`,
        [caller.brandId, jobId],
      );
      const handled = job.erased + job.already_erased + job.rows_rejected;
      return {
        id: job.job_id,
        status: job.status,
        totalLines: job.total_lines,
        erased: job.erased,
        alreadyErased: job.already_erased,
        rowsRejected: job.rows_rejected,
        // 100 means done: the last lines are handled before the ledger check and the requests' completion.
        progress: job.status === 'completed' ? 100 : job.total_lines ? Math.min(99.9, Math.floor((handled / job.total_lines) * 1000) / 10) : 0,
        rejections,
        ledgerVerified: job.ledger_verified,
        error: job.error,
        createdAt: job.created_at.toISOString(),
        finishedAt: job.finished_at ? job.finished_at.toISOString() : null,
      };
    });
  }

  /**
   * Streams the body into a temporary table (row-level security does not allow `COPY FROM` into a
   * table with policies), then resolves and stages every line with one INSERT … SELECT per outcome,
   * which the brand's policies check: another brand's subject is simply not found.
   */
  private async stage(em: EntityManager, brandId: string, jobId: string, body: AsyncIterable<Buffer>): Promise<{ total: number; accepted: number; rejected: number }> {
    await em.query(
      `CREATE TEMPORARY TABLE erasure_upload (line integer, subject_id uuid, external_id text, external_id_hash text, reason text) ON COMMIT DROP`,
    );
    const counts = { total: 0 };
    try {
      await copyInto(em, 'erasure_upload', this.copyRows(brandId, body, counts));
    } catch (error) {
      if (error instanceof LineTooLongError) {
        throw new DomainError('payload-too-large', `${error.message}: each line must name one subject in at most 64 KiB.`);
      }
      throw error;
    }
    const [staged] = await em.query(
      `WITH resolved AS (
         SELECT u.line, u.reason, u.subject_id AS given_id, u.external_id,
                coalesce(byid.merged_into, byid.subject_id, byext.subject_id, ident.subject_id, t.subject_id) AS subject_id
         FROM erasure_upload u
         LEFT JOIN subjects byid ON byid.brand_id = $1 AND byid.subject_id = u.subject_id
         LEFT JOIN subjects byext ON byext.brand_id = $1 AND byext.external_id = u.external_id
         -- A merged record (by id, or by its external id, now an identifier of the survivor) is erased as the person it joined.
         LEFT JOIN subject_identifiers ident ON ident.brand_id = $1 AND ident.value_hash = u.external_id_hash
         LEFT JOIN tombstones t ON t.brand_id = $1 AND t.kind = 'external_id' AND t.hash = u.external_id_hash
       ), accepted AS (
         INSERT INTO erasure_job_items (brand_id, job_id, line, subject_id, request_id)
         SELECT $1, $2, line, subject_id, gen_random_uuid() FROM resolved WHERE reason IS NULL AND subject_id IS NOT NULL
         RETURNING 1
       ), rejected AS (
         INSERT INTO erasure_job_rejections (brand_id, job_id, line, reason)
         SELECT $1, $2, line, coalesce(reason, CASE
                  WHEN given_id IS NOT NULL THEN 'subjectId: no subject of this brand has this id'
                  ELSE 'externalId: no subject of this brand has this externalId' END)
         FROM resolved WHERE reason IS NOT NULL OR subject_id IS NULL
         ORDER BY line LIMIT ${MAX_REJECTIONS_KEPT}
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM accepted)::int AS accepted,
              (SELECT count(*) FROM resolved WHERE reason IS NOT NULL OR subject_id IS NULL)::int AS rejected`,
      [brandId, jobId],
    );
    return { total: counts.total, accepted: staged.accepted, rejected: staged.rejected };
  }

  /** COPY text for every line, in batches; a rejected line carries its reason instead of a subject. */
  private async *copyRows(brandId: string, body: AsyncIterable<Buffer>, counts: { total: number }): AsyncGenerator<string> {
    let batch = '';
    for await (const { line, text } of numberedLines(body)) {
      counts.total++;
      const parsed = parseErasureLine(text);
      if (!parsed.ok) batch += copyRow([line, null, null, null, parsed.reason]);
      else if ('subjectId' in parsed) batch += copyRow([line, parsed.subjectId, null, null, null]);
      else {
        // The lookup hash finds the tombstone of a subject erased before, whose external id is gone.
        const hash = this.crypto.lookupHash(brandId, 'external_id', parsed.externalId);
        batch += copyRow([line, null, parsed.externalId, hash, null]);
      }
      if (batch.length > 256 * 1024) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
}

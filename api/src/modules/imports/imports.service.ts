import { assertUnlimited } from '../../common/authz/personal-data';
import { copyInto, copyRow } from '../../common/database/copy';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { actorRef, BrandActor } from '../../common/authz/actor';
import { TenantDb } from '../../common/database/tenant-db.service';
import { DomainError } from '../../common/errors/domain-error';
import { SubjectsService } from '../subjects/subjects.service';
import { ImportJobResponse } from './dto/import.dto';
import { LineTooLongError, numberedLines, parseLine } from './import-lines';
import { ImportMerger } from './import-merger.service';

const MAX_REJECTIONS_SHOWN = 1000;
/** Lines per staged block (`import_blocks`): one row, key and foreign-key check per block, not per line. */
const BLOCK_LINES = 1000;
/** The 415 detail for an import sent as anything but NDJSON. */
export const IMPORT_MEDIA_TYPE = 'Send the import as newline-delimited JSON with "Content-Type: application/x-ndjson", one record per line.';

interface JobRow {
  import_id: string;
  status: ImportJobResponse['status'];
  total_lines: number;
  rows_done: number;
  rows_rejected: number;
  error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/**
 * Bulk imports. The upload, once `NdjsonUploads` has received it whole, streams through: each line is checked against the rules of its
 * single-record route, subject identifiers are sealed as `SubjectsService` seals them, and the
 * lines go by `COPY` into staging — all in one transaction, so when the upload is answered every
 * line is durably staged (or, if it was interrupted, nothing is). `ImportMerger` then merges them.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly db: TenantDb,
    private readonly subjects: SubjectsService,
    private readonly merger: ImportMerger,
  ) {}

  /** Stages an upload that `NdjsonUploads` has received in full (spooled): see that class for the limits. */
  async upload(caller: BrandActor, body: AsyncIterable<Buffer>): Promise<ImportJobResponse> {
    assertUnlimited(caller, 'A bulk import');
    const brandId = caller.brandId;
    const importId = randomUUID();
    await this.db.run(brandId, async (em) => {
      await em.query(
        `INSERT INTO import_jobs (brand_id, import_id, status, actor, total_lines, created_at, updated_at) VALUES ($1, $2, 'merging', $3, 0, now(), now())`,
        [brandId, importId, actorRef(caller)],
      );
      const { total, last } = await this.stage(em, brandId, importId, body);
      if (!total) throw DomainError.validation([{ path: 'body', message: 'has no lines to import' }], 'The upload is empty.');
      await em.query(`UPDATE import_jobs SET total_lines = $3, last_line = $4 WHERE brand_id = $1 AND import_id = $2`, [brandId, importId, total, last]);
    });
    this.merger.kick(brandId, importId);
    return this.status(caller, importId);
  }

  status(caller: BrandActor, importId: string): Promise<ImportJobResponse> {
    return this.db.run(caller.brandId, async (em) => {
      const [job]: JobRow[] = await em.query(
        `SELECT import_id, status, total_lines, rows_done, rows_rejected, error, created_at, finished_at
         FROM import_jobs WHERE brand_id = $1 AND import_id = $2`,
        [caller.brandId, importId],
      );
      if (!job) throw DomainError.notFound('import', importId);
      const rejections: Array<{ line: number; reason: string }> = await em.query(
        `SELECT line, reason FROM import_rejections WHERE brand_id = $1 AND import_id = $2 ORDER BY line LIMIT ${MAX_REJECTIONS_SHOWN}`,
        [caller.brandId, importId],
      );
      const handled = job.rows_done + job.rows_rejected;
      return {
        id: job.import_id,
        status: job.status,
        totalLines: job.total_lines,
        rowsDone: job.rows_done,
        rowsRejected: job.rows_rejected,
        progress: job.status === 'completed' ? 100 : job.total_lines ? Math.floor((handled / job.total_lines) * 1000) / 10 : 0,
        rejections,
        error: job.error,
        createdAt: job.created_at.toISOString(),
        finishedAt: job.finished_at ? job.finished_at.toISOString() : null,
      };
    });
  }

  /**
   * Streams the body into staging. Row-level security does not allow `COPY FROM` into a table with
   * policies, so the lines are copied into a transaction-local temporary table (of the staged line
   * type) and moved into `import_blocks` with one INSERT … SELECT, which the brand's policy checks:
   * a row per block of `BLOCK_LINES` consecutive lines, so the durable write pays per block what a
   * row per line paid per line (tuple, key, foreign-key check on the job).
   */
  private async stage(em: EntityManager, brandId: string, importId: string, body: AsyncIterable<Buffer>): Promise<{ total: number; last: number }> {
    await em.query(`CREATE TEMPORARY TABLE import_upload OF import_line ON COMMIT DROP`);
    const counts = { total: 0, last: 0 };
    const rows = this.copyRows(brandId, body, counts);
    try {
      await copyInto(em, 'import_upload', rows);
    } catch (error) {
      if (error instanceof LineTooLongError) {
        throw new DomainError('payload-too-large', `${error.message}: each line must be one record of at most 64 KiB.`);
      }
      throw error;
    }
    await em.query(
      `INSERT INTO import_blocks (brand_id, import_id, block, first_line, last_line, lines)
       SELECT $1, $2, (u.line - 1) / ${BLOCK_LINES}, min(u.line), max(u.line),
              array_agg(ROW(u.line, u.kind, u.external_id, u.subject_id, u.email_ct, u.email_hash, u.phone_ct, u.phone_hash,
                            u.external_id_hash, u.wrapped_key, u.data)::import_line ORDER BY u.line)
       FROM import_upload u GROUP BY (u.line - 1) / ${BLOCK_LINES}`,
      [brandId, importId],
    );
    return counts;
  }

  /** COPY text for every line, in batches of lines; rejected lines are staged with their reason. */
  private async *copyRows(brandId: string, body: AsyncIterable<Buffer>, counts: { total: number; last: number }): AsyncGenerator<string> {
    let batch = '';
    const now = new Date();
    for await (const { line, text } of numberedLines(body)) {
      counts.total++;
      counts.last = line;
      const parsed = parseLine(text, now);
      if (!parsed.ok) {
        batch += copyRow([line, 'rejected', '', null, null, null, null, null, null, null, JSON.stringify({ reason: parsed.reason })]);
      } else if (parsed.kind === 'subject') {
        const sealed = this.subjects.sealNew(brandId, { externalId: parsed.externalId, email: parsed.email, phone: parsed.phone });
        batch += copyRow([
          line, 'subject', parsed.externalId, sealed.id, sealed.emailCt, sealed.emailHash,
          sealed.phoneCt, sealed.phoneHash, sealed.externalIdHash, sealed.wrappedKey, JSON.stringify(parsed.data),
        ]);
      } else if (parsed.kind === 'identifier') {
        // The identifier is personal data: staged sealed under a key of its own, opened at the merge.
        const staged = this.subjects.sealStaged(brandId, parsed.identifierValue!);
        batch += copyRow([line, 'identifier', parsed.externalId, staged.id, staged.sealed, null, null, null, null, staged.wrappedKey, JSON.stringify(parsed.data)]);
      } else {
        // No lookup hash here: the merge computes it only for lines whose subject it cannot find,
        // to tell an erased customer (tombstone) from an unknown one.
        batch += copyRow([line, parsed.kind, parsed.externalId, null, null, null, null, null, null, null, JSON.stringify(parsed.data)]);
      }
      if (batch.length > 256 * 1024) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
}

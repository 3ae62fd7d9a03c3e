import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { TenantDb } from '../../common/database/tenant-db.service';
import { OutboxService } from '../webhooks/outbox.service';
import { hashEvent } from '../ledger/hash-chain';
import { ConsentEventEntity, LedgerHeadEntity } from '../consents/consent.entity';

/** Lines merged per transaction: a chunk and the job's checkpoint commit together. */
const CHUNK_LINES = Number(process.env.CANDOR_IMPORT_CHUNK_LINES) || 20_000;
/** How long a process may go without progress before another takes its job over. */
export const IMPORT_LEASE_MS = Number(process.env.CANDOR_IMPORT_LEASE_MS) || 30_000;
/** How often each process looks for jobs nobody is merging (after a crash or restart). */
const SWEEP_MS = Math.max(1000, Math.min(IMPORT_LEASE_MS, 10_000));

interface JobRow {
  status: string;
  actor: string;
  phase: number;
  merged_through: number;
  last_line: number;
}

interface ConsentCandidate {
  line: number;
  subject_id: string;
  purpose_key: string;
  granted: boolean;
  captured_at: Date;
  expires_at: Date | null;
  source: string | null;
  notice_version: number | null;
  purpose_exists: boolean;
  notice_exists: boolean | null;
  latest_notice: number | null;
  already: boolean;
}

const ROWS_IN = `FROM import_rows r WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4`;

/**
 * Merges staged import lines into the brand's data, set-wise, one chunk of lines per transaction:
 * pass 1 creates subjects, pass 2 records consents (appended to the hash chain in line order),
 * facts and preferences. Each chunk commits with the job's checkpoint and counters, under the job
 * row's lock, so a chunk is merged exactly once even if two processes (or a restarted one) work on
 * the same job; a process that dies mid-chunk loses only that uncommitted chunk, which the next
 * claimant merges again. Re-running an import skips what is already there.
 */
@Injectable()
export class ImportMerger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Imports');
  private readonly running = new Set<string>();
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly db: TenantDb,
    private readonly outbox: OutboxService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
    setTimeout(() => void this.sweep(), 500).unref();
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.timer);
  }

  /** Starts merging a job in the background of this process (if nobody else holds it). */
  kick(brandId: string, importId: string): void {
    void this.merge(brandId, importId);
  }

  /** Merges a job to the end, or until another process holds it; exposed for tests. */
  async merge(brandId: string, importId: string): Promise<void> {
    if (this.running.has(importId) || this.stopping) return;
    this.running.add(importId);
    try {
      if (!(await this.claim(brandId, importId))) return;
      while (!this.stopping && (await this.db.run(brandId, (em) => this.mergeChunk(em, brandId, importId)))) {
        // next chunk
      }
    } catch (error) {
      this.logger.error({ err: error, importId }, 'import failed');
      await this.db
        .run(brandId, (em) =>
          em.query(
            `UPDATE import_jobs SET status = 'failed', error = $3, lease_until = NULL, updated_at = now(), finished_at = now()
             WHERE brand_id = $1 AND import_id = $2 AND status = 'merging'`,
            [brandId, importId, `Merging stopped: ${(error as Error).message}. What was merged before stays; running the same import again completes it.`],
          ),
        )
        .catch(() => undefined);
    } finally {
      this.running.delete(importId);
    }
  }

  /** Takes the job when nobody holds a live lease on it. */
  private async claim(brandId: string, importId: string): Promise<boolean> {
    // TypeORM answers an UPDATE with [rows, count].
    const [claimed]: [unknown[], number] = await this.db.run(brandId, (em) =>
      em.query(
        `UPDATE import_jobs SET lease_until = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
         WHERE brand_id = $1 AND import_id = $2 AND status = 'merging' AND (lease_until IS NULL OR lease_until < now())
         RETURNING import_id`,
        [brandId, importId, IMPORT_LEASE_MS],
      ),
    );
    return claimed.length > 0;
  }

  /** Finds jobs whose merging process went away, and merges them here. */
  private async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const orphans: Array<{ brandId: string; importId: string }> = [];
      await this.db.forEachBrand(async (brandId, em) => {
        const rows: Array<{ import_id: string }> = await em.query(
          `SELECT import_id FROM import_jobs WHERE brand_id = $1 AND status = 'merging' AND (lease_until IS NULL OR lease_until < now())`,
          [brandId],
        );
        for (const row of rows) orphans.push({ brandId, importId: row.import_id });
      });
      for (const job of orphans) this.kick(job.brandId, job.importId);
    } catch (error) {
      if (!this.stopping) this.logger.warn({ err: error }, 'looking for unfinished imports failed');
    }
  }

  /** Merges the next chunk; returns false when the job is finished or no longer ours to merge. */
  private async mergeChunk(em: EntityManager, brandId: string, importId: string): Promise<boolean> {
    const [job]: JobRow[] = await em.query(
      `SELECT status, actor, phase, merged_through, last_line FROM import_jobs WHERE brand_id = $1 AND import_id = $2 FOR UPDATE`,
      [brandId, importId],
    );
    if (!job || job.status !== 'merging') return false;
    const from = job.merged_through;
    const to = Math.min(from + CHUNK_LINES, job.last_line);
    const range = [brandId, importId, from, to];

    const counts = job.phase === 1 ? await this.mergeSubjects(em, range) : await this.mergeRecords(em, range, job.actor);
    const phaseDone = to >= job.last_line;
    const finished = phaseDone && job.phase === 2;
    await em.query(
      `UPDATE import_jobs SET rows_done = rows_done + $3, rows_rejected = rows_rejected + $4,
              phase = $5, merged_through = $6, status = $7, updated_at = now(),
              lease_until = CASE WHEN $7 = 'merging' THEN now() + make_interval(secs => $8::double precision / 1000) END,
              finished_at = CASE WHEN $7 = 'completed' THEN now() END
       WHERE brand_id = $1 AND import_id = $2`,
      [brandId, importId, counts.done, counts.rejected, phaseDone ? 2 : job.phase, phaseDone && !finished ? 0 : to, finished ? 'completed' : 'merging', IMPORT_LEASE_MS],
    );
    // Staged lines are only needed until merged; rejections are kept.
    if (finished) await em.query(`DELETE FROM import_rows WHERE brand_id = $1 AND import_id = $2`, [brandId, importId]);
    return !finished;
  }

  /** Pass 1: lines rejected at upload are recorded; subject lines create subjects unless erased. */
  private async mergeSubjects(em: EntityManager, range: unknown[]): Promise<{ done: number; rejected: number }> {
    const [staged] = await em.query(
      `WITH moved AS (
         INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT r.brand_id, r.import_id, r.line, r.data->>'reason' ${ROWS_IN} AND r.kind = 'rejected'
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM moved`,
      range,
    );
    // Tombstones outlive the erased subject: its external id, email or phone cannot come back.
    const [erased] = await em.query(
      `WITH moved AS (
         INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT r.brand_id, r.import_id, r.line, 'subject-erased: this customer asked to be erased; they cannot be imported again'
         ${ROWS_IN} AND r.kind = 'subject'
           AND (EXISTS (SELECT 1 FROM tombstones t WHERE t.brand_id = r.brand_id AND (
                  (t.kind = 'external_id' AND t.hash = r.external_id_hash) OR (t.kind = 'email' AND t.hash = r.email_hash)
                  OR (t.kind = 'phone' AND t.hash = r.phone_hash)))
             OR EXISTS (SELECT 1 FROM subjects s WHERE s.brand_id = r.brand_id AND s.external_id = r.external_id AND s.erased_at IS NOT NULL))
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM moved`,
      range,
    );
    // The first line for an external id creates the subject; an existing subject is left as it is
    // (as POST /v1/subjects does), so running the import again changes nothing.
    await em.query(
      `INSERT INTO subjects (brand_id, subject_id, external_id, email_ct, email_hash, phone_ct, phone_hash, locale, timezone, created_at, updated_at)
       SELECT DISTINCT ON (r.external_id) r.brand_id, r.subject_id, r.external_id, r.email_ct, r.email_hash, r.phone_ct, r.phone_hash,
              r.data->>'locale', r.data->>'timezone', now(), now()
       ${ROWS_IN} AND r.kind = 'subject'
         AND NOT EXISTS (SELECT 1 FROM import_rejections x WHERE x.brand_id = r.brand_id AND x.import_id = r.import_id AND x.line = r.line)
       ORDER BY r.external_id, r.line
       ON CONFLICT ON CONSTRAINT uq_subjects_external_id DO NOTHING`,
      range,
    );
    // Only subjects this chunk created carry the staged line's id: they get its wrapped data key.
    await em.query(
      `INSERT INTO subject_keys (brand_id, subject_id, wrapped_key, created_at)
       SELECT r.brand_id, r.subject_id, r.wrapped_key, now()
       ${ROWS_IN} AND r.kind = 'subject' AND EXISTS (SELECT 1 FROM subjects s WHERE s.brand_id = r.brand_id AND s.subject_id = r.subject_id)`,
      range,
    );
    const [subjects] = await em.query(`SELECT count(*)::int AS n ${ROWS_IN} AND r.kind = 'subject'`, range);
    return { done: subjects.n - erased.n, rejected: staged.n + erased.n };
  }

  /** Pass 2: consents, facts and preferences of subjects that exist and are not erased. */
  private async mergeRecords(em: EntityManager, range: unknown[], actor: string): Promise<{ done: number; rejected: number }> {
    const [missing] = await em.query(
      `WITH moved AS (
         INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT r.brand_id, r.import_id, r.line,
                CASE WHEN s.subject_id IS NULL AND EXISTS (SELECT 1 FROM tombstones t WHERE t.brand_id = r.brand_id
                            AND t.kind = 'external_id' AND t.hash = r.external_id_hash)
                       THEN 'subject-erased: this customer asked to be erased'
                     WHEN s.subject_id IS NULL THEN 'unknown-subject: no subject has externalId "' || r.external_id || '" (put its subject line in the file or create it first)'
                     ELSE 'subject-erased: this customer asked to be erased' END
         FROM import_rows r LEFT JOIN subjects s ON s.brand_id = r.brand_id AND s.external_id = r.external_id
         WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind IN ('consent', 'fact', 'preference')
           AND (s.subject_id IS NULL OR s.erased_at IS NOT NULL)
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM moved`,
      range,
    );
    const consents = await this.mergeConsents(em, range, actor);

    // Facts: a fact already recorded with the same key, value, source and time is not added twice.
    await em.query(
      `INSERT INTO facts (brand_id, fact_id, subject_id, fact_key, value, category, provenance, source, collected_at, expires_at, created_at, updated_at)
       SELECT DISTINCT ON (s.subject_id, r.data->>'key', r.data->>'value', r.data->>'source', coalesce((r.data->>'collectedAt')::timestamptz, j.created_at))
              r.brand_id, gen_random_uuid(), s.subject_id, r.data->>'key', r.data->>'value', r.data->>'category', r.data->>'provenance',
              r.data->>'source', coalesce((r.data->>'collectedAt')::timestamptz, j.created_at), (r.data->>'expiresAt')::timestamptz, now(), now()
       FROM import_rows r
       JOIN import_jobs j ON j.brand_id = r.brand_id AND j.import_id = r.import_id
       JOIN subjects s ON s.brand_id = r.brand_id AND s.external_id = r.external_id AND s.erased_at IS NULL
       WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind = 'fact'
         AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.brand_id = r.brand_id AND f.subject_id = s.subject_id AND f.fact_key = r.data->>'key'
                           AND f.value = r.data->>'value' AND f.source = r.data->>'source'
                           AND f.collected_at = coalesce((r.data->>'collectedAt')::timestamptz, j.created_at))`,
      range,
    );
    // Preferences: the last line for a subject replaces them, as PUT /v1/me/preferences would;
    // the version moves only when something changed.
    await em.query(
      `INSERT INTO preferences AS p (brand_id, subject_id, channels, quiet_hours, topics, version, updated_at)
       SELECT DISTINCT ON (s.subject_id) r.brand_id, s.subject_id, r.data->'channels', r.data->'quietHours',
              coalesce(ARRAY(SELECT jsonb_array_elements_text(r.data->'topics')), '{}'), 1, now()
       FROM import_rows r JOIN subjects s ON s.brand_id = r.brand_id AND s.external_id = r.external_id AND s.erased_at IS NULL
       WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind = 'preference'
       ORDER BY s.subject_id, r.line DESC
       ON CONFLICT (brand_id, subject_id) DO UPDATE SET
         channels = EXCLUDED.channels, quiet_hours = EXCLUDED.quiet_hours, topics = EXCLUDED.topics,
         version = p.version + 1, updated_at = now()
       WHERE (p.channels, p.quiet_hours, p.topics) IS DISTINCT FROM (EXCLUDED.channels, EXCLUDED.quiet_hours, EXCLUDED.topics)`,
      range,
    );
    const [records] = await em.query(`SELECT count(*)::int AS n ${ROWS_IN} AND r.kind IN ('consent', 'fact', 'preference')`, range);
    const rejected = missing.n + consents.rejected;
    return { done: records.n - rejected, rejected };
  }

  /**
   * Consent lines become ledger events with the same semantics as single decisions: the brand's
   * chain head is locked, events are appended in line order with consecutive `seq`, each linked
   * to and hashed over the previous one, and the current-state projection follows the latest
   * decision by capture time. A decision already in the ledger (same subject, purpose, time and
   * answer) is skipped, so an import can be run again.
   */
  private async mergeConsents(em: EntityManager, range: unknown[], actor: string): Promise<{ rejected: number }> {
    const [brandId, importId] = range as [string, string];
    const head = await em.getRepository(LedgerHeadEntity).findOne({ where: { brandId }, lock: { mode: 'pessimistic_write' } });
    if (!head) throw new Error(`brand ${brandId} has no ledger head`);
    const rows: ConsentCandidate[] = await em.query(
      `SELECT r.line, s.subject_id, r.data->>'purpose' AS purpose_key, (r.data->>'granted')::boolean AS granted,
              (r.data->>'capturedAt')::timestamptz AS captured_at, (r.data->>'expiresAt')::timestamptz AS expires_at,
              r.data->>'source' AS source, (r.data->>'noticeVersion')::int AS notice_version,
              p.purpose_key IS NOT NULL AS purpose_exists,
              CASE WHEN r.data ? 'noticeVersion' THEN EXISTS (SELECT 1 FROM notices n WHERE n.brand_id = r.brand_id
                     AND n.purpose_key = r.data->>'purpose' AND n.version = (r.data->>'noticeVersion')::int) END AS notice_exists,
              (SELECT max(n.version) FROM notices n WHERE n.brand_id = r.brand_id AND n.purpose_key = r.data->>'purpose') AS latest_notice,
              EXISTS (SELECT 1 FROM consent_events e WHERE e.brand_id = r.brand_id AND e.subject_id = s.subject_id
                        AND e.purpose_key = r.data->>'purpose' AND e.captured_at = (r.data->>'capturedAt')::timestamptz
                        AND e.granted = (r.data->>'granted')::boolean) AS already
       FROM import_rows r
       JOIN subjects s ON s.brand_id = r.brand_id AND s.external_id = r.external_id AND s.erased_at IS NULL
       LEFT JOIN purposes p ON p.brand_id = r.brand_id AND p.purpose_key = r.data->>'purpose'
       WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind = 'consent'
       ORDER BY r.line`,
      range,
    );

    const rejections: Array<{ line: number; reason: string }> = [];
    const events: ConsentEventEntity[] = [];
    const seen = new Set<string>();
    const recordedAt = new Date();
    let seq = Number(head.lastSeq);
    let prevHash = head.lastHash;
    for (const row of rows) {
      if (!row.purpose_exists) {
        rejections.push({ line: row.line, reason: `unknown-purpose: "${row.purpose_key}" is not a purpose of this brand` });
        continue;
      }
      if (row.notice_exists === false) {
        rejections.push({ line: row.line, reason: `unknown-notice-version: "${row.purpose_key}" has no notice version ${row.notice_version}` });
        continue;
      }
      const noticeVersion = row.notice_version ?? row.latest_notice;
      if (row.granted && noticeVersion === null) {
        rejections.push({ line: row.line, reason: `notice-required: publish a notice for "${row.purpose_key}" before importing grants` });
        continue;
      }
      const key = `${row.subject_id}|${row.purpose_key}|${row.captured_at.toISOString()}|${row.granted}`;
      if (row.already || seen.has(key)) continue; // already in the ledger: done, nothing to add
      seen.add(key);
      const event = Object.assign(new ConsentEventEntity(), {
        brandId,
        id: randomUUID(),
        seq: ++seq,
        subjectId: row.subject_id,
        purpose: row.purpose_key,
        granted: row.granted,
        noticeVersion,
        source: row.source ?? 'import',
        actor,
        capturedAt: row.captured_at,
        recordedAt,
        expiresAt: row.granted ? row.expires_at : null,
        evidenceCt: null,
        prevHash,
        hash: '',
      });
      event.hash = hashEvent(event);
      prevHash = event.hash;
      events.push(event);
    }

    if (rejections.length) {
      await em.query(
        `INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT $1, $2, l, r FROM unnest($3::int[], $4::text[]) AS x(l, r) ON CONFLICT DO NOTHING`,
        [brandId, importId, rejections.map((r) => r.line), rejections.map((r) => r.reason)],
      );
    }
    if (!events.length) return { rejected: rejections.length };

    const column = <K extends keyof ConsentEventEntity>(k: K) => events.map((e) => e[k]);
    await em.query(
      `INSERT INTO consent_events (brand_id, consent_event_id, seq, subject_id, purpose_key, granted, notice_version, source, actor,
                                   captured_at, recorded_at, expires_at, evidence_ct, prev_hash, hash)
       SELECT $1, id, seq, subject_id, purpose_key, granted, notice_version, source, $2, captured_at, $3, expires_at, NULL, prev_hash, hash
       FROM unnest($4::uuid[], $5::bigint[], $6::uuid[], $7::text[], $8::boolean[], $9::int[], $10::text[], $11::timestamptz[],
                   $12::timestamptz[], $13::text[], $14::text[])
            AS x(id, seq, subject_id, purpose_key, granted, notice_version, source, captured_at, expires_at, prev_hash, hash)`,
      [
        brandId, actor, recordedAt,
        column('id'), column('seq'), column('subjectId'), column('purpose'), column('granted'), column('noticeVersion'),
        column('source'), column('capturedAt'), column('expiresAt'), column('prevHash'), column('hash'),
      ],
    );
    await em.getRepository(LedgerHeadEntity).update({ brandId }, { lastSeq: seq, lastHash: prevHash });
    // Downstream systems hear about imported decisions as about any other, in the same transaction.
    await this.outbox.emitMany(
      em,
      brandId,
      'consent.changed',
      events.map((e) => ({
        subjectId: e.subjectId,
        data: { subjectId: e.subjectId, purpose: e.purpose, granted: e.granted, source: e.source, consentEventId: e.id, capturedAt: e.capturedAt.toISOString() },
      })),
    );
    // The projection, set-wise: per subject and purpose the latest decision by capture time (then
    // ledger order) among the new events, applied only where it is not older than the current state.
    await em.query(
      `INSERT INTO consent_states AS s
         (brand_id, subject_id, purpose_key, granted, notice_version, source, consent_event_id, captured_at, expires_at, updated_at)
       SELECT DISTINCT ON (e.subject_id, e.purpose_key)
              e.brand_id, e.subject_id, e.purpose_key, e.granted, e.notice_version, e.source, e.consent_event_id, e.captured_at, e.expires_at, e.recorded_at
       FROM consent_events e
       WHERE e.brand_id = $1 AND e.seq > $2 AND e.seq <= $3
       ORDER BY e.subject_id, e.purpose_key, e.captured_at DESC, e.seq DESC
       ON CONFLICT (brand_id, subject_id, purpose_key) DO UPDATE SET
         granted = EXCLUDED.granted, notice_version = EXCLUDED.notice_version, source = EXCLUDED.source,
         consent_event_id = EXCLUDED.consent_event_id, captured_at = EXCLUDED.captured_at,
         expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at
       WHERE s.captured_at <= EXCLUDED.captured_at`,
      [brandId, Number(head.lastSeq), seq],
    );
    return { rejected: rejections.length };
  }
}

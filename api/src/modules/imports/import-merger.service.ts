import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CryptoService } from '../../common/crypto/crypto.service';
import { AnalyzableTable, PlannerStatistics } from '../../common/database/planner-statistics';
import { TenantDb } from '../../common/database/tenant-db.service';
import { LeasedJobs, LeasedJobTable } from '../../common/jobs/leased-jobs';
import { DomainError } from '../../common/errors/domain-error';
import type { IdentifierType } from '../subjects/identifiers';
import { SubjectIdentifiersService } from '../subjects/subject-identifiers.service';
import { SubjectMergeService } from '../subjects/subject-merge.service';
import { SubjectsService } from '../subjects/subjects.service';
import { factValueHash, openFactField, sealFact } from '../facts/fact-sealing';
import { DictionaryService } from '../dictionary/dictionary.service';
import { encodeFactValue, FactValue, valueProblem } from '../dictionary/fact-values';
import { PREFERENCE_TOPICS_FIELD } from '../preferences/preferences.entity';
import { changedFields, ChannelPreference, PreferenceState } from '../preferences/preference-rules';
import type { Channel } from '../purposes/purpose-catalogue';
import { MAX_REJECTIONS_KEPT } from './import-lines';
import { copyInto, copyRow } from '../../common/database/copy';
import type { CandorConfig } from '../../config/config';
import { CANDOR_CONFIG } from '../../config/config.module';
import { checkDecision, LedgerWriter, refusalReason, type LedgerDecision } from '../ledger/ledger-writer';

/**
 * Import jobs: merging until completed or failed. Lines merged per transaction
 * (`CANDOR_IMPORT_CHUNK_LINES`: a chunk and the job's checkpoint commit together) and the lease
 * (`CANDOR_IMPORT_LEASE_MS`: how long a process may go without progress before another takes the
 * job over) come from the configuration.
 */
const importJobs = (leaseMs: number): LeasedJobTable => ({
  name: 'import',
  table: 'import_jobs',
  idColumn: 'import_id',
  unfinished: `status = 'merging'`,
  dueKind: 'imports',
  onClaim: '',
  leaseMs,
  failure: (error) => `Merging stopped: ${error.message}. What was merged before stays; running the same import again completes it.`,
});

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
  /** ISO 8601, as staged. */
  captured_at: string;
  expires_at: string | null;
  source: string | null;
  notice_version: number | null;
  purpose_exists: boolean;
  notice_exists: boolean | null;
  latest_notice: number | null;
  already: boolean;
}

const ROWS_IN = `FROM import_chunk r WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4`;

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
  private readonly jobs: LeasedJobs;

  constructor(
    private readonly db: TenantDb,
    private readonly crypto: CryptoService,
    private readonly statistics: PlannerStatistics,
    private readonly subjects: SubjectsService,
    private readonly ledger: LedgerWriter,
    @Inject(CANDOR_CONFIG) private readonly config: CandorConfig,
    private readonly dictionary: DictionaryService,
    private readonly identifiers: SubjectIdentifiersService,
    private readonly merges: SubjectMergeService,
  ) {
    this.jobs = new LeasedJobs(db, importJobs(config.jobs.importLeaseMs), async (brandId, importId) => {
      const chunk = await this.db.run(brandId, (em) => this.mergeChunk(em, brandId, importId));
      if (chunk.wrote) await this.statistics.wrote(chunk.wrote);
      return chunk.more;
    });
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

  /** Starts merging a job in the background of this process (if nobody else holds it). */
  kick(brandId: string, importId: string): void {
    this.jobs.kick(brandId, importId);
  }

  /** Merges a job to the end, or until another process holds it; exposed for tests. */
  merge(brandId: string, importId: string): Promise<void> {
    return this.jobs.run(brandId, importId);
  }

  /**
   * Merges the next chunk; `more` is false when the job is finished or no longer ours to merge.
   * `wrote` says roughly how many rows went to which table, for the planner's statistics.
   */
  private async mergeChunk(em: EntityManager, brandId: string, importId: string): Promise<{ more: boolean; wrote?: Partial<Record<AnalyzableTable, number>> }> {
    const [job]: JobRow[] = await em.query(
      `SELECT status, actor, phase, merged_through, last_line FROM import_jobs WHERE brand_id = $1 AND import_id = $2 FOR UPDATE`,
      [brandId, importId],
    );
    if (!job || job.status !== 'merging') return { more: false };
    const from = job.merged_through;
    const to = Math.min(from + this.config.jobs.importChunkLines, job.last_line);
    const range = [brandId, importId, from, to];

    // The chunk's lines, out of the blocks they are staged in, into a table of this transaction:
    // every statement below reads them set-wise from there, with statistics to plan by (of the
    // columns the joins and filters use: the JSON is not worth sampling).
    await em.query(
      `CREATE TEMPORARY TABLE import_chunk ON COMMIT DROP AS
       SELECT b.brand_id, b.import_id, x.* FROM import_blocks b CROSS JOIN LATERAL unnest(b.lines) AS x
       WHERE b.brand_id = $1 AND b.import_id = $2 AND b.last_line > $3 AND b.first_line <= $4 AND x.line > $3 AND x.line <= $4`,
      range,
    );
    await em.query(`ANALYZE import_chunk (brand_id, import_id, line, kind, external_id, subject_id)`);

    const counts = job.phase === 1 ? await this.mergeSubjects(em, range) : await this.mergeRecords(em, range, job.actor);
    const phaseDone = to >= job.last_line;
    const finished = phaseDone && job.phase === 2;
    await em.query(
      `UPDATE import_jobs SET rows_done = rows_done + $3, rows_rejected = rows_rejected + $4,
              phase = $5, merged_through = $6, status = $7, updated_at = now(),
              lease_until = CASE WHEN $7 = 'merging' THEN now() + make_interval(secs => $8::double precision / 1000) END,
              finished_at = CASE WHEN $7 = 'completed' THEN now() END
       WHERE brand_id = $1 AND import_id = $2`,
      [brandId, importId, counts.done, counts.rejected, phaseDone ? 2 : job.phase, phaseDone && !finished ? 0 : to, finished ? 'completed' : 'merging', this.config.jobs.importLeaseMs],
    );
    // Only the first rejections (by line) are kept: the count above has them all. The rows of this
    // chunk were needed until now (pass 1 skips the lines it rejected); no later chunk reads them.
    await em.query(
      `DELETE FROM import_rejections WHERE brand_id = $1 AND import_id = $2 AND line > (
         SELECT line FROM import_rejections WHERE brand_id = $1 AND import_id = $2 ORDER BY line OFFSET ${MAX_REJECTIONS_KEPT - 1} LIMIT 1)`,
      [brandId, importId],
    );
    // Staged lines are only needed until merged; rejections are kept.
    if (finished) await em.query(`DELETE FROM import_blocks WHERE brand_id = $1 AND import_id = $2`, [brandId, importId]);
    const wrote =
      job.phase === 1
        ? { subjects: counts.done, subject_keys: counts.done }
        : { consent_states: counts.done, facts: counts.done, preferences: counts.done };
    return { more: !finished, wrote };
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
    // (as POST /v1/subjects does), so running the import again changes nothing. Only subjects this
    // chunk created carry the staged line's id: they get its wrapped data key. The keys go in the same
    // statement, from the ids the INSERT returns: a join back to subjects would be planned from
    // statistics that cannot yet know this chunk's rows, and for a brand new to them it came out as
    // a scan of the brand's subjects per staged line (minutes for 20,000 lines, not a second).
    await em.query(
      `WITH created AS (
         INSERT INTO subjects (brand_id, subject_id, external_id, email_ct, email_hash, phone_ct, phone_hash, locale, timezone, created_at, updated_at)
         SELECT DISTINCT ON (r.external_id) r.brand_id, r.subject_id, r.external_id, r.email_ct, r.email_hash, r.phone_ct, r.phone_hash,
                r.data->>'locale', r.data->>'timezone', now(), now()
         ${ROWS_IN} AND r.kind = 'subject'
           AND NOT EXISTS (SELECT 1 FROM import_rejections x WHERE x.brand_id = r.brand_id AND x.import_id = r.import_id AND x.line = r.line)
           -- An external id a merge made an identifier of another subject is that subject: not created again.
           AND NOT EXISTS (SELECT 1 FROM subject_identifiers i WHERE i.brand_id = r.brand_id AND i.value_hash = r.external_id_hash)
         ORDER BY r.external_id, r.line
         ON CONFLICT ON CONSTRAINT uq_subjects_external_id DO NOTHING
         RETURNING subject_id)
       INSERT INTO subject_keys (brand_id, subject_id, wrapped_key, created_at)
       SELECT r.brand_id, r.subject_id, r.wrapped_key, now()
       ${ROWS_IN} AND r.kind = 'subject' AND r.subject_id IN (SELECT subject_id FROM created)`,
      range,
    );
    const [subjects] = await em.query(`SELECT count(*)::int AS n ${ROWS_IN} AND r.kind = 'subject'`, range);
    return { done: subjects.n - erased.n, rejected: staged.n + erased.n };
  }

  /** Pass 2: consents, facts and preferences of subjects that exist and are not erased. */
  private async mergeRecords(em: EntityManager, range: unknown[], actor: string): Promise<{ done: number; rejected: number }> {
    const brandId = range[0] as string;
    // Lines whose subject is missing or erased are rejected. Only for those is the external id's
    // lookup hash computed (here rather than for every line at upload), to tell an erased customer
    // (a tombstone outlives the subject) from one who was never there.
    const absent: Array<{ external_id: string }> = await em.query(
      `SELECT DISTINCT r.external_id FROM import_chunk r
       WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind IN ('consent', 'fact', 'preference')
         AND NOT EXISTS (SELECT 1 FROM subjects s WHERE s.brand_id = r.brand_id AND s.external_id = r.external_id)`,
      range,
    );
    let erasedIds: string[] = [];
    if (absent.length) {
      const hashes = absent.map((a) => this.crypto.lookupHash(brandId, 'external_id', a.external_id));
      // An external id a merge made an identifier of the survivor names the survivor: the chunk's
      // consent and fact lines are pointed at its external id before anything is merged (a decision
      // recorded under the merged record before counts as already there, below). A preference line
      // of a merged record changes nothing: its preferences were folded into the survivor's, the
      // stricter way, when it was merged (send them under the survivor's external id).
      await em.query(
        `UPDATE import_chunk r
         SET external_id = CASE WHEN r.kind = 'preference' THEN r.external_id ELSE s.external_id END,
             kind = CASE WHEN r.kind = 'preference' THEN 'merged-preference' ELSE r.kind END
         FROM unnest($5::text[], $6::text[]) AS x(external_id, hash)
         JOIN subject_identifiers i ON i.brand_id = $1 AND i.value_hash = x.hash
         JOIN subjects s ON s.brand_id = i.brand_id AND s.subject_id = i.subject_id AND s.erased_at IS NULL AND s.merged_into IS NULL
         WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind IN ('consent', 'fact', 'preference')
           AND r.external_id = x.external_id`,
        [...range, absent.map((a) => a.external_id), hashes],
      );
      const found: Array<{ hash: string }> = await em.query(
        `SELECT hash FROM tombstones WHERE brand_id = $1 AND kind = 'external_id' AND hash = ANY($2::text[])`,
        [brandId, hashes],
      );
      const tombstoned = new Set(found.map((f) => f.hash));
      erasedIds = absent.filter((_, i) => tombstoned.has(hashes[i])).map((a) => a.external_id);
    }
    const [missing] = await em.query(
      `WITH moved AS (
         INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT r.brand_id, r.import_id, r.line,
                CASE WHEN s.subject_id IS NULL AND r.external_id = ANY($5::text[]) THEN 'subject-erased: this customer asked to be erased'
                     WHEN s.subject_id IS NULL THEN 'unknown-subject: no subject has this externalId (put its subject line in the file or create it first)'
                     ELSE 'subject-erased: this customer asked to be erased' END
         FROM import_chunk r LEFT JOIN subjects s ON s.brand_id = r.brand_id AND s.external_id = r.external_id
         WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind IN ('consent', 'fact', 'preference')
           AND (s.subject_id IS NULL OR s.erased_at IS NOT NULL)
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS n FROM moved`,
      [...range, erasedIds],
    );
    const consents = await this.mergeConsents(em, range, actor);

    const facts = await this.mergeFacts(em, range);
    await this.mergePreferences(em, range, actor);
    const [records] = await em.query(`SELECT count(*)::int AS n ${ROWS_IN} AND r.kind IN ('consent', 'fact', 'preference', 'merged-preference')`, range);
    const rejected = missing.n + consents.rejected + facts.rejected;
    const identity = await this.mergeIdentityLines(em, range, actor);
    return { done: records.n - rejected + identity.done, rejected: rejected + identity.rejected };
  }

  /**
   * Identifier and merge lines, after the chunk's consents, facts and preferences, one by one in line
   * order (a file holds few of them; a merge locks two subjects and appends to the ledger, as the
   * single route does): each by the rules of its single-record route, answered with its problem's
   * code and words when it breaks one. A line may name a subject by an external id that a merge made
   * an identifier of the survivor: it means the survivor. Running the import again changes nothing —
   * an identifier its subject holds already, and a merge made before, count as done.
   */
  private async mergeIdentityLines(em: EntityManager, range: unknown[], actor: string): Promise<{ done: number; rejected: number }> {
    const brandId = range[0] as string;
    const lines: Array<{
      line: number;
      kind: 'identifier' | 'merge';
      external_id: string;
      subject_id: string | null;
      email_ct: Buffer | null;
      wrapped_key: Buffer | null;
      data: { identifierType?: IdentifierType; system?: string | null; fromExternalId?: string };
    }> = await em.query(`SELECT r.line, r.kind, r.external_id, r.subject_id, r.email_ct, r.wrapped_key, r.data ${ROWS_IN} AND r.kind IN ('identifier', 'merge') ORDER BY r.line`, range);
    if (!lines.length) return { done: 0, rejected: 0 };
    const subjectOf = async (externalId: string): Promise<{ id: string } | { reason: string }> => {
      const [id] = await this.subjects.holdersOf(em, brandId, { type: 'external', value: externalId });
      if (id) return { id };
      const [erased] = await em.query(`SELECT 1 FROM tombstones WHERE brand_id = $1 AND kind = 'external_id' AND hash = $2`, [
        brandId,
        this.crypto.lookupHash(brandId, 'external_id', externalId),
      ]);
      return { reason: erased ? 'subject-erased: this customer asked to be erased' : 'unknown-subject: no subject has this externalId (put its subject line in the file or create it first)' };
    };
    const rejections: Array<{ line: number; reason: string }> = [];
    for (const l of lines) {
      const subject = await subjectOf(l.external_id);
      if ('reason' in subject) {
        rejections.push({ line: l.line, reason: subject.reason });
        continue;
      }
      // A refusal is checked before anything is written, and the savepoint undoes the line alone all the same.
      await em.query(`SAVEPOINT identity_line`);
      try {
        if (l.kind === 'identifier') {
          const value = this.subjects.openStaged(brandId, l.subject_id!, l.wrapped_key!, l.email_ct!);
          await this.identifiers.addInTx(em, brandId, subject.id, { type: l.data.identifierType!, system: l.data.system ?? null, value }, 'import');
        } else {
          const from = await subjectOf(l.data.fromExternalId!);
          if ('reason' in from) rejections.push({ line: l.line, reason: `fromExternalId: ${from.reason}` });
          // The same subject: merged before (its external id is now the survivor's identifier).
          else if (from.id !== subject.id) await this.merges.mergeInTx(em, brandId, { actor: { kind: 'system', brandId, name: 'import' }, ref: actor }, subject.id, from.id);
        }
        await em.query(`RELEASE SAVEPOINT identity_line`);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        await em.query(`ROLLBACK TO SAVEPOINT identity_line`);
        rejections.push({ line: l.line, reason: `${error.code}: ${error.detail}` });
      }
    }
    if (rejections.length) {
      await em.query(
        `INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT $1, $2, x.line, x.reason FROM unnest($3::int[], $4::text[]) AS x(line, reason)
         ON CONFLICT DO NOTHING`,
        [brandId, range[1], rejections.map((r) => r.line), rejections.map((r) => r.reason)],
      );
    }
    return { done: lines.length - rejections.length, rejected: rejections.length };
  }

  /**
   * Fact lines of subjects that exist, sealed like every fact (value and source under the subject's
   * data key, the value's keyed hash for SQL): the lines and their subjects' wrapped keys are read
   * set-wise, sealed here, and go by `COPY` into a table of this transaction and from there into
   * `facts` in one INSERT … SELECT. A fact already recorded with the same key, value and source
   * (and, when the line gives one, the same collection time) is not added twice: candidates are
   * found by key and value hash in one statement, and their sources, sealed, compared once opened.
   * A line without `collectedAt` is stamped with the job's start, which differs on every run, so it
   * matches whatever time the fact has. Running an import again changes nothing. A value that does
   * not fit its key's declared type (the brand's dictionary) rejects its line, as the single-fact
   * route would answer 422.
   */
  private async mergeFacts(em: EntityManager, range: unknown[]): Promise<{ rejected: number }> {
    const brandId = range[0] as string;
    // Times travel as PostgreSQL's own text (same session, same format): compared and copied exactly.
    // The value comes as JSON (text, number, true/false or a list) and is stored as fact-values.ts says.
    const staged: Array<{
      line: number; subject_id: string; wrapped_key: Buffer; key: string; value: FactValue; category: string; provenance: string; source: string;
      collected_at: string; expires_at: string | null; timed: boolean;
    }> = await em.query(
      `SELECT r.line, s.subject_id, k.wrapped_key, r.data->>'key' AS key, r.data->'value' AS value, r.data->>'category' AS category,
              r.data->>'provenance' AS provenance, r.data->>'source' AS source,
              coalesce((r.data->>'collectedAt')::timestamptz, j.created_at)::text AS collected_at,
              (r.data->>'expiresAt')::timestamptz::text AS expires_at, r.data->>'collectedAt' IS NOT NULL AS timed
       FROM import_chunk r
       JOIN import_jobs j ON j.brand_id = r.brand_id AND j.import_id = r.import_id
       JOIN subjects s ON s.brand_id = r.brand_id AND s.external_id = r.external_id AND s.erased_at IS NULL
       JOIN subject_keys k ON k.brand_id = s.brand_id AND k.subject_id = s.subject_id
       WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind = 'fact'
       ORDER BY r.line`,
      range,
    );
    if (!staged.length) return { rejected: 0 };
    const rules = await this.dictionary.rules(em, brandId);
    const misfits = staged
      .map((l) => ({ line: l.line, problem: valueProblem(rules.get(l.key), l.value) }))
      .filter((m): m is { line: number; problem: string } => m.problem !== null);
    if (misfits.length) {
      await em.query(
        `INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT $1, $2, x.line, x.reason FROM unnest($3::int[], $4::text[]) AS x(line, reason)
         ON CONFLICT DO NOTHING`,
        [brandId, range[1], misfits.map((m) => m.line), misfits.map((m) => `value: ${m.problem}`)],
      );
    }
    const rejectedLines = new Set(misfits.map((m) => m.line));
    const lines = staged
      .filter((l) => !rejectedLines.has(l.line))
      .map((l) => {
        const { text, kind } = encodeFactValue(l.value);
        return { ...l, value: text, kind };
      });
    if (!lines.length) return { rejected: misfits.length };
    const dataKeys = new Map<string, Buffer>();
    const dataKey = (subjectId: string, wrapped: Buffer) => {
      let key = dataKeys.get(subjectId);
      if (!key) dataKeys.set(subjectId, (key = this.subjects.unwrapDataKey(brandId, subjectId, wrapped)));
      return key;
    };
    const hashes = lines.map((l) => factValueHash(this.crypto, brandId, l.key, l.value));
    const existing: Array<{ subject_id: string; fact_id: string; fact_key: string; value_hash: string; source_ct: Buffer; collected_at: string }> = await em.query(
      `SELECT f.subject_id, f.fact_id, f.fact_key, f.value_hash, f.source_ct, f.collected_at::text AS collected_at
       FROM facts f
       JOIN (SELECT DISTINCT * FROM unnest($2::uuid[], $3::text[], $4::text[]) AS c(subject_id, fact_key, value_hash)) c
         ON f.brand_id = $1 AND f.subject_id = c.subject_id AND f.fact_key = c.fact_key AND f.value_hash = c.value_hash`,
      [brandId, lines.map((l) => l.subject_id), lines.map((l) => l.key), hashes],
    );
    // Collection times of what is recorded, by subject, key, value hash and (opened) source.
    const recorded = new Map<string, string[]>();
    const wrappedOf = new Map(lines.map((l) => [l.subject_id, l.wrapped_key]));
    for (const f of existing) {
      const source = openFactField(this.crypto, dataKey(f.subject_id, wrappedOf.get(f.subject_id)!), { brandId, subjectId: f.subject_id, id: f.fact_id }, 'source', f.source_ct);
      const k = `${f.subject_id}\u0000${f.fact_key}\u0000${f.value_hash}\u0000${source}`;
      recorded.set(k, [...(recorded.get(k) ?? []), f.collected_at]);
    }
    const seen = new Set<string>();
    const copy: string[] = [];
    lines.forEach((l, i) => {
      const k = `${l.subject_id}\u0000${l.key}\u0000${hashes[i]}\u0000${l.source}`;
      const times = recorded.get(k);
      if (times && (!l.timed || times.includes(l.collected_at))) return; // already recorded
      if (seen.has(`${k}\u0000${l.collected_at}`)) return; // twice in this chunk
      seen.add(`${k}\u0000${l.collected_at}`);
      const id = randomUUID();
      const sealed = sealFact(this.crypto, dataKey(l.subject_id, l.wrapped_key), { brandId, subjectId: l.subject_id, id, key: l.key, value: l.value, source: l.source });
      copy.push(copyRow([l.subject_id, id, l.key, sealed.valueCt, sealed.valueHash, l.kind, l.category, l.provenance, sealed.sourceCt, l.collected_at, l.expires_at]));
    });
    if (!copy.length) return { rejected: misfits.length };
    await em.query(
      `CREATE TEMPORARY TABLE import_facts (
         subject_id uuid, fact_id uuid, fact_key text, value_ct bytea, value_hash text, value_kind text, category text, provenance text,
         source_ct bytea, collected_at timestamptz, expires_at timestamptz
       ) ON COMMIT DROP`,
    );
    await copyInto(em, 'import_facts', [copy.join('')]);
    await em.query(
      `INSERT INTO facts (brand_id, fact_id, subject_id, fact_key, value_ct, value_hash, value_kind, category, provenance, source_ct, collected_at, expires_at, created_at, updated_at)
       SELECT $1, fact_id, subject_id, fact_key, value_ct, value_hash, value_kind, category, provenance, source_ct, collected_at, expires_at, now(), now()
       FROM import_facts`,
      [brandId],
    );
    return { rejected: misfits.length };
  }

  /**
   * Preferences: each line changes what it names, in line order, as PUT /v1/me/preferences would —
   * channels not named, and quiet hours or topics left out, stay as they were (nobody is opted in
   * by an import that does not mention a channel) — and the version moves only when something
   * changed. Topics are sealed under the subject's data key, so the merge is decided here, after
   * opening the stored ones; the changed rows go by `COPY` into a table of this transaction and
   * from there into `preferences` in one upsert, each change recorded (source `import`, the job's
   * key) for the person's Activity. Running the file again changes nothing: every setting a line
   * names already holds the value of the last line naming it.
   */
  private async mergePreferences(em: EntityManager, range: unknown[], actor: string): Promise<void> {
    const brandId = range[0] as string;
    // JSON travels as text, exactly as staged (a JSON null stays a JSON null).
    const rows: Array<{
      subject_id: string; wrapped_key: Buffer; channels: string | null; has_quiet: boolean; quiet_hours: string | null; has_topics: boolean; topics: string[];
      stored: boolean; stored_channels: string | null; stored_quiet: string | null; stored_purposes: string | null; topics_ct: Buffer | null; plain_topics: string[] | null;
    }> = await em.query(
      `SELECT s.subject_id, k.wrapped_key, (r.data->'channels')::text AS channels,
              r.data ? 'quietHours' AS has_quiet, (r.data->'quietHours')::text AS quiet_hours,
              r.data ? 'topics' AS has_topics, coalesce(ARRAY(SELECT jsonb_array_elements_text(r.data->'topics')), '{}') AS topics,
              p.subject_id IS NOT NULL AS stored, p.channels::text AS stored_channels, p.quiet_hours::text AS stored_quiet,
              p.purposes::text AS stored_purposes, p.topics_ct, p.topics AS plain_topics
       FROM import_chunk r
       JOIN subjects s ON s.brand_id = r.brand_id AND s.external_id = r.external_id AND s.erased_at IS NULL
       JOIN subject_keys k ON k.brand_id = s.brand_id AND k.subject_id = s.subject_id
       LEFT JOIN preferences p ON p.brand_id = s.brand_id AND p.subject_id = s.subject_id
       WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind = 'preference'
       ORDER BY s.subject_id, r.line`,
      range,
    );
    const lines = new Map<string, typeof rows>();
    for (const row of rows) lines.set(row.subject_id, [...(lines.get(row.subject_id) ?? []), row]);
    const copy: string[] = [];
    const changes: Array<{ subjectId: string; fields: string[] }> = [];
    for (const [subjectId, subjectLines] of lines) {
      const l = subjectLines[0];
      const dataKey = this.subjects.unwrapDataKey(brandId, subjectId, l.wrapped_key);
      const storedTopics = l.topics_ct
        ? (JSON.parse(this.subjects.openWith(brandId, subjectId, dataKey, PREFERENCE_TOPICS_FIELD, l.topics_ct)) as string[])
        : (l.plain_topics ?? []);
      const purposes = JSON.parse(l.stored_purposes ?? 'null') ?? {};
      const before: PreferenceState = { channels: JSON.parse(l.stored_channels ?? 'null') ?? {}, purposes, quietHours: JSON.parse(l.stored_quiet ?? 'null'), topics: storedTopics };
      const after: PreferenceState = { ...before, channels: { ...before.channels } };
      for (const line of subjectLines) {
        for (const [channel, setting] of Object.entries((JSON.parse(line.channels ?? 'null') ?? {}) as Record<string, ChannelPreference | null>)) {
          if (setting !== null) after.channels[channel as Channel] = setting;
        }
        if (line.has_quiet) after.quietHours = JSON.parse(line.quiet_hours ?? 'null');
        if (line.has_topics) after.topics = line.topics;
      }
      const fields = changedFields(before, after);
      if (l.stored && !fields.length) continue; // nothing changed
      const topicsCt = this.subjects.sealWith(brandId, subjectId, dataKey, PREFERENCE_TOPICS_FIELD, JSON.stringify(after.topics));
      copy.push(copyRow([subjectId, JSON.stringify(after.channels), after.quietHours === null ? null : JSON.stringify(after.quietHours), topicsCt]));
      if (fields.length) changes.push({ subjectId, fields });
    }
    if (!copy.length) return;
    await em.query(`CREATE TEMPORARY TABLE import_preferences (subject_id uuid, channels jsonb, quiet_hours jsonb, topics_ct bytea) ON COMMIT DROP`);
    await copyInto(em, 'import_preferences', [copy.join('')]);
    const saved: Array<{ subject_id: string; version: number }> = await em.query(
      `INSERT INTO preferences AS p (brand_id, subject_id, channels, quiet_hours, topics_ct, version, updated_at)
       SELECT $1, subject_id, channels, quiet_hours, topics_ct, 1, now() FROM import_preferences
       ON CONFLICT (brand_id, subject_id) DO UPDATE SET
         channels = EXCLUDED.channels, quiet_hours = EXCLUDED.quiet_hours, topics = NULL, topics_ct = EXCLUDED.topics_ct,
         version = p.version + 1, updated_at = now()
       RETURNING subject_id, version`,
      [brandId],
    );
    if (!changes.length) return;
    const version = new Map(saved.map((r) => [r.subject_id, r.version]));
    await em.query(
      `INSERT INTO preference_changes (brand_id, change_id, subject_id, version, at, actor, actor_name, source, fields)
       SELECT $1, gen_random_uuid(), c.subject_id, c.version, $4::timestamptz, $2,
              (SELECT k.name FROM api_keys k WHERE k.brand_id = $1 AND 'api-key:' || k.api_key_id::text = $2), 'import',
              ARRAY(SELECT jsonb_array_elements_text(c.fields))
       FROM jsonb_to_recordset($3::jsonb) AS c(subject_id uuid, version integer, fields jsonb)`,
      // The time from here, at the millisecond, like every other change: the Activity list pages by it.
      [brandId, actor, JSON.stringify(changes.map((c) => ({ subject_id: c.subjectId, version: version.get(c.subjectId) ?? 1, fields: c.fields }))), new Date()],
    );
  }

  /**
   * Consent lines become ledger events through the ledger's one writer (`LedgerWriter`), with the
   * rules a single decision follows (`checkDecision`): the brand's chain head is locked first, the
   * lines are checked against the brand's purposes and notices in one query, and the accepted
   * ones are appended in line order. A decision already in the ledger (same subject, purpose, time
   * and answer) is skipped, so an import can be run again.
   */
  private async mergeConsents(em: EntityManager, range: unknown[], actor: string): Promise<{ rejected: number }> {
    const [brandId, importId] = range as [string, string];
    // Locked before looking for repeats: a concurrent import of the same lines waits, then sees them.
    const head = await this.ledger.lockHead(em, brandId);
    // Times come back as the staged ISO strings (what validation wrote), not parsed by the driver.
    const rows: ConsentCandidate[] = await em.query(
      `SELECT r.line, s.subject_id, r.data->>'purpose' AS purpose_key, (r.data->>'granted')::boolean AS granted,
              r.data->>'capturedAt' AS captured_at, r.data->>'expiresAt' AS expires_at,
              r.data->>'source' AS source, (r.data->>'noticeVersion')::int AS notice_version,
              p.purpose_key IS NOT NULL AS purpose_exists,
              CASE WHEN r.data ? 'noticeVersion' THEN EXISTS (SELECT 1 FROM notices n WHERE n.brand_id = r.brand_id
                     AND n.purpose_key = r.data->>'purpose' AND n.version = (r.data->>'noticeVersion')::int) END AS notice_exists,
              ln.version AS latest_notice,
              EXISTS (SELECT 1 FROM consent_events e WHERE e.brand_id = r.brand_id
                        AND (e.subject_id = s.subject_id
                             -- recorded under a record merged into this subject since: the same person's decision
                             OR e.subject_id IN (SELECT m.subject_id FROM subjects m WHERE m.brand_id = s.brand_id AND m.merged_into = s.subject_id))
                        AND e.purpose_key = r.data->>'purpose' AND e.captured_at = (r.data->>'capturedAt')::timestamptz
                        AND e.granted = (r.data->>'granted')::boolean) AS already
       FROM import_chunk r
       JOIN subjects s ON s.brand_id = r.brand_id AND s.external_id = r.external_id AND s.erased_at IS NULL
       LEFT JOIN purposes p ON p.brand_id = r.brand_id AND p.purpose_key = r.data->>'purpose'
       LEFT JOIN (SELECT n.purpose_key, max(n.version) AS version FROM notices n WHERE n.brand_id = $1 GROUP BY n.purpose_key) ln
              ON ln.purpose_key = r.data->>'purpose'
       WHERE r.brand_id = $1 AND r.import_id = $2 AND r.line > $3 AND r.line <= $4 AND r.kind = 'consent'
       ORDER BY r.line`,
      range,
    );

    const rejections: Array<{ line: number; reason: string }> = [];
    const seen = new Set<string>();
    const decisions: LedgerDecision[] = [];
    for (const row of rows) {
      const checked = checkDecision(
        { granted: row.granted, noticeVersion: row.notice_version },
        { purposeExists: row.purpose_exists, noticeExists: row.notice_exists, latestNotice: row.latest_notice },
      );
      if (!checked.ok) {
        rejections.push({ line: row.line, reason: refusalReason(checked.refusal) });
        continue;
      }
      const key = `${row.subject_id}|${row.purpose_key}|${row.captured_at}|${row.granted}`;
      if (row.already || seen.has(key)) continue; // already in the ledger: done, nothing to add
      seen.add(key);
      decisions.push({
        subjectId: row.subject_id,
        purpose: row.purpose_key,
        granted: row.granted,
        noticeVersion: checked.noticeVersion,
        source: row.source ?? 'import',
        capturedAt: new Date(row.captured_at),
        expiresAt: row.expires_at !== null ? new Date(row.expires_at) : null,
        evidenceCt: null,
      });
    }

    if (rejections.length) {
      await em.query(
        `INSERT INTO import_rejections (brand_id, import_id, line, reason)
         SELECT $1, $2, l, r FROM unnest($3::int[], $4::text[]) AS x(l, r) ON CONFLICT DO NOTHING`,
        [brandId, importId, rejections.map((r) => r.line), rejections.map((r) => r.reason)],
      );
    }
    await this.ledger.appendMany(em, brandId, actor, decisions, head);
    return { rejected: rejections.length };
  }
}

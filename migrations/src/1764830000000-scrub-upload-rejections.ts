import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rejections of bulk imports and bulk erasures no longer keep anything a line said. Before, a
 * reason could quote the line (the JSON parser's message, an unknown subject's external id or id,
 * an unknown purpose key, the name of an unexpected field); now a rejection is its line number and
 * words of ours. This rewrites the reasons already stored to the wording the API now uses, and keeps
 * only the first 1,000 rejections (by line) of each job: the jobs keep counting every rejected line.
 *
 * `down` changes nothing: the text removed was the customers' data, and is not brought back.
 */

/** [pattern the old reason matches (POSIX, anchored where it must be), the reason now]. */
const COMMON: Array<[string, string]> = [
  ['^not valid JSON', 'not valid JSON'],
  ['must not contain NUL \\(U\\+0000\\) characters', 'a value or key must not contain NUL (U+0000) characters'],
];
const IMPORTS: Array<[string, string]> = [
  ...COMMON,
  ['^unknown-subject: no subject has externalId ', 'unknown-subject: no subject has this externalId (put its subject line in the file or create it first)'],
  ['^unknown-purpose: ', 'unknown-purpose: purpose is not a purpose of this brand (GET /v1/purposes lists them)'],
  ['^unknown-notice-version: ', "unknown-notice-version: noticeVersion is not a version of this purpose's notice"],
  ['^notice-required: ', 'notice-required: publish a notice for this purpose before importing grants'],
];
const ERASURES: Array<[string, string]> = [
  ...COMMON,
  ['^unknown-subject: no subject of this brand has id ', 'subjectId: no subject of this brand has this id'],
  ['^unknown-subject: no subject of this brand has externalId ', 'externalId: no subject of this brand has this externalId'],
  [': is not accepted; a line names one subject', 'only "subjectId" or "externalId" is accepted: a line names one subject and nothing else'],
];
/** A broken rule naming a field no rule knows: the field's name was the line's. */
const UNKNOWN_FIELD = ['(^|; )[^;]*: is not a known field', '\\1a field of the line is not a known field of its type'];

export const REJECTIONS_KEPT = 1000;

async function scrub(q: QueryRunner, table: string, jobColumn: string, rules: Array<[string, string]>): Promise<void> {
  const cases = rules.map((_, i) => `WHEN reason ~ $${2 * i + 1} THEN $${2 * i + 2}`).join(' ');
  await q.query(`UPDATE ${table} SET reason = CASE ${cases} ELSE reason END WHERE ${rules.map((_, i) => `reason ~ $${2 * i + 1}`).join(' OR ')}`, rules.flat());
  await q.query(`UPDATE ${table} SET reason = regexp_replace(reason, $1, $2, 'g') WHERE reason ~ $1`, UNKNOWN_FIELD);
  await q.query(
    `DELETE FROM ${table} r USING (
       SELECT brand_id, ${jobColumn}, line, row_number() OVER (PARTITION BY brand_id, ${jobColumn} ORDER BY line) AS n FROM ${table}
     ) k
     WHERE k.brand_id = r.brand_id AND k.${jobColumn} = r.${jobColumn} AND k.line = r.line AND k.n > ${REJECTIONS_KEPT}`,
  );
}

export class ScrubUploadRejections1764830000000 implements MigrationInterface {
  name = 'ScrubUploadRejections1764830000000';

  public async up(q: QueryRunner): Promise<void> {
    await scrub(q, 'import_rejections', 'import_id', IMPORTS);
    await scrub(q, 'erasure_job_rejections', 'job_id', ERASURES);
  }

  public async down(): Promise<void> {
    // Nothing to undo: the scrubbed text is not kept anywhere.
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timed follow-ups (issue 14, item 8): a question may wait until a fact has been known for a
 * while — "7 days after `owns = espresso_machine` was recorded, ask how the machine is doing".
 *
 * - `questions.after_fact_key`: the fact key that starts the wait (NULL: an ordinary question,
 *   asked at once);
 * - `questions.after_value`: the value that fact must have (NULL: any value);
 * - `questions.after_days`: whole days from the fact's `collected_at` until the question is due.
 *
 * The three go together: a value or a number of days without a fact key is refused, and so is a
 * fact key without days.
 */
export class FollowUpQuestions1765130000000 implements MigrationInterface {
  name = 'FollowUpQuestions1765130000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE questions ADD COLUMN after_fact_key text, ADD COLUMN after_value text, ADD COLUMN after_days integer`);
    await q.query(`
      ALTER TABLE questions ADD CONSTRAINT ck_questions_after CHECK (
        (after_fact_key IS NULL AND after_value IS NULL AND after_days IS NULL)
        OR (after_fact_key IS NOT NULL AND after_days BETWEEN 0 AND 3650)
      )
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE questions DROP CONSTRAINT IF EXISTS ck_questions_after`);
    await q.query(`ALTER TABLE questions DROP COLUMN IF EXISTS after_days, DROP COLUMN IF EXISTS after_value, DROP COLUMN IF EXISTS after_fact_key`);
  }
}

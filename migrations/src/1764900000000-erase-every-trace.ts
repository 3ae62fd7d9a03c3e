import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The placeholder erasure writes over free text (the API's ERASED_TEXT; a migration is frozen, so it is repeated here). */
const ERASED_TEXT = '[erased with the subject]';

/**
 * Erasure reaches what it missed (issue 12, item 7):
 *
 * - `idempotency_keys` learn whose request they remember (`subject_id`), so erasing a subject deletes
 *   its keys, request hashes and remembered responses. Existing consent-capture keys are attributed
 *   from the response they remember (it names the subject).
 * - The history of a privacy request is append-only except for its free-text note, which erasure
 *   replaces (a rectification note says what was corrected, e.g. the old email address): a
 *   column-level grant lets the app change that column and nothing else, and the append-only trigger
 *   lets an update through only when it replaces the note by the erased-text placeholder.
 */
export class EraseEveryTrace1764900000000 implements MigrationInterface {
  name = 'EraseEveryTrace1764900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN subject_id uuid`);
    await q.query(`
      UPDATE idempotency_keys SET subject_id = (response->>'subjectId')::uuid
      WHERE scope = 'consent.capture' AND response->>'subjectId' ~ '^[0-9a-fA-F-]{36}$'
    `);
    await q.query(`CREATE INDEX ix_idempotency_keys_subject ON idempotency_keys (brand_id, subject_id) WHERE subject_id IS NOT NULL`);
    await q.query(`GRANT UPDATE (note) ON privacy_request_events TO candor_app`);
    await q.query(`
      CREATE FUNCTION candor_privacy_request_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.note = '${ERASED_TEXT}'
           AND (NEW.brand_id, NEW.event_id, NEW.request_id, NEW.at, NEW.actor, NEW.action, NEW.status)
               IS NOT DISTINCT FROM (OLD.brand_id, OLD.event_id, OLD.request_id, OLD.at, OLD.actor, OLD.action, OLD.status) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$
    `);
    await q.query(`DROP TRIGGER tg_privacy_request_events_append_only ON privacy_request_events`);
    await q.query(`
      CREATE TRIGGER tg_privacy_request_events_append_only BEFORE UPDATE OR DELETE ON privacy_request_events
      FOR EACH ROW EXECUTE FUNCTION candor_privacy_request_event_guard()
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tg_privacy_request_events_append_only ON privacy_request_events`);
    await q.query(`
      CREATE TRIGGER tg_privacy_request_events_append_only BEFORE UPDATE OR DELETE ON privacy_request_events
      FOR EACH ROW EXECUTE FUNCTION candor_forbid_change()
    `);
    await q.query(`DROP FUNCTION candor_privacy_request_event_guard()`);
    await q.query(`REVOKE UPDATE (note) ON privacy_request_events FROM candor_app`);
    await q.query(`DROP INDEX IF EXISTS ix_idempotency_keys_subject`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN subject_id`);
  }
}

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
 * - New notes a person writes (rectification notes, extension reasons, a certificate's note) are
 *   sealed under the subject's data key (`note_ct`, `extension_reason_ct`, `certificate.noteCt`), so
 *   that old row versions and WAL hold ciphertext whose key erasure destroys. Existing plaintext
 *   notes are not re-encrypted (which notes are personal is not recorded); erasure replaces them.
 */
export class EraseEveryTrace1764900000000 implements MigrationInterface {
  name = 'EraseEveryTrace1764900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN subject_id uuid`);
    // A remembered consent capture answers with the ledger event's id, which names the subject.
    await q.query(`
      UPDATE idempotency_keys k SET subject_id = e.subject_id
      FROM consent_events e
      WHERE k.scope = 'consent.capture' AND e.brand_id = k.brand_id AND e.consent_event_id::text = k.response->>'id'
    `);
    await q.query(`CREATE INDEX ix_idempotency_keys_subject ON idempotency_keys (brand_id, subject_id) WHERE subject_id IS NOT NULL`);
    await q.query(`GRANT UPDATE (note) ON privacy_request_events TO candor_app`);
    // Notes people write about a subject (what was rectified, why a deadline was extended) are sealed
    // under the subject's data key from now on; older plaintext notes are replaced at erasure.
    await q.query(`ALTER TABLE privacy_request_events ADD COLUMN note_ct bytea`);
    await q.query(`ALTER TABLE privacy_requests ADD COLUMN extension_reason_ct bytea`);
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
    await q.query(`ALTER TABLE privacy_requests DROP COLUMN extension_reason_ct`);
    await q.query(`ALTER TABLE privacy_request_events DROP COLUMN note_ct`);
    await q.query(`REVOKE UPDATE (note) ON privacy_request_events FROM candor_app`);
    await q.query(`DROP INDEX IF EXISTS ix_idempotency_keys_subject`);
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN subject_id`);
  }
}

import { parseObjectLine } from '../imports/import-lines';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ErasureLine = { ok: true; subjectId: string } | { ok: true; externalId: string } | { ok: false; reason: string };

/**
 * Checks one NDJSON line of a bulk erasure: `{"subjectId": "<uuid>"}` or `{"externalId": "…"}`,
 * exactly one of them and nothing else (a line is a person to erase; anything more is a mistake
 * worth reporting). Whether the subject exists in the brand is decided when the upload is staged.
 */
export function parseErasureLine(text: string): ErasureLine {
  const line = parseObjectLine(text);
  if (!line.ok) return line;
  const value = line.value;
  const fields = Object.keys(value);
  const unknown = fields.filter((f) => f !== 'subjectId' && f !== 'externalId');
  // The unknown field is not named: a key of the line is input, and may be anything.
  if (unknown.length) return { ok: false, reason: 'only "subjectId" or "externalId" is accepted: a line names one subject and nothing else' };
  const { subjectId, externalId } = value as { subjectId?: unknown; externalId?: unknown };
  if (subjectId !== undefined && externalId !== undefined) return { ok: false, reason: 'give either "subjectId" or "externalId", not both' };
  if (subjectId !== undefined) {
    if (typeof subjectId !== 'string' || !UUID.test(subjectId)) return { ok: false, reason: 'subjectId: must be a subject id (a UUID)' };
    return { ok: true, subjectId: subjectId.toLowerCase() };
  }
  if (externalId !== undefined) {
    if (typeof externalId !== 'string' || !externalId.length || externalId.length > 200) {
      return { ok: false, reason: 'externalId: must be the brand\'s id of the subject (1–200 characters)' };
    }
    return { ok: true, externalId };
  }
  return { ok: false, reason: 'name the subject to erase: {"subjectId": "<uuid>"} or {"externalId": "…"}' };
}

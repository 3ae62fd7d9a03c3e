import { nulInLine } from '../../common/http/json-limits';
import { MAX_LINE_BYTES } from '../imports/import-lines';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ErasureLine = { ok: true; subjectId: string } | { ok: true; externalId: string } | { ok: false; reason: string };

/**
 * Checks one NDJSON line of a bulk erasure: `{"subjectId": "<uuid>"}` or `{"externalId": "…"}`,
 * exactly one of them and nothing else (a line is a person to erase; anything more is a mistake
 * worth reporting). Whether the subject exists in the brand is decided when the upload is staged.
 */
export function parseErasureLine(text: string): ErasureLine {
  if (Buffer.byteLength(text) > MAX_LINE_BYTES) return { ok: false, reason: `line is longer than ${MAX_LINE_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'must be a JSON object' };
  const nul = nulInLine(text, value);
  if (nul) return { ok: false, reason: `${nul}: must not contain NUL (U+0000) characters` };
  const fields = Object.keys(value);
  const unknown = fields.filter((f) => f !== 'subjectId' && f !== 'externalId');
  if (unknown.length) return { ok: false, reason: `${unknown[0]}: is not accepted; a line names one subject by "subjectId" or "externalId"` };
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

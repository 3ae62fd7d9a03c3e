import { plainToInstance } from 'class-transformer';
import { isBoolean, isDate, isEmail, isInt, isString, matches, max, maxLength, min, minLength, validateSync } from 'class-validator';
import { flattenValidationErrors, UNKNOWN_FIELD_MESSAGE } from '../../common/errors/validation';
import { nulInLine } from '../../common/http/json-limits';
import { KEY_PATTERN, LOCALE_PATTERN, isTimeZone } from '../../common/http/validators';
import { CaptureConsentDto, SOURCE_PATTERN } from '../consents/dto/consent.dto';
import { BrandFactDto } from '../facts/dto/fact.dto';
import { PreferenceSettingsDto } from '../preferences/dto/preferences.dto';
import { CreateSubjectDto, PHONE_PATTERN } from '../subjects/dto/subject.dto';
import { identifierErrors, IdentifierType, normaliseIdentifier } from '../subjects/identifiers';

export const LINE_KINDS = ['subject', 'consent', 'fact', 'preference', 'identifier', 'merge'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

/** How far in the future an imported `capturedAt` may lie (clock skew), as for a single decision. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * Rejections kept per job (imports, bulk erasures): the first ones by line number. The job still
 * counts every rejected line (`rowsRejected`), so a file of bad lines cannot fill the database.
 */
export const MAX_REJECTIONS_KEPT = 1000;

/** Longest line accepted: a line is one record, never a document. */
export const MAX_LINE_BYTES = 64 * 1024;

/** A line so long that the upload is refused rather than buffered. */
export class LineTooLongError extends Error {
  constructor(readonly line: number) {
    super(`line ${line} runs past ${4 * MAX_LINE_BYTES} bytes without a newline`);
  }
}

export type ParsedLine =
  | {
      ok: true;
      kind: LineKind;
      externalId: string;
      data: Record<string, unknown>;
      /** Subject lines: the identifiers to seal, as sent (they are not kept in `data`). */
      email?: string;
      phone?: string;
      /** Identifier lines: the identifier's value in normal form, to seal (not kept in `data`). */
      identifierValue?: string;
    }
  | { ok: false; reason: string };

/** The DTO whose rules (the same as the single-record routes) each kind of line must pass; identifier and merge lines have their own checks. */
const RULES: Record<Exclude<LineKind, 'identifier' | 'merge'>, new () => object> = {
  subject: CreateSubjectDto,
  consent: CaptureConsentDto,
  fact: BrandFactDto,
  preference: PreferenceSettingsDto,
};

/**
 * Checks one NDJSON line of an import: `{"type": "subject" | "consent" | "fact" | "preference",
 * "externalId": "…", …fields of that kind's single-record route}`. Returns the line's kind, the
 * subject it is about and its fields as plain JSON (dates as ISO strings), or why it is rejected.
 * Whether the subject, purpose or notice exists is decided later, when the line is merged.
 *
 * Subject and consent lines, nearly all of a large import, first go through a direct check of
 * the same rules (`checkSubject`, `checkConsent`): building a DTO instance and walking
 * class-validator's metadata cost far more per line than parsing it. The direct check only ever
 * accepts; anything it is not sure of — a broken rule, a `null`, an unexpected field — goes
 * through the DTO, which then decides and words the reason. `parseLineByRules` is the DTO path
 * alone; the unit tests hold the two to the same answers.
 */
export function parseLine(text: string, now: Date = new Date()): ParsedLine {
  return parse(text, now, true);
}

/** `parseLine` through the DTOs only: the reference the direct checks are tested against. */
export function parseLineByRules(text: string, now: Date = new Date()): ParsedLine {
  return parse(text, now, false);
}

/**
 * The first checks of any NDJSON upload line (imports, bulk erasures): not too long, valid JSON, an
 * object, no NUL characters (PostgreSQL text cannot hold them). The reason words what is wrong.
 */
export function parseObjectLine(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  // A UTF-16 unit is at most 3 bytes of UTF-8: only long lines need counting.
  if (text.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(text) > MAX_LINE_BYTES) {
    return { ok: false, reason: `line is longer than ${MAX_LINE_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: notJson(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'must be a JSON object' };
  // The path of the value is not named: a key of the line is input too, and may be anything.
  if (nulInLine(text, value)) return { ok: false, reason: 'a value or key must be text without NUL (U+0000) characters or unpaired surrogates' };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Why a line is not JSON, in our words. The parser's own message quotes the line ("Unexpected token
 * … in "jane@…" is not valid JSON"), and a rejection is stored and shown: it keeps only the position.
 */
export function notJson(error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
  return position ? `not valid JSON (at character ${Number(position[1]) + 1})` : 'not valid JSON';
}

/**
 * A rule broken by a line, as stored and shown with its line number: `path: message`. Messages are
 * the DTOs' own (they name the field, never its value); a field the rules do not know is input, so
 * it is not named.
 */
export function brokenRule(path: string, message: string): string {
  return message === UNKNOWN_FIELD_MESSAGE ? 'a field of the line is not a known field of its type' : `${path}: ${message}`;
}

function parse(text: string, now: Date, direct: boolean): ParsedLine {
  const line = parseObjectLine(text);
  if (!line.ok) return line;
  const value = line.value;
  const type = (value as Record<string, unknown>).type;
  if (typeof type !== 'string' || !(LINE_KINDS as readonly string[]).includes(type)) {
    return { ok: false, reason: `type: must be one of ${LINE_KINDS.join(', ')}` };
  }
  const kind = type as LineKind;
  const externalId = (value as Record<string, unknown>).externalId;
  if (typeof externalId !== 'string' || !externalId.length || externalId.length > 200) {
    return { ok: false, reason: 'externalId: must be the brand\'s id of the subject (1–200 characters)' };
  }
  if (kind === 'identifier' || kind === 'merge') return parseIdentity(kind, externalId, value as Record<string, unknown>);
  if (direct) {
    const checked = checkDirectly(value as Record<string, unknown>, now);
    if (checked) return { ok: true, kind, externalId, ...checked };
  }
  return parseByRules(kind, externalId, value as Record<string, unknown>, now);
}

/**
 * An identifier line, `{"type":"identifier","externalId":"m-1","identifierType":"email"|"phone"|"external","system"?:"loyalty","value":"…"}`,
 * by the rules of POST /v1/subjects/{id}/identifiers; or a merge line, `{"type":"merge","externalId":"m-1","fromExternalId":"m-2"}`,
 * which folds the subject `fromExternalId` into `externalId` as POST /v1/subjects/{id}/merge does.
 */
function parseIdentity(kind: 'identifier' | 'merge', externalId: string, line: Record<string, unknown>): ParsedLine {
  const known = kind === 'identifier' ? ['type', 'externalId', 'identifierType', 'system', 'value'] : ['type', 'externalId', 'fromExternalId'];
  if (Object.keys(line).some((k) => !known.includes(k))) return { ok: false, reason: brokenRule('', UNKNOWN_FIELD_MESSAGE) };
  if (kind === 'merge') {
    const from = line.fromExternalId;
    if (typeof from !== 'string' || !from.length || from.length > 200) return { ok: false, reason: 'fromExternalId: must be the brand\'s id of the subject to merge into this one (1–200 characters)' };
    if (from === externalId) return { ok: false, reason: 'fromExternalId: must name another subject than externalId' };
    return { ok: true, kind, externalId, data: { fromExternalId: from } };
  }
  const input = { type: line.identifierType, system: line.system ?? undefined, value: line.value };
  const errors = identifierErrors(input).map((e) => brokenRule(e.path === 'type' ? 'identifierType' : e.path, e.message));
  if (errors.length) return { ok: false, reason: errors.join('; ') };
  const type = input.type as IdentifierType;
  return { ok: true, kind, externalId, data: { identifierType: type, system: (input.system as string | undefined) ?? null }, identifierValue: normaliseIdentifier(type, input.value as string) };
}

function parseByRules(kind: Exclude<LineKind, 'identifier' | 'merge'>, externalId: string, value: Record<string, unknown>, now: Date): ParsedLine {
  const { type: _type, ...rest } = value;
  if (kind !== 'subject') delete rest.externalId;

  const errors: string[] = [];
  if (kind === 'consent') {
    // null too: a decision without a time cannot be imported.
    if (rest.capturedAt === undefined || rest.capturedAt === null) {
      errors.push('capturedAt: is required in an import (when the customer decided)');
      delete rest.capturedAt; // said once, not again by the DTO's date rule
    }
    if (rest.evidence !== undefined) errors.push('evidence: is not accepted in an import; record it with the single-decision route');
  }
  const dto = plainToInstance(RULES[kind], rest);
  const broken = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  errors.push(...flattenValidationErrors(broken).map((e) => brokenRule(e.path, e.message)));
  if (kind === 'consent' && !errors.length) {
    const consent = dto as CaptureConsentDto;
    if (consent.capturedAt!.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) errors.push('capturedAt: must not be in the future');
    if (consent.expiresAt && consent.expiresAt.getTime() <= consent.capturedAt!.getTime()) errors.push('expiresAt: must be after capturedAt');
  }
  if (errors.length) return { ok: false, reason: errors.join('; ') };
  // Plain JSON again (dates become ISO strings), without the subject line's identifiers, which are sealed.
  const data = JSON.parse(JSON.stringify(dto)) as Record<string, unknown>;
  if (kind === 'subject') {
    delete data.externalId;
    delete data.email;
    delete data.phone;
    return { ok: true, kind, externalId, data, email: optionalString(rest.email), phone: optionalString(rest.phone) };
  }
  return { ok: true, kind, externalId, data };
}

/**
 * The direct check of a parsed line whose `type` and `externalId` have passed: its data (and a
 * subject's identifiers) when it plainly passes its kind's rules, `undefined` when the DTO must
 * decide. Exported for the tests that hold it to the DTO's answers.
 */
export function checkDirectly(line: Record<string, unknown>, now: Date): Checked | undefined {
  return line.type === 'consent' ? checkConsent(line, now) : line.type === 'subject' ? checkSubject(line) : undefined;
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export type Checked = { data: Record<string, unknown>; email?: string; phone?: string };

/**
 * A consent line that plainly passes `CaptureConsentDto` and the import's own rules, checked with
 * class-validator's own functions and the DTO's patterns; `undefined` hands the line to the DTO.
 */
function checkConsent(line: Record<string, unknown>, now: Date): Checked | undefined {
  let purpose: unknown, granted: unknown, noticeVersion: unknown, source: unknown, capturedAt: unknown, expiresAt: unknown;
  for (const key in line) {
    const v = line[key];
    if (v === null) return undefined; // optional fields treat null as absent: the DTO decides
    switch (key) {
      case 'type':
      case 'externalId':
        break;
      case 'purpose':
        purpose = v;
        break;
      case 'granted':
        granted = v;
        break;
      case 'noticeVersion':
        noticeVersion = v;
        break;
      case 'source':
        source = v;
        break;
      case 'capturedAt':
        capturedAt = v;
        break;
      case 'expiresAt':
        expiresAt = v;
        break;
      default:
        return undefined; // evidence, or a field no rule knows
    }
  }
  if (!matches(purpose as string, KEY_PATTERN) || !isBoolean(granted)) return undefined;
  if (noticeVersion !== undefined && !(isInt(noticeVersion) && min(noticeVersion, 1) && max(noticeVersion, 1_000_000))) return undefined;
  if (source !== undefined && !matches(source as string, SOURCE_PATTERN)) return undefined;
  if (typeof capturedAt !== 'string') return undefined;
  const captured = new Date(capturedAt);
  if (!isDate(captured) || captured.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) return undefined;
  const data: Record<string, unknown> = { purpose, granted, capturedAt: captured.toISOString() };
  if (noticeVersion !== undefined) data.noticeVersion = noticeVersion;
  if (source !== undefined) data.source = source;
  if (expiresAt !== undefined) {
    if (typeof expiresAt !== 'string') return undefined;
    const expires = new Date(expiresAt);
    if (!isDate(expires) || expires.getTime() <= captured.getTime()) return undefined;
    data.expiresAt = expires.toISOString();
  }
  return { data };
}

/** Time zones already found valid: `Intl.DateTimeFormat` is slow to construct for every line. */
const knownTimeZones = new Set<string>();

/** A subject line that plainly passes `CreateSubjectDto`; `undefined` hands the line to the DTO. */
function checkSubject(line: Record<string, unknown>): Checked | undefined {
  const data: Record<string, unknown> = {};
  let email: string | undefined;
  let phone: string | undefined;
  for (const key in line) {
    const v = line[key];
    if (v === null) return undefined;
    switch (key) {
      case 'type':
        break;
      case 'externalId':
        if (!isString(v) || !minLength(v, 1) || !maxLength(v, 200)) return undefined;
        break;
      case 'email':
        if (!isEmail(v, {}) || !maxLength(v, 254)) return undefined;
        email = v as string;
        break;
      case 'phone':
        if (!matches(v as string, PHONE_PATTERN)) return undefined;
        phone = v as string;
        break;
      case 'locale':
        if (!matches(v as string, LOCALE_PATTERN)) return undefined;
        data.locale = v;
        break;
      case 'timezone':
        if (!(typeof v === 'string' && knownTimeZones.has(v)) && !isTimeZone(v)) return undefined;
        if (knownTimeZones.size < 1000) knownTimeZones.add(v as string);
        data.timezone = v;
        break;
      default:
        return undefined;
    }
  }
  return { data, email, phone };
}

/**
 * Splits a byte stream into lines (LF or CRLF), numbered from 1, without holding more than one
 * partial line. A final line without a newline counts; empty lines are skipped but keep their number.
 */
export async function* numberedLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<{ line: number; text: string }> {
  let pending = '';
  let line = 0;
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = pending.indexOf('\n', start); nl !== -1; nl = pending.indexOf('\n', start)) {
      line++;
      // Refused whatever the size of the chunks the bytes came in (the network's or the spool file's).
      if (nl - start > 4 * MAX_LINE_BYTES) throw new LineTooLongError(line);
      const text = pending.slice(start, nl).replace(/\r$/, '');
      start = nl + 1;
      if (text.trim()) yield { line, text };
    }
    pending = pending.slice(start);
    if (pending.length > 4 * MAX_LINE_BYTES) throw new LineTooLongError(line + 1);
  }
  pending += decoder.decode();
  if (pending.trim()) yield { line: line + 1, text: pending.replace(/\r$/, '') };
}

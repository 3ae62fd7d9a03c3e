import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from '../../common/errors/validation';
import { CaptureConsentDto } from '../consents/dto/consent.dto';
import { BrandFactDto } from '../facts/dto/fact.dto';
import { UpdatePreferencesDto } from '../preferences/dto/preferences.dto';
import { CreateSubjectDto } from '../subjects/dto/subject.dto';

export const LINE_KINDS = ['subject', 'consent', 'fact', 'preference'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

/** How far in the future an imported `capturedAt` may lie (clock skew), as for a single decision. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Longest line accepted: a line is one record, never a document. */
export const MAX_LINE_BYTES = 64 * 1024;

/** A line so long that the upload is refused rather than buffered. */
export class LineTooLongError extends Error {
  constructor(readonly line: number) {
    super(`line ${line} runs past ${4 * MAX_LINE_BYTES} bytes without a newline`);
  }
}

export type ParsedLine =
  | { ok: true; kind: LineKind; externalId: string; data: Record<string, unknown> }
  | { ok: false; reason: string };

/** The DTO whose rules (the same as the single-record routes) each kind of line must pass. */
const RULES: Record<LineKind, new () => object> = {
  subject: CreateSubjectDto,
  consent: CaptureConsentDto,
  fact: BrandFactDto,
  preference: UpdatePreferencesDto,
};

/**
 * Checks one NDJSON line of an import: `{"type": "subject" | "consent" | "fact" | "preference",
 * "externalId": "…", …fields of that kind's single-record route}`. Returns the line's kind, the
 * subject it is about and its fields as plain JSON (dates as ISO strings), or why it is rejected.
 * Whether the subject, purpose or notice exists is decided later, when the line is merged.
 */
export function parseLine(text: string, now: Date = new Date()): ParsedLine {
  if (Buffer.byteLength(text) > MAX_LINE_BYTES) return { ok: false, reason: `line is longer than ${MAX_LINE_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'must be a JSON object' };
  const { type, ...rest } = value as Record<string, unknown>;
  if (typeof type !== 'string' || !(LINE_KINDS as readonly string[]).includes(type)) {
    return { ok: false, reason: `type: must be one of ${LINE_KINDS.join(', ')}` };
  }
  const kind = type as LineKind;
  const externalId = rest.externalId;
  if (typeof externalId !== 'string' || !externalId.length || externalId.length > 200) {
    return { ok: false, reason: 'externalId: must be the brand\'s id of the subject (1–200 characters)' };
  }
  if (kind !== 'subject') delete rest.externalId;

  const errors: string[] = [];
  if (kind === 'consent') {
    if (rest.capturedAt === undefined) errors.push('capturedAt: is required in an import (when the customer decided)');
    if (rest.evidence !== undefined) errors.push('evidence: is not accepted in an import; record it with the single-decision route');
  }
  const dto = plainToInstance(RULES[kind], rest);
  const broken = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  errors.push(...flattenValidationErrors(broken).map((e) => `${e.path}: ${e.message}`));
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
  }
  return { ok: true, kind, externalId, data };
}

/** One value in PostgreSQL's COPY text format. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** A bytea value in COPY text format (hex, its backslash escaped). */
export function copyBytea(value: Buffer | null): string {
  return value === null ? '\\N' : `\\\\x${value.toString('hex')}`;
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

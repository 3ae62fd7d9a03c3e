/// <reference path="./class-transformer-storage.d.ts" />
import { ArgumentMetadata, HttpException, ValidationError, ValidationPipe } from '@nestjs/common';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { getMetadataStorage } from 'class-validator';
import { findNulCharacter, findReservedKey } from '../http/json-limits';
import { DomainError } from './domain-error';
import type { FieldError } from './problem-types';

/** The path given for a field the schema does not have: its name is the caller's, never repeated. */
export const UNKNOWN_FIELD = '(unknown field)';
/** The message for it. */
export const UNKNOWN_FIELD_MESSAGE = 'unknown fields are refused: this route takes only the fields its schema lists';

/**
 * Flattens class-validator's error tree into `{ path, message }` pairs, one per broken rule. A field
 * the DTO does not have (class-validator's whitelist rule) is named `(unknown field)`, never by the
 * name the caller sent; class-validator only descends into known fields, so every other segment is
 * a field of the schema.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      if (rule === 'whitelistValidation') out.push({ path: parent ? `${parent}.${UNKNOWN_FIELD}` : UNKNOWN_FIELD, message: UNKNOWN_FIELD_MESSAGE });
      else out.push({ path, message });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

/** The fields a DTO class declares (with at least one validation rule: the only ones the whitelist keeps). */
function fieldsOf(dto: Function): Set<string> {
  return new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName));
}

/**
 * `path` (dot-separated, from the raw input) as far as it names fields of `dto` and its nested DTOs;
 * from the first segment that is not one, `(unknown field)`. A segment inside a free-form object
 * (a known field with no nested DTO) is the caller's key: the path stops at the known field.
 */
export function knownPath(path: string, dto: Function | undefined): string {
  const known: string[] = [];
  let current: Function | undefined = dto;
  for (const segment of path.split('.')) {
    if (current === undefined) return known.join('.') || UNKNOWN_FIELD;
    if (/^\d+$/.test(segment) && known.length > 0) {
      known.push(segment);
      continue;
    }
    if (!fieldsOf(current).has(segment)) return [...known, UNKNOWN_FIELD].join('.');
    known.push(segment);
    const nested = defaultMetadataStorage.findTypeMetadata(current, segment)?.typeFunction();
    current = typeof nested === 'function' && nested !== Object && nested !== String && nested !== Number && nested !== Boolean && nested !== Date ? nested : undefined;
  }
  return known.join('.');
}

/** A path into the raw input of `metadata`'s argument, naming only fields of its DTO (or the argument's own name). */
function safePath(path: string, metadata: ArgumentMetadata): string {
  if (metadata.data !== undefined) return metadata.data; // @Query('name'), @Body('name'): the name is ours
  const dto = metadata.metatype;
  if (typeof dto !== 'function' || [Object, String, Number, Boolean, Array].includes(dto as never)) return path === '(value)' ? path : UNKNOWN_FIELD;
  return path === '(value)' ? path : knownPath(path, dto);
}

/** A DTO class's `@IsUUID` fields, read from class-validator's metadata once per class (a batch of 1,000 checks asks 1,000 times). */
const UUID_FIELDS = new WeakMap<Function, ReadonlySet<string>>();
function uuidFieldsOf(dto: Function): ReadonlySet<string> {
  let fields = UUID_FIELDS.get(dto);
  if (!fields) {
    fields = new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).filter((m) => m.name === 'isUuid').map((m) => m.propertyName));
    UUID_FIELDS.set(dto, fields);
  }
  return fields;
}

/**
 * UUIDs are case-insensitive (RFC 9562) and every stored id is lower case: each field a DTO
 * validates with `@IsUUID` (and each such element of an array), in the DTO and its nested DTOs,
 * is lower-cased once validated, so an id written in upper case names the same subject, fact or
 * record on every route. Free-text fields (an identifier's value, an external id) are left as the
 * caller wrote them: only fields declared as UUIDs change.
 */
export function lowerCaseUuids<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (const item of value) lowerCaseUuids(item);
    return value;
  }
  const dto = (value as object).constructor;
  if (typeof dto !== 'function' || dto === Object || value instanceof Date) return value;
  const record = value as Record<string, unknown>;
  const uuidFields = uuidFieldsOf(dto);
  for (const [key, field] of Object.entries(record)) {
    if (uuidFields.has(key)) {
      if (typeof field === 'string') record[key] = field.toLowerCase();
      else if (Array.isArray(field)) record[key] = field.map((item) => (typeof item === 'string' ? item.toLowerCase() : item));
    } else if (field !== null && typeof field === 'object') {
      lowerCaseUuids(field);
    }
  }
  return value;
}

/**
 * class-transformer silently drops `__proto__` and `constructor` keys, so whitelisting never sees
 * them: they would be accepted and ignored. Unknown fields are refused, so these are too. Strings
 * with NUL characters are refused before they reach PostgreSQL, which cannot store them.
 */
class CandorValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      // Paths name only fields of the schema: the rest of what the caller sent is never repeated.
      const reserved = findReservedKey(value);
      if (reserved) {
        const parent = reserved.split('.').slice(0, -1).join('.');
        const at = parent ? safePath(parent, metadata) : '';
        throw DomainError.validation([{ path: at && !at.endsWith(UNKNOWN_FIELD) ? `${at}.${UNKNOWN_FIELD}` : at || UNKNOWN_FIELD, message: UNKNOWN_FIELD_MESSAGE }]);
      }
      const nul = findNulCharacter(value);
      if (nul) throw DomainError.validation([{ path: safePath(nul, metadata), message: 'must be text without NUL (U+0000) characters or unpaired surrogates' }]);
    }
    // A path segment with a NUL character names nothing this API stores.
    if (metadata.type === 'param' && findNulCharacter(value)) throw new DomainError('not-found', 'Nothing has that name.');
    try {
      return lowerCaseUuids(await super.transform(value, metadata));
    } catch (error) {
      if (error instanceof DomainError || error instanceof HttpException) throw error;
      // class-transformer throws (TypeError) on some wrong shapes, e.g. an array where a nested
      // object belongs; such input is invalid, not a server fault.
      throw DomainError.validation([{ path: metadata.data ?? `(${metadata.type})`, message: 'does not have the shape this route takes' }]);
    }
  }
}

/** The one validation pipe: unknown fields are rejected, every broken rule is listed (422). */
export function createValidationPipe(): ValidationPipe {
  return new CandorValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.validation(flattenValidationErrors(errors)),
  });
}

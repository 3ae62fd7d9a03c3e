import { ArgumentMetadata, HttpException, ValidationError, ValidationPipe } from '@nestjs/common';
import { findNulCharacter, findReservedKey } from '../http/json-limits';
import { DomainError } from './domain-error';
import type { FieldError } from './problem-types';

/** Flattens class-validator's error tree into `{ path, message }` pairs, one per broken rule. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    for (const message of Object.values(error.constraints ?? {})) {
      out.push({ path, message: message.replace(/^property \S+ should not exist$/, 'is not a known field') });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

/**
 * class-transformer silently drops `__proto__` and `constructor` keys, so whitelisting never sees
 * them: they would be accepted and ignored. Unknown fields are refused, so these are too. Strings
 * with NUL characters are refused before they reach PostgreSQL, which cannot store them.
 */
class CandorValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const path = findReservedKey(value);
      if (path) throw DomainError.validation([{ path, message: 'is not a known field' }]);
      const nul = findNulCharacter(value);
      if (nul) throw DomainError.validation([{ path: nul, message: 'must not contain NUL (U+0000) characters' }]);
    }
    // A path segment with a NUL character names nothing this API stores.
    if (metadata.type === 'param' && findNulCharacter(value)) throw new DomainError('not-found', 'Nothing has that name.');
    try {
      return await super.transform(value, metadata);
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

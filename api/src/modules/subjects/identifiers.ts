import { isEmail } from 'class-validator';
import type { FieldError } from '../../common/errors/problem-types';
import { normaliseEmail, normalisePhone } from '../../common/crypto/crypto.service';
import { PHONE_PATTERN } from './dto/subject.dto';

/**
 * A subject's identifiers beyond the brand's own `externalId`: an email, a phone number, or the id
 * another system (the call centre, the loyalty programme) knows the person by. Pure rules: what is
 * a valid identifier, its normal form, and the kind of keyed hash it is found by.
 */
export const IDENTIFIER_TYPES = ['email', 'phone', 'external'] as const;
export type IdentifierType = (typeof IDENTIFIER_TYPES)[number];

/** A system's name: a short code such as `loyalty` or `call-centre`. */
export const SYSTEM_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
export const MAX_EXTERNAL_LENGTH = 200;

export interface IdentifierInput {
  type: IdentifierType;
  system?: string | null;
  value: string;
}

/** The sealed field an identifier's value is bound to, under its subject's data key. */
export const identifierField = (identifierId: string) => `identifier:${identifierId}`;

/**
 * What is wrong with an identifier, per field (empty: nothing): the value must be an email, a phone
 * number in international form, or an external id of 1–200 characters; only an external id names
 * a system (the brand's own `externalId` namespace is the one without a system).
 */
export function identifierErrors(input: { type?: unknown; system?: unknown; value?: unknown }): FieldError[] {
  const errors: FieldError[] = [];
  if (!IDENTIFIER_TYPES.includes(input.type as IdentifierType)) {
    errors.push({ path: 'type', message: `must be one of: ${IDENTIFIER_TYPES.join(', ')}` });
    return errors;
  }
  if (input.system !== undefined && input.system !== null) {
    if (input.type !== 'external') errors.push({ path: 'system', message: 'only an external id names a system' });
    else if (typeof input.system !== 'string' || !SYSTEM_PATTERN.test(input.system)) errors.push({ path: 'system', message: 'must be a short code such as "loyalty" (lower-case letters, digits, "_", "." or "-")' });
  }
  const value = input.value;
  if (typeof value !== 'string' || !value.trim()) errors.push({ path: 'value', message: 'must be a non-empty string' });
  else if (input.type === 'email' && (value.length > 254 || !isEmail(value))) errors.push({ path: 'value', message: 'must be an email address' });
  else if (input.type === 'phone' && !PHONE_PATTERN.test(value)) errors.push({ path: 'value', message: 'must be a phone number in international form, such as +4791234567' });
  else if (input.type === 'external' && value.length > MAX_EXTERNAL_LENGTH) errors.push({ path: 'value', message: `must be at most ${MAX_EXTERNAL_LENGTH} characters` });
  return errors;
}

/** The form an identifier is sealed, hashed and compared in: emails and phones as the subject's are. */
export function normaliseIdentifier(type: IdentifierType, value: string): string {
  return type === 'email' ? normaliseEmail(value) : type === 'phone' ? normalisePhone(value) : value;
}

/**
 * The lookup-hash kind of an identifier. Emails and phones share the kinds of the subject's own
 * email and phone, and an external id without a system the kind of `externalId`, so tombstones
 * (which are keyed by these kinds) block an erased person's identifiers whichever way they were
 * given, and a merged record's external id finds its survivor. Another system's ids are a kind
 * of their own per system.
 */
export function identifierHashKind(type: IdentifierType, system: string | null | undefined): string {
  if (type === 'external') return system ? `external:${system}` : 'external_id';
  return type;
}

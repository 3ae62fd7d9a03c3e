import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import type { Actor, BrandActor } from './actor';

export const PERSONAL_DATA = 'candor:personal-data';

/**
 * Where the purpose of a read of personal data comes from. A key limited to some purposes
 * (`purposes` set) is checked against it before the handler runs (403 `purpose-not-allowed`):
 * - `fixed`: the route serves one purpose (recommendations: `personalization`);
 * - `query` / `body`: the caller states it (`?purpose=`, `{ purpose }`); `bodyList`: each item's;
 * - `identifiers`: contact data of a subject. An optional `?purpose=` must be among the key's; a
 *   limited key sees email and phone only for a stated purpose that contacts people (the service
 *   redacts them otherwise);
 * - `derived`: the answer holds no fact value or identifier, only something that follows from the
 *   subject's data (the next question to ask); any key that may read subjects may ask, and it is logged;
 * - `ownPurposes`: the answer is filtered by the service to the key's purposes (consent state; due
 *   follow-up questions, to those whose fact falls in a category of the key's purposes);
 * - `every`: the answer holds every category (exports, privacy requests, consent proof: legal
 *   obligations); only a key that is not limited to purposes may read it.
 */
export type PurposeSource =
  | { kind: 'fixed'; purpose: string }
  | { kind: 'query'; name: string }
  | { kind: 'body'; name: string }
  | { kind: 'bodyList'; list: string; name: string }
  | { kind: 'identifiers' }
  | { kind: 'derived' }
  | { kind: 'ownPurposes' }
  | { kind: 'every' };

export interface PersonalDataRoute {
  controller: Function;
  handler: string;
  source: PurposeSource;
  /** Whether each successful read writes an access record the customer sees (false: say why). */
  logged: true | { notLogged: string };
}

const REGISTRY: PersonalDataRoute[] = [];

/**
 * Marks a handler as returning a subject's personal data: the decision about its purpose (checked
 * for purpose-limited keys by the auth guard) and its access record. Every route of the OpenAPI
 * document either carries this or is listed as holding none in the inventory test.
 */
export function ReadsPersonalData(source: PurposeSource, logged: PersonalDataRoute['logged'] = true): MethodDecorator {
  return (target, key, descriptor) => {
    REGISTRY.push({ controller: target.constructor, handler: String(key), source, logged });
    SetMetadata(PERSONAL_DATA, source)(target, key, descriptor);
  };
}

/** Every handler marked so far (the controllers must have been imported). */
export function personalDataRoutes(): readonly PersonalDataRoute[] {
  return REGISTRY;
}

/** Whether the caller may act for `purpose`: keys limited to purposes only for theirs. */
export function purposeAllowed(caller: Actor, purpose: string): boolean {
  return !(caller.kind === 'apiKey' && caller.purposes && !caller.purposes.includes(purpose));
}

/** A key limited to some purposes may not read for others. */
export function assertPurposeAllowed(caller: Actor, purpose: string): void {
  if (caller.kind === 'apiKey' && !purposeAllowed(caller, purpose)) {
    throw new DomainError('purpose-not-allowed', `This key may act only for: ${(caller.purposes ?? []).join(', ') || 'no purpose'}.`, { purpose });
  }
}

/**
 * Writes that carry every category of a customer's data (imports of an export, bulk imports of
 * subjects, consents and facts) are for keys not limited to purposes (403 `purpose-not-allowed`).
 */
export function assertUnlimited(caller: Actor, what: string): void {
  if (caller.kind === 'apiKey' && caller.purposes) {
    throw new DomainError('purpose-not-allowed', `${what} may hold consents and facts for every purpose; this key may act only for: ${caller.purposes.join(', ') || 'no purpose'}. Use a key not limited to purposes.`, { purpose: '*' });
  }
}

/** The purposes a caller may read for: null for every purpose (unlimited keys, staff, customers on their own data). */
export function purposesOf(caller: Actor): readonly string[] | null {
  return caller.kind === 'apiKey' ? caller.purposes : null;
}

/** Checks a request against its route's purpose decision, before the handler runs. */
export function enforcePurpose(actor: Actor, source: PurposeSource, req: Request): void {
  if (purposesOf(actor) === null) return;
  const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
  const stated = (value: unknown) => {
    if (typeof value === 'string') assertPurposeAllowed(actor, value);
  };
  switch (source.kind) {
    case 'fixed':
      return assertPurposeAllowed(actor, source.purpose);
    case 'query':
      return stated(req.query[source.name]);
    case 'body':
      return stated(body[source.name]);
    case 'bodyList': {
      const list = body[source.list];
      if (Array.isArray(list)) for (const item of list) if (item && typeof item === 'object') stated((item as Record<string, unknown>)[source.name]);
      return;
    }
    case 'identifiers':
      return stated(req.query.purpose);
    case 'derived':
    case 'ownPurposes':
      return;
    case 'every':
      throw new DomainError(
        'purpose-not-allowed',
        `This answer holds every category of the customer's data; this key may act only for: ${(actor as BrandActor & { purposes: string[] }).purposes.join(', ') || 'no purpose'}. Use a key not limited to purposes.`,
        { purpose: '*' },
      );
  }
}

/** Signing in and out: one-time link tokens become an API session held in an HttpOnly cookie. */
import { ApiProblem, ok, publicApi, customerApi } from './api';
import type { Locale } from './i18n';

export interface NewSession {
  token: string;
  expiresAt: string;
  brand: string;
}

/** Exchanges a magic-link or portal-link token (each works once); null when it is spent or unknown. */
export async function exchangeLinkToken(linkToken: string): Promise<NewSession | null> {
  const result = await publicApi().POST('/v1/auth/sessions', { body: { token: linkToken } });
  if (result.response.status === 401 || result.response.status === 422) return null;
  const session = ok(result);
  return { token: session.sessionToken, expiresAt: session.expiresAt, brand: session.brand };
}

/** Asks the API to email a sign-in link. It always accepts, whether or not the email is known. */
export async function requestMagicLink(brand: string, email: string, locale: Locale): Promise<void> {
  // The page's language: the email is written in the language the person is reading.
  ok(await publicApi().POST('/v1/auth/magic-links', { body: { brand, email, locale } }));
}

/** Ends the API session; an already-ended one is fine. */
export async function endSession(sessionToken: string): Promise<void> {
  const result = await customerApi(sessionToken, false).DELETE('/v1/auth/sessions/current');
  if (!result.response.ok && result.response.status !== 401) throw new ApiProblem(result.response.status, undefined, 'sign-out failed');
}

/** The longest email address there can be (RFC 5321: 254 characters in a path). */
export const EMAIL_MAX_LENGTH = 254;

/**
 * The shape of an email address: something, an @, and a domain of dot-separated labels. The parts
 * cannot overlap (a label has no dot, no part has an @), so it runs in linear time; and it only
 * ever sees input already cut to EMAIL_MAX_LENGTH (`isEmailAddress`).
 */
export const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Whether `text` looks like an email address: the length first, then the pattern. */
export function isEmailAddress(text: string): boolean {
  return text.length <= EMAIL_MAX_LENGTH && EMAIL.test(text);
}

/** Who a session belongs to, as the portal shows it ("you are signed in as …"). */
export async function sessionSubject(sessionToken: string): Promise<{ id: string; email: string | null } | null> {
  const result = await customerApi(sessionToken, false).GET('/v1/me');
  if (result.response.status === 401) return null;
  const me = ok(result);
  return { id: me.subject.id, email: me.subject.email ?? null };
}

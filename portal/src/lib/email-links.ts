/**
 * Pages people reach from an email, with no sign-in: the token in the address is the credential.
 * - `/{brand}/unsubscribe/{token}`: one-click unsubscribe (RFC 8058). Mailbox providers POST it
 *   from their servers with the form body `List-Unsubscribe=One-Click` and no cookie; people who
 *   open it see what it would do and a button that posts the same body. A GET never unsubscribes.
 * - `/{brand}/confirm/{token}`: double opt-in. The page says what the person is asked to agree
 *   to; only its "Confirm" (a CSRF-protected form, actions/confirm.ts) records the grant.
 * Both are in the person's language: the one they chose here, else the one the brand stored for
 * them (the email's), else their browser's.
 */
import type { AstroCookies } from 'astro';
import { ApiProblem, ok, problemOf, publicApi, type Schemas } from './api';
import { formatDate, isLocale, localized, messagesFor, negotiateLocale, type Locale, type Messages } from './i18n';
import { LANG_COOKIE } from './security';

/** Unsubscribe tokens are sealed, base64url, 72–160 characters; anything else is not one (and no API call is made). */
export const UNSUBSCRIBE_TOKEN = /^[A-Za-z0-9_-]{72,160}$/;
/** Confirmation tokens: `cco_` and 43 base64url characters. */
export const CONFIRMATION_TOKEN = /^cco_[A-Za-z0-9_-]{43}$/;
/** RFC 8058's one-click body, as a form field. */
export const ONE_CLICK_FIELD = 'List-Unsubscribe';
export const ONE_CLICK_VALUE = 'One-Click';

/** The page's language and strings: an explicit choice (the language cookie) wins, then what the brand stored, then the browser. */
export function languageFor(cookies: AstroCookies, stored: string | null | undefined, browser: Locale): { locale: Locale; t: Messages } {
  const chosen = cookies.get(LANG_COOKIE)?.value;
  const locale = isLocale(chosen) ? chosen : stored ? negotiateLocale(stored, browser) : browser;
  return { locale, t: messagesFor(locale) };
}

export type UnsubscribeView =
  /** What the link would do (GET, or a POST that did not say "One-Click"), what it did, or that it was done before. */
  | { kind: 'ask' | 'done' | 'already'; state: Schemas['UnsubscribeStateResponse'] }
  /** Not a link of ours or of this brand (404), or revoked, replaced or its person erased (410). */
  | { kind: 'invalid' | 'revoked'; state: null };

/**
 * What the unsubscribe page shows, and its status. With `oneClick`, the consent is withdrawn
 * first (the POST of a mailbox provider or of the page's button); otherwise nothing changes.
 */
export async function unsubscribeView(token: string, brandSlug: string, oneClick: boolean): Promise<{ view: UnsubscribeView; status: number }> {
  const invalid = { view: { kind: 'invalid' as const, state: null }, status: 404 };
  if (!UNSUBSCRIBE_TOKEN.test(token)) return invalid;
  const api = publicApi();
  const path = { params: { path: { token } } };
  try {
    if (oneClick) {
      const result = ok(await api.POST('/v1/unsubscribe/{token}', { ...path, body: { [ONE_CLICK_FIELD]: ONE_CLICK_VALUE } }));
      return result.brand.slug === brandSlug ? { view: { kind: result.changed ? 'done' : 'already', state: result }, status: 200 } : invalid;
    }
    const state = ok(await api.GET('/v1/unsubscribe/{token}', path));
    return state.brand.slug === brandSlug ? { view: { kind: state.subscribed ? 'ask' : 'already', state }, status: 200 } : invalid;
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return invalid;
    if (error instanceof ApiProblem && error.status === 410) return { view: { kind: 'revoked', state: null }, status: 410 };
    throw error;
  }
}

/** The purpose's name and the date of the withdrawal, in the page's language. */
export function wordsOf(view: UnsubscribeView, locale: Locale): { purpose: string; since: string } {
  if (!view.state) return { purpose: '', since: '' };
  const purpose = localized(view.state.purpose.name, locale, view.state.brand.defaultLocale) || view.state.purpose.key;
  return { purpose, since: view.state.unsubscribedAt ? formatDate(view.state.unsubscribedAt, locale) : '' };
}

export type Confirmation = Schemas['ConsentConfirmationResponse'];

/** A confirmation link's state; an unknown token is the API's 404 (the 404 page), another brand's too. */
export async function loadConfirmation(token: string, brandSlug: string): Promise<Confirmation | null> {
  if (!CONFIRMATION_TOKEN.test(token)) return null;
  const confirmation = ok(await publicApi().GET('/v1/consent-confirmations/{token}', { params: { path: { token } } }));
  return confirmation.brand.slug === brandSlug ? confirmation : null;
}

/**
 * The person pressed "Confirm". An expired link or one whose consent was withdrawn meanwhile is
 * not an error for the page: it shows that state (the API's 410 and 409).
 */
export async function confirm(token: string): Promise<void> {
  const result = await publicApi().POST('/v1/consent-confirmations/{token}', { params: { path: { token } }, body: { confirm: true } });
  if (result.response.ok) return;
  const problem = problemOf(result);
  if (problem.status !== 409 && problem.status !== 410) throw problem;
}

/**
 * Cookies, CSRF tokens, the Origin check and response headers: everything that keeps a customer's
 * session theirs. Read this file before touching forms or middleware.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AstroCookies } from 'astro';
import { withoutTrailingSlashes } from './text';

/** The public base of the portal (what links in emails point at); may be https behind a proxy. */
export const PORTAL_URL = withoutTrailingSlashes(process.env.PORTAL_URL ?? 'http://localhost:4321');

export const SESSION_COOKIE = 'candor_session';
export const ANON_COOKIE = 'candor_anon';
export const LANG_COOKIE = 'candor_lang';
/** The staff console's own session cookie: never the customer's, scoped to `/{brand}/admin`. */
export const STAFF_COOKIE = 'candor_staff';

/** Cookies are Secure whenever the customer reaches us over https (directly or through a proxy). */
function secure(url: URL): boolean {
  return url.protocol === 'https:' || PORTAL_URL.startsWith('https:');
}

/**
 * The session cookie is scoped to the brand's path (`/calm-harbor`), because a session belongs to
 * one brand: a customer of two brands can be signed in to both, and neither sees the other's cookie.
 * HttpOnly keeps it from scripts; SameSite=Lax keeps other sites' forms from sending it.
 */
export function setSessionCookie(cookies: AstroCookies, url: URL, brand: string, token: string, expiresAt: string): void {
  cookies.set(SESSION_COOKIE, token, {
    path: `/${brand}`,
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(url),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(cookies: AstroCookies, brand: string): void {
  cookies.delete(SESSION_COOKIE, { path: `/${brand}` });
}

/**
 * A session a sign-in link opened while the browser was signed in as someone else. It waits here
 * (HttpOnly, SameSite=Strict, ten minutes) until the person says whether to switch to it
 * (`/{brand}/switch-account`), so no link ever replaces a session silently.
 */
export const PENDING_COOKIE = 'candor_pending';
const PENDING_MAX_AGE_S = 600;

export function setPendingSessionCookie(cookies: AstroCookies, url: URL, brand: string, token: string, expiresAt: string): void {
  cookies.set(PENDING_COOKIE, `${token} ${expiresAt}`, {
    path: `/${brand}`,
    httpOnly: true,
    sameSite: 'strict',
    secure: secure(url),
    maxAge: PENDING_MAX_AGE_S,
  });
}

export function pendingSession(cookies: AstroCookies): { token: string; expiresAt: string } | null {
  const value = cookies.get(PENDING_COOKIE)?.value ?? '';
  // Length first: the cookie is the visitor's to write.
  if (value.length > 200) return null;
  const [token, expiresAt] = value.split(' ');
  return token?.startsWith('cst_') && expiresAt && !Number.isNaN(Date.parse(expiresAt)) ? { token, expiresAt } : null;
}

export function clearPendingSessionCookie(cookies: AstroCookies, brand: string): void {
  cookies.delete(PENDING_COOKIE, { path: `/${brand}` });
}

/**
 * Staff sessions live in a cookie of their own, scoped to the console (`/calm-harbor/admin`), so a
 * staff member who is also a customer of the brand keeps the two apart, and customer pages never
 * receive a staff credential.
 */
export function setStaffCookie(cookies: AstroCookies, url: URL, brand: string, token: string, expiresAt: string): void {
  cookies.set(STAFF_COOKIE, token, {
    path: `/${brand}/admin`,
    httpOnly: true,
    sameSite: 'lax',
    secure: secure(url),
    expires: new Date(expiresAt),
  });
}

export function clearStaffCookie(cookies: AstroCookies, brand: string): void {
  cookies.delete(STAFF_COOKIE, { path: `/${brand}/admin` });
}

export function setLanguageCookie(cookies: AstroCookies, url: URL, locale: string): void {
  cookies.set(LANG_COOKIE, locale, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(url), maxAge: 365 * 86400 });
}

/**
 * Signed-out visitors (the sign-in form) get a random cookie of their own so their form has a
 * CSRF token too; it carries nothing about them.
 */
export function ensureAnonymousSeed(cookies: AstroCookies, url: URL): string {
  const existing = cookies.get(ANON_COOKIE)?.value;
  if (existing && existing.length <= 128 && /^[A-Za-z0-9_-]{32,128}$/.test(existing)) return existing;
  const seed = randomBytes(24).toString('base64url');
  cookies.set(ANON_COOKIE, seed, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(url) });
  return seed;
}

/**
 * The per-session CSRF token: an HMAC keyed by the session token (or the anonymous seed). Only
 * someone who holds the HttpOnly cookie can compute it, and it needs no server-side storage, so
 * any number of portal replicas agree on it.
 */
export function csrfTokenFor(seed: string): string {
  return createHmac('sha256', seed).update('candor-portal-csrf-v1').digest('base64url');
}

export function csrfTokenMatches(seed: string | undefined, submitted: unknown): boolean {
  if (!seed || typeof submitted !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(seed));
  const given = Buffer.from(submitted);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Browsers send `Origin` with every form POST. Accept our own origin (as the request reached us)
 * and the public PORTAL_URL; refuse anything else. Without Origin (old browsers, curl) fall back to
 * Referer; with neither, the CSRF token alone decides.
 */
export function originAllowed(request: Request, url: URL): boolean {
  const allowed = new Set([url.origin, new URL(PORTAL_URL).origin]);
  const origin = request.headers.get('origin');
  if (origin) return allowed.has(origin);
  const referer = request.headers.get('referer');
  if (referer) {
    try {
      return allowed.has(new URL(referer).origin);
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * A strict policy: nothing from other origins, no inline scripts or styles (Astro is configured to
 * emit style sheets as files), no framing, forms post only to us. The portal ships no JavaScript.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "manifest-src 'self'",
].join('; ');

export function applySecurityHeaders(headers: Headers, personal: boolean): void {
  headers.set('content-security-policy', CONTENT_SECURITY_POLICY);
  headers.set('x-content-type-options', 'nosniff');
  headers.set('x-frame-options', 'DENY');
  // Portal links carry a token in the path: never send our URLs to another site. (Not
  // `no-referrer`: with it, browsers send `Origin: null` on form posts and the Origin check fails.)
  headers.set('referrer-policy', 'same-origin');
  headers.set('cross-origin-opener-policy', 'same-origin');
  headers.set('cross-origin-resource-policy', 'same-origin');
  headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=(), browsing-topics=()');
  // Personal pages must never sit in a shared cache or the back-forward cache of a shared computer.
  if (personal) headers.set('cache-control', 'no-store');
}

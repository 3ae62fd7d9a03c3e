/**
 * Runs before every page and endpoint. In order:
 *   1. language: `?lang=` switches (and is remembered in a cookie), else the cookie, else
 *      Accept-Language;
 *   2. brand: the first path segment, looked up through the API (unknown → 404); a segment that
 *      can never be a brand (upper case, punctuation, too long…) → 404 without asking;
 *   3. session: the brand's HttpOnly cookie; personal pages without one go to sign-in. Console
 *      pages (`/{brand}/admin/…`) use the staff cookie instead, and only it;
 *   4. forms: a POST from another origin is refused before any endpoint runs (each endpoint also
 *      checks the CSRF token, see lib/forms.ts) — except a one-click unsubscribe, which mailbox
 *      providers POST from anywhere (lib/email-links.ts);
 *   5. errors: an expired session (API 401) signs the customer (or staff member) out; "not found"
 *      (API 404, for example another customer's fact id) renders the 404 page and never anything
 *      else; a staff role that may not do something (API 403) goes back to the console with why;
 *      a limit (API 429) renders the "try again in N minutes" page, in the visitor's language;
 *   6. headers: a strict Content-Security-Policy and friends, `no-store` on brand pages.
 */
import { defineMiddleware } from 'astro:middleware';
import type { APIContext, MiddlewareNext } from 'astro';
import { ApiProblem, visitor } from './lib/api';
import { brandSlugOf, cannotBeBrand, findBrand } from './lib/brands';
import { isLocale, messagesFor, negotiateLocale } from './lib/i18n';
import {
  LANG_COOKIE,
  SESSION_COOKIE,
  STAFF_COOKIE,
  applySecurityHeaders,
  clearSessionCookie,
  clearStaffCookie,
  csrfTokenFor,
  ensureAnonymousSeed,
  originAllowed,
  setLanguageCookie,
} from './lib/security';

/** Pages under /{brand}/ that a signed-out visitor may see ("goodbye" follows an erasure). */
const PUBLIC_BRAND_PAGES = /^\/[^/]+\/(?:admin\/)?(sign-in|link\/[^/]+|actions\/sign-in|actions\/link)\/?$|^\/[^/]+\/goodbye\/?$/;

/** An erasure receipt: its emailed token is the credential (the person's account is gone). */
const RECEIPT_PAGE = /^\/[^/]+\/erasure-receipt\/[^/]+\/?$/;

/**
 * Links people follow from emails, signed in or not: their token is the credential. A one-click
 * unsubscribe (`unsubscribe/{token}`) is also POSTed by mailbox providers from their own servers
 * (RFC 8058), so it takes no Origin check: the unguessable link is the whole authority and can only
 * withdraw its one consent. Confirming a double opt-in (`actions/confirm`) keeps both checks.
 */
const EMAIL_LINK_PAGE = /^\/[^/]+\/(?:unsubscribe\/[^/]+|confirm\/[^/]+|actions\/confirm)\/?$/;
const ONE_CLICK_UNSUBSCRIBE = /^\/[^/]+\/unsubscribe\/[^/]+\/?$/;

/** The staff console of a brand. */
const CONSOLE = /^\/[^/]+\/admin(?:\/|$)/;

export const onRequest = defineMiddleware(async (context, next) => {
  // Every API call made for this request names the visitor's address (see lib/api.ts).
  const response = await visitor.run({ address: visitorAddress(context) }, () => handle(context, next));
  return withSecurityHeaders(response, brandSlugOf(context.url.pathname) !== null);
});

/** The address the visitor reached us from (the socket's: the portal trusts no forwarding header). */
function visitorAddress(context: APIContext): string | null {
  try {
    return context.clientAddress;
  } catch {
    return null;
  }
}

async function handle(context: APIContext, next: MiddlewareNext): Promise<Response> {
  const { url, request, cookies, locals } = context;

  const requested = url.searchParams.get('lang');
  if (request.method === 'GET' && requested !== null) {
    if (isLocale(requested)) setLanguageCookie(cookies, url, requested);
    url.searchParams.delete('lang');
    return seeOther(context, url.pathname + url.search);
  }
  const remembered = cookies.get(LANG_COOKIE)?.value;
  locals.locale = isLocale(remembered) ? remembered : negotiateLocale(request.headers.get('accept-language'));
  locals.t = messagesFor(locals.locale);
  locals.gpc = request.headers.get('sec-gpc') === '1';
  locals.brand = null;
  locals.session = null;
  locals.staff = null;
  locals.csrf = '';

  const slug = brandSlugOf(url.pathname);
  const inConsole = CONSOLE.test(url.pathname);
  // Not a slug: the brand pages would run without a brand (a 500). The 404 page, in the visitor's language.
  if (!slug && cannotBeBrand(url.pathname)) return context.rewrite('/404');
  try {
    if (slug) {
      locals.brand = await findBrand(slug);
      if (!locals.brand) return context.rewrite('/404');
      // The customer cookie (Path=/calm-harbor) also reaches the console: it is ignored there.
      if (inConsole) locals.staff = cookies.get(STAFF_COOKIE)?.value ?? null;
      else locals.session = cookies.get(SESSION_COOKIE)?.value ?? null;
      const credential = locals.staff ?? locals.session;
      locals.csrf = csrfTokenFor(credential ?? ensureAnonymousSeed(cookies, url));
      if (!credential && !PUBLIC_BRAND_PAGES.test(url.pathname) && !RECEIPT_PAGE.test(url.pathname) && !EMAIL_LINK_PAGE.test(url.pathname)) return seeOther(context, `/${slug}/${inConsole ? 'admin/' : ''}sign-in`);
    }

    if (request.method === 'POST' && !ONE_CLICK_UNSUBSCRIBE.test(url.pathname) && !originAllowed(request, url)) {
      return context.rewrite(new Request(new URL('/forbidden', url), { headers: request.headers }));
    }

    return await next();
  } catch (error) {
    if (!(error instanceof ApiProblem)) throw error;
    // The API limited this visitor (too many requests from their address): say when to come back.
    if (error.status === 429) {
      const after = new URL('/too-many-requests', url);
      after.searchParams.set('after', String(error.retryAfterSeconds ?? 60));
      if (slug && locals.brand) after.searchParams.set('brand', slug);
      return context.rewrite(new Request(after, { headers: request.headers }));
    }
    if (!slug) throw error;
    if (inConsole && error.status === 401) {
      clearStaffCookie(cookies, slug);
      return seeOther(context, `/${slug}/admin/sign-in?notice=expired`);
    }
    // A role that may not do this (a viewer acting, or reading subjects): say so, change nothing.
    if (inConsole && error.status === 403) return seeOther(context, `/${slug}/admin/?notice=not-allowed`);
    if (error.status === 401) {
      // The API no longer knows this session (expired or signed out elsewhere).
      clearSessionCookie(cookies, slug);
      return seeOther(context, `/${slug}/sign-in?notice=expired`);
    }
    if (error.status === 404) return notFound();
    // Anything else the API refused (a value it does not accept, a malformed version or body) and
    // the page had no message of its own for: a page that says so, with the API's status, never a 500.
    if (error.status >= 400 && error.status < 500) {
      const refused = new URL('/not-accepted', url);
      refused.searchParams.set('status', String(error.status));
      if (locals.brand) refused.searchParams.set('brand', slug);
      return context.rewrite(new Request(refused, { headers: request.headers }));
    }
    throw error;
  }
}

/** An empty 404 from a page or endpoint makes Astro render src/pages/404.astro instead. */
function notFound(): Response {
  return new Response(null, { status: 404 });
}

/** 303: after a form POST the browser follows with a GET (Post/Redirect/Get). */
function seeOther(context: APIContext, location: string): Response {
  return context.redirect(location, 303);
}

function withSecurityHeaders(response: Response, personal: boolean): Response {
  try {
    applySecurityHeaders(response.headers, personal);
    return response;
  } catch {
    // Some responses (Response.redirect) have immutable headers: copy them.
    const copy = new Response(response.body, response);
    applySecurityHeaders(copy.headers, personal);
    return copy;
  }
}

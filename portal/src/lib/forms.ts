/**
 * Helpers for the form endpoints under src/pages/[brand]/actions/. Every form in the portal posts
 * there; the endpoint checks the CSRF token, calls the API once and answers 303 See Other to a page
 * (Post/Redirect/Get), so reloading never re-submits and everything works without JavaScript.
 */
import type { APIContext } from 'astro';
import { customerApi, type ApiClient } from './api';
import { csrfTokenMatches, ANON_COOKIE } from './security';

/** The name of the hidden field that carries the CSRF token in every form. */
export const CSRF_FIELD = '_csrf';

export class CsrfRejected extends Error {}

/**
 * Reads a posted form after checking its CSRF token against the visitor's session (or, signed
 * out, their anonymous cookie). A wrong or missing token shows the "form could not be accepted"
 * page and changes nothing.
 */
export async function readForm(context: APIContext): Promise<FormData | Response> {
  let form: FormData;
  try {
    form = await context.request.formData();
  } catch {
    return rejected(context);
  }
  // On console pages the middleware sets `staff` and never `session`, and the other way round.
  const seed = context.locals.staff ?? context.locals.session ?? context.cookies.get(ANON_COOKIE)?.value;
  if (!csrfTokenMatches(seed, form.get(CSRF_FIELD))) return rejected(context);
  return form;
}

function rejected(context: APIContext): Promise<Response> {
  return context.rewrite(new Request(new URL('/forbidden', context.url)));
}

/** The API, acting as the signed-in customer (the middleware guarantees there is a session). */
export function apiFor(context: APIContext): ApiClient {
  return customerApi(context.locals.session ?? '', context.locals.gpc);
}

/** 303 to a page of this brand, with an optional one-word notice the page turns into a message. */
export function backTo(context: APIContext, page: string, notice?: string, extra: Record<string, string> = {}): Response {
  const query = new URLSearchParams({ ...(notice ? { notice } : {}), ...extra }).toString();
  return context.redirect(`/${context.params.brand}/${page}${query ? `?${query}` : ''}`, 303);
}

/**
 * Pages a customer form may return to (the same correction form is offered on "What we know" and
 * on "For you"); anything else goes to the home page, so the field can never redirect elsewhere.
 */
const RETURN_PAGES = new Set(['', 'for-you']);

export function returnPage(form: FormData): string {
  const page = text(form, 'back');
  return RETURN_PAGES.has(page) ? page : '';
}

export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

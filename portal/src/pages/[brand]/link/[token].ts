import type { APIRoute } from 'astro';
import { exchangeLinkToken } from '../../../lib/session';
import { setSessionCookie } from '../../../lib/security';

/**
 * Where magic links and brand-issued portal links land: the one-time token becomes an API
 * session in an HttpOnly cookie, and the customer is sent on to their home page. The redirect
 * also takes the token out of the address bar and the browser history.
 */
export const GET: APIRoute = async (context) => {
  const brand = context.params.brand!;
  const session = await exchangeLinkToken(context.params.token ?? '');
  // A spent or unknown token, or one issued for another brand, leads to a fresh sign-in.
  if (!session || session.brand !== brand) return context.redirect(`/${brand}/sign-in?notice=link-invalid`, 303);
  setSessionCookie(context.cookies, context.url, brand, session.token, session.expiresAt);
  return context.redirect(`/${brand}/`, 303);
};

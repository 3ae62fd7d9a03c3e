import type { APIRoute } from 'astro';
import { setStaffCookie } from '../../../../lib/security';
import { exchangeStaffLink } from '../../../../lib/staff';

/**
 * Where staff sign-in links land: the one-time token becomes a staff session in the console's own
 * HttpOnly cookie (never the customer cookie), and the redirect takes the token out of the address.
 */
export const GET: APIRoute = async (context) => {
  const brand = context.params.brand!;
  const session = await exchangeStaffLink(context.params.token ?? '');
  if (!session || session.brand !== brand) return context.redirect(`/${brand}/admin/sign-in?notice=link-invalid`, 303);
  setStaffCookie(context.cookies, context.url, brand, session.token, session.expiresAt);
  return context.redirect(`/${brand}/admin/`, 303);
};

import type { APIRoute } from 'astro';
import { readForm, text } from '../../../../lib/forms';
import { setStaffCookie } from '../../../../lib/security';
import { endStaffSession, exchangeStaffLink } from '../../../../lib/staff';

/**
 * "Continue" on the staff link page: spends the one-time token (same origin, CSRF token) and puts
 * the staff session in the console's own HttpOnly cookie (never the customer cookie). A staff
 * session already in the browser is ended first.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const brand = context.params.brand!;
  const token = text(form, 'token');
  const session = token.length <= 200 ? await exchangeStaffLink(token) : null;
  if (!session || session.brand !== brand) return context.redirect(`/${brand}/admin/sign-in?notice=link-invalid`, 303);
  if (context.locals.staff) await endStaffSession(context.locals.staff);
  setStaffCookie(context.cookies, context.url, brand, session.token, session.expiresAt);
  return context.redirect(`/${brand}/admin/`, 303);
};

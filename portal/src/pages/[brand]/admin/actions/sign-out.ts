import type { APIRoute } from 'astro';
import { readForm } from '../../../../lib/forms';
import { clearStaffCookie } from '../../../../lib/security';
import { endStaffSession } from '../../../../lib/staff';

/** Ends the staff session at the API (the token stops working everywhere) and forgets the cookie. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const brand = context.params.brand!;
  await endStaffSession(context.locals.staff!);
  clearStaffCookie(context.cookies, brand);
  return context.redirect(`/${brand}/admin/sign-in?notice=signed-out`, 303);
};

import type { APIRoute } from 'astro';
import { readForm } from '../../../lib/forms';
import { clearSessionCookie } from '../../../lib/security';
import { endSession } from '../../../lib/session';

/** Ends the API session (so the token stops working everywhere) and forgets the cookie. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const brand = context.params.brand!;
  await endSession(context.locals.session!);
  clearSessionCookie(context.cookies, brand);
  return context.redirect(`/${brand}/sign-in?notice=signed-out`, 303);
};

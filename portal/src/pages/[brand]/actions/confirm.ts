import type { APIRoute } from 'astro';
import { CONFIRMATION_TOKEN, confirm, loadConfirmation } from '../../../lib/email-links';
import { readForm, text } from '../../../lib/forms';

/**
 * "Confirm" on the double opt-in page: with the CSRF token and our own Origin (the middleware),
 * records the grant the emailed link stands for, then shows the page again (Post/Redirect/Get),
 * which now says "confirmed" — or "expired" / "withdrawn" when it came too late.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const brand = context.params.brand!;
  const token = text(form, 'token');
  // Only a link of this brand is confirmed from this brand's page.
  if (!CONFIRMATION_TOKEN.test(token) || !(await loadConfirmation(token, brand))) return new Response(null, { status: 404 });
  await confirm(token);
  return context.redirect(`/${brand}/confirm/${token}`, 303);
};

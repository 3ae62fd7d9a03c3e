import type { APIRoute } from 'astro';
import { apiFor, backTo, readForm, text } from '../../../lib/forms';
import { certifiedAt, forgetMe } from '../../../lib/mydata';
import { clearSessionCookie } from '../../../lib/security';

/**
 * Forget me. Nothing happens without the ticked confirmation (the checkbox is `required`, and a
 * browser without form validation still lands back on the confirmation page). The API erases at
 * once and ends the session; the portal forgets its cookie and says goodbye.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  if (text(form, 'confirm') !== 'yes') return backTo(context, 'my-data/forget', 'confirm-required');
  const request = await forgetMe(apiFor(context), context.locals.locale);
  clearSessionCookie(context.cookies, context.params.brand!);
  const at = certifiedAt(request);
  const query = new URLSearchParams({ ref: request.id, ...(at ? { at } : {}) });
  return context.redirect(`/${context.params.brand}/goodbye?${query}`, 303);
};

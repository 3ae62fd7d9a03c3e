import type { APIRoute } from 'astro';
import { readForm, text } from '../../../../lib/forms';
import { EMAIL_MAX_LENGTH, isEmailAddress } from '../../../../lib/session';
import { requestStaffLink } from '../../../../lib/staff';

/** Emails a staff sign-in link. The answer is the same whether or not the address is staff. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const brand = context.params.brand!;
  const email = text(form, 'email');
  // Length first: no pattern ever sees an oversized value.
  if (email.length > EMAIL_MAX_LENGTH) return context.redirect(`/${brand}/admin/sign-in?notice=email-too-long`, 303);
  if (!isEmailAddress(email)) return context.redirect(`/${brand}/admin/sign-in?notice=email-invalid`, 303);
  await requestStaffLink(brand, email, context.locals.locale);
  return context.redirect(`/${brand}/admin/sign-in?sent=1`, 303);
};

import type { APIRoute } from 'astro';
import { readForm, text } from '../../../../../../lib/forms';
import { staffApi } from '../../../../../../lib/api';
import { extendRequest } from '../../../../../../lib/staff';

/** Extends a deadline once, with a reason; a refusal (too late, already extended…) is explained on the page. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const id = context.params.id!;
  const page = `/${context.params.brand}/admin/requests/${id}`;
  const daysText = text(form, 'days');
  const days = /^\d{1,3}$/.test(daysText) ? Number(daysText) : undefined;
  const refusal = await extendRequest(staffApi(context.locals.staff!), id, text(form, 'reason'), days);
  if (refusal) return context.redirect(`${page}?notice=refused&refusal=${refusal}`, 303);
  return context.redirect(`${page}?notice=extended`, 303);
};

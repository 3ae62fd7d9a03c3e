import type { APIRoute } from 'astro';
import { readForm, text } from '../../../../../../lib/forms';
import { staffApi } from '../../../../../../lib/api';
import { executeRequest } from '../../../../../../lib/staff';

/** Carries out a request (compliance and admin; a viewer's attempt is the API's 403 → explained). */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const id = context.params.id!;
  const page = `/${context.params.brand}/admin/requests/${id}`;
  try {
    await executeRequest(staffApi(context.locals.staff!), id, text(form, 'note'));
  } catch (error) {
    // Rectification and restriction need a note; the API says so with 422.
    if ((error as { status?: number }).status === 422) return context.redirect(`${page}?notice=note-required`, 303);
    throw error;
  }
  return context.redirect(`${page}?notice=executed`, 303);
};

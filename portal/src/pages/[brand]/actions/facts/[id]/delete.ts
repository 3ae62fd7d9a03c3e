import type { APIRoute } from 'astro';
import { ok } from '../../../../../lib/api';
import { apiFor, backTo, readForm, returnPage } from '../../../../../lib/forms';

/** Deletes a fact for good. Another customer's id → the API's 404 → the not-found page. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  ok(await apiFor(context).DELETE('/v1/me/facts/{id}', { params: { path: { id: context.params.id! } } }));
  return backTo(context, returnPage(form), 'deleted');
};

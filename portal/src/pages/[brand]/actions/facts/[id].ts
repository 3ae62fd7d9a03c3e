import type { APIRoute } from 'astro';
import { ok } from '../../../../lib/api';
import { apiFor, backTo, readForm, returnPage, text } from '../../../../lib/forms';

/**
 * Corrects a fact; it becomes "you told us". An id that is not the customer's own makes the API
 * answer 404, which the middleware turns into the not-found page — never someone else's data.
 * Offered on "What we know" and on "For you" (after a wrong reason); `back` says which.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const page = returnPage(form);
  const value = text(form, 'value');
  if (!value) return backTo(context, page, 'value-required', page === 'for-you' ? { correct: context.params.id! } : {});
  ok(await apiFor(context).PATCH('/v1/me/facts/{id}', { params: { path: { id: context.params.id! } }, body: { value } }));
  return backTo(context, page, 'updated');
};

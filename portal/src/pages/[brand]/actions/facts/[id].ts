import type { APIRoute } from 'astro';
import { ok } from '../../../../lib/api';
import { apiFor, backTo, readForm, returnPage, text } from '../../../../lib/forms';
import { correctionValue } from '../../../../lib/profile';

/**
 * Corrects a fact; it becomes "you told us". An id that is not the customer's own makes the API
 * answer 404, which the middleware turns into the not-found page — never someone else's data.
 * Offered on "What we know" and on "For you" (after a wrong reason); `back` says which. The field
 * holds the value as the person reads it ("To lower my stress"); the API stores an answer
 * option's label as its value (`reduce_stress`) and any other text as written.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const page = returnPage(form);
  const value = text(form, 'value');
  if (!value) return backTo(context, page, 'value-required', page === 'for-you' ? { correct: context.params.id! } : {});
  const api = apiFor(context);
  const id = context.params.id!;
  ok(await api.PATCH('/v1/me/facts/{id}', { params: { path: { id } }, body: { value: await correctionValue(api, id, value, context.locals.locale) } }));
  return backTo(context, page, 'updated');
};

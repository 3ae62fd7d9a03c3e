import type { APIRoute } from 'astro';
import { apiFor, backTo, readForm, text } from '../../../../../lib/forms';
import { sendFeedback } from '../../../../../lib/recommendations';

/**
 * "That's not right": either the suggestion is not for them (hidden for good), or one of its
 * reasons is wrong — that fact is set aside at once and the page opens its correction form.
 * A fact id that is not the customer's makes the API answer 404 → the not-found page.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const sku = context.params.sku!;
  const choice = text(form, 'feedback');
  if (choice === 'not-relevant') {
    await sendFeedback(apiFor(context), sku, 'not_relevant');
    return backTo(context, 'for-you', 'hidden');
  }
  const factId = /^wrong:([0-9a-f-]{36})$/i.exec(choice)?.[1];
  if (!factId) return backTo(context, 'for-you', 'pick-one');
  await sendFeedback(apiFor(context), sku, 'wrong_reason', factId);
  return context.redirect(`/${context.params.brand}/for-you?correct=${factId}#correct`, 303);
};

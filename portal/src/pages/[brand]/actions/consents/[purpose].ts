import type { APIRoute } from 'astro';
import { setConsent } from '../../../../lib/consents';
import { apiFor, backTo, readForm, returnPage } from '../../../../lib/forms';

/** Grants or withdraws one purpose (objects, or takes an objection back): one click, one ledger event (source "portal"). */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const purpose = context.params.purpose!;
  const granted = form.get('granted') === 'true';
  await setConsent(apiFor(context), purpose, granted);
  // "For you" offers to turn personalisation back on; the customer stays there to see the result.
  if (returnPage(form) === 'for-you') return backTo(context, 'for-you', granted ? 'granted' : undefined);
  // An objection to a legitimate-interest purpose is the same ledger decision, in other words.
  if (form.get('kind') === 'objection') return backTo(context, 'consents', granted ? 'unobjected' : 'objected', { purpose });
  return backTo(context, 'consents', granted ? 'granted' : 'withdrawn', { purpose });
};

import type { APIRoute } from 'astro';
import { isFactUse, setFactUse } from '../../../../lib/fact-use';
import { apiFor, backTo, readForm, text } from '../../../../lib/forms';

/** The pages that offer the switch; anything else goes back to My data. */
const BACK = new Set(['my-data', 'for-you']);

/** "Use only what I told you" or "also what you observed or inferred", for one purpose: one click. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const purpose = context.params.purpose!;
  const back = BACK.has(text(form, 'back')) ? text(form, 'back') : 'my-data';
  const use = text(form, 'use');
  // The buttons send one of the two; anything else changes nothing.
  if (!isFactUse(use)) return backTo(context, back);
  await setFactUse(apiFor(context), purpose, use);
  return backTo(context, back, use === 'all' ? 'use-all' : 'use-declared', { purpose });
};

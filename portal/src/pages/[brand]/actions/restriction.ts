import type { APIRoute } from 'astro';
import { askRestriction } from '../../../lib/consents';
import { apiFor, backTo, readForm } from '../../../lib/forms';
import { ApiProblem } from '../../../lib/api';

/** Files a restriction of processing for the brand's staff, with what the customer wrote. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const details = String(form.get('details') ?? '').trim();
  if (details.length > 2000 || details.includes('\u0000')) return backTo(context, 'consents', 'restriction-invalid');
  try {
    await askRestriction(apiFor(context), details);
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 422) return backTo(context, 'consents', 'restriction-invalid');
    throw error;
  }
  return backTo(context, 'consents', 'restriction-asked');
};

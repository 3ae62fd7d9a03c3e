import type { APIRoute } from 'astro';
import { apiFor, backTo, readForm, text } from '../../../lib/forms';
import { preferencesFromForm, savePreferences } from '../../../lib/preferences';

/**
 * Saves preferences with the version the form was drawn from (If-Match). When they changed in the
 * meantime the API refuses (412) and the page explains it, showing the current values.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const body = preferencesFromForm(form);
  if (typeof body === 'string') return backTo(context, 'preferences', body);
  const outcome = await savePreferences(apiFor(context), text(form, 'etag'), body);
  return backTo(context, 'preferences', outcome);
};

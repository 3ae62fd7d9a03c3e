import type { APIRoute } from 'astro';
import { readForm, text } from '../../../../lib/forms';
import { staffApi } from '../../../../lib/api';
import { CONSOLE_CHANNELS, JURISDICTIONS, REQUEST_TYPES, fileRequest, receivedAtOf, type ConsoleChannel, type Jurisdiction, type RequestType } from '../../../../lib/staff';

/** Files a privacy request for a customer; its page opens with the deadline running. */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const base = `/${context.params.brand}/admin`;
  const type = text(form, 'type') as RequestType;
  const jurisdiction = text(form, 'jurisdiction') as Jurisdiction;
  const subjectId = text(form, 'subjectId');
  if (!REQUEST_TYPES.includes(type) || !JURISDICTIONS.includes(jurisdiction) || !/^[0-9a-f-]{36}$/i.test(subjectId)) {
    return context.redirect(`${base}/requests/new`, 303);
  }
  const channel = text(form, 'channel') as ConsoleChannel;
  const receivedAt = receivedAtOf(text(form, 'receivedOn'));
  if (!CONSOLE_CHANNELS.includes(channel) || receivedAt === null) return context.redirect(`${base}/requests/new?notice=received-invalid`, 303);
  const request = await fileRequest(staffApi(context.locals.staff!), subjectId, type, jurisdiction, { channel, ...(receivedAt ? { receivedAt } : {}) });
  if (!request) return context.redirect(`${base}/requests/new?notice=received-invalid`, 303);
  return context.redirect(`${base}/requests/${request.id}?notice=filed`, 303);
};

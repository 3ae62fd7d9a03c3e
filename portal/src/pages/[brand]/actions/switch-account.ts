import type { APIRoute } from 'astro';
import { readForm, text } from '../../../lib/forms';
import { clearPendingSessionCookie, pendingSession, setSessionCookie } from '../../../lib/security';
import { endSession } from '../../../lib/session';

/**
 * The answer to "continue as the person this link is for?": `switch` makes the waiting session the
 * browser's (and ends the old one); `stay` ends the waiting session and keeps the old one.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const brand = context.params.brand!;
  const pending = pendingSession(context.cookies);
  clearPendingSessionCookie(context.cookies, brand);
  if (!pending) return context.redirect(`/${brand}/`, 303);
  if (text(form, 'choice') === 'switch') {
    await endSession(context.locals.session!);
    setSessionCookie(context.cookies, context.url, brand, pending.token, pending.expiresAt);
  } else {
    await endSession(pending.token);
  }
  return context.redirect(`/${brand}/`, 303);
};

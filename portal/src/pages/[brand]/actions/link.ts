import type { APIRoute } from 'astro';
import { readForm, text } from '../../../lib/forms';
import { clearPendingSessionCookie, setPendingSessionCookie, setSessionCookie } from '../../../lib/security';
import { endSession, exchangeLinkToken, sessionSubject } from '../../../lib/session';

/**
 * "Continue" on the link page: spends the one-time token (only now, with the CSRF token and our own
 * Origin) and signs in. When the browser is already signed in as the same person, the new session
 * simply replaces the old one; when it is signed in as someone else, the new session waits in a
 * short-lived cookie and the person is asked first (switch-account.astro) — never switched silently.
 */
export const POST: APIRoute = async (context) => {
  const form = await readForm(context);
  if (form instanceof Response) return form;
  const brand = context.params.brand!;
  const token = text(form, 'token');
  const session = token.length <= 200 ? await exchangeLinkToken(token) : null;
  // A spent or unknown token, or one issued for another brand, leads to a fresh sign-in.
  if (!session || session.brand !== brand) return context.redirect(`/${brand}/sign-in?notice=link-invalid`, 303);

  const current = context.locals.session ? await sessionSubject(context.locals.session) : null;
  if (current) {
    const incoming = await sessionSubject(session.token);
    if (incoming && incoming.id !== current.id) {
      setPendingSessionCookie(context.cookies, context.url, brand, session.token, session.expiresAt);
      return context.redirect(`/${brand}/switch-account`, 303);
    }
    // The same person: the fresh session replaces the old one, which ends.
    await endSession(context.locals.session!);
  }
  clearPendingSessionCookie(context.cookies, brand);
  setSessionCookie(context.cookies, context.url, brand, session.token, session.expiresAt);
  return context.redirect(`/${brand}/`, 303);
};

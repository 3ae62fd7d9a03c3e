import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/factories';
import { BRAND, checkPage, openLink, startPortalStack, type PortalStack } from '../support/portal-stack';

/**
 * The link page (issue 12, item 8): opening a sign-in link spends nothing; only "Continue" (a
 * same-origin POST with the CSRF token) does, and a link for someone else never replaces the
 * browser's session without asking.
 */
describe('sign-in links ask before they sign in', () => {
  let stack: PortalStack;
  let ingrid: string;
  let anna: string;

  beforeAll(async () => {
    stack = await startPortalStack();
    ingrid = await stack.subjectId('ch-member-1001');
    anna = await stack.subjectId('ch-member-1003');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const tokenOf = (url: string) => url.split('/link/')[1];
  const emailOf = async (subjectId: string): Promise<string> => {
    const res = await stack.api.http.get(`/v1/subjects/${subjectId}`).set(bearer(stack.brandKey));
    expect(res.status).toBe(200);
    return res.body.email;
  };
  /** Whose session the browser holds now (its HttpOnly cookie, asked of the API). */
  const signedInAs = async (context: BrowserContext): Promise<string | null> => {
    const cookie = (await context.cookies()).find((c) => c.name === 'candor_session');
    if (!cookie) return null;
    const me = await stack.api.http.get('/v1/me').set(bearer(cookie.value));
    return me.status === 200 ? me.body.subject.id : null;
  };
  const sessionToken = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === 'candor_session')?.value;
  const continueButton = (page: Page) => page.locator('form[action$="/actions/link"] button[type="submit"]');

  it('does not spend the token on GET, however often the link is fetched', async () => {
    const link = await stack.portalLink(ingrid);
    const context = await stack.newContext();
    const page = await context.newPage();
    // A mail scanner's fetches, then the person's own visit.
    for (let i = 0; i < 2; i++) expect((await context.request.get(link, { maxRedirects: 0 })).status()).toBe(200);
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Continue signing in');
    expect(await signedInAs(context)).toBeNull();
    await continueButton(page).click();
    await page.waitForURL(`${stack.portalUrl}/${BRAND}/`);
    expect(await signedInAs(context)).toBe(ingrid);
    // Spent now: in another browser, Continue goes to sign-in with "expired or already used".
    const other = await stack.newContext();
    const again = await other.newPage();
    await again.goto(link);
    await continueButton(again).click();
    await again.waitForURL(/notice=link-invalid/);
    expect(await again.locator('.notice').textContent()).toContain('This sign-in link has expired or was already used.');
    await other.close();
    await context.close();
  });

  it('refuses a POST without the CSRF token, and one from another site, and spends nothing', async () => {
    const link = await stack.portalLink(ingrid);
    const context = await stack.newContext();
    const page = await context.newPage();
    await page.goto(link);
    const csrf = await page.locator('input[name="_csrf"]').getAttribute('value');
    expect(csrf).toBeTruthy();
    const action = `${stack.portalUrl}/${BRAND}/actions/link`;

    const withoutToken = await context.request.post(action, { form: { token: tokenOf(link) }, headers: { origin: stack.portalUrl }, maxRedirects: 0 });
    expect(withoutToken.status()).toBe(403);
    expect(await withoutToken.text()).toContain('That form could not be accepted');
    const wrongToken = await context.request.post(action, { form: { token: tokenOf(link), _csrf: `${csrf}x` }, headers: { origin: stack.portalUrl }, maxRedirects: 0 });
    expect(wrongToken.status()).toBe(403);
    const crossSite = await context.request.post(action, { form: { token: tokenOf(link), _csrf: csrf! }, headers: { origin: 'https://attacker.example' }, maxRedirects: 0 });
    expect(crossSite.status()).toBe(403);
    expect(await signedInAs(context)).toBeNull();

    // None of them spent the token: the person's own Continue still signs in.
    await continueButton(page).click();
    await page.waitForURL(`${stack.portalUrl}/${BRAND}/`);
    expect(await signedInAs(context)).toBe(ingrid);
    await context.close();
  });

  it('never switches a signed-in person to another account without asking', async () => {
    const [ingridEmail, annaEmail] = await Promise.all([emailOf(ingrid), emailOf(anna)]);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(ingrid));
    const ingridSession = await sessionToken(context);
    expect(await signedInAs(context)).toBe(ingrid);

    // Anna's link, opened in Ingrid's browser: the page says who is signed in and who the link is for.
    await page.goto(await stack.portalLink(anna));
    await continueButton(page).click();
    await page.waitForURL(`${stack.portalUrl}/${BRAND}/switch-account`);
    expect(await page.locator('h1').textContent()).toBe('You are already signed in');
    expect(await page.locator('.lede').textContent()).toBe(`You are signed in as ${ingridEmail}. This link is for ${annaEmail}.`);
    expect(await page.getByText('Continue as the person this link is for?').count()).toBe(1);
    // Still Ingrid until she answers.
    expect(await signedInAs(context)).toBe(ingrid);
    const pending = (await context.cookies()).find((c) => c.name === 'candor_pending')!;
    expect(pending.httpOnly).toBe(true);
    expect(pending.sameSite).toBe('Strict');

    // "Stay": Ingrid stays, and the session the link opened is ended.
    await page.getByRole('button', { name: `Stay signed in as ${ingridEmail}` }).click();
    await page.waitForURL(`${stack.portalUrl}/${BRAND}/`);
    expect(await signedInAs(context)).toBe(ingrid);
    expect(await sessionToken(context)).toBe(ingridSession);
    const pendingToken = pending.value.split(' ')[0];
    expect((await stack.api.http.get('/v1/me').set(bearer(pendingToken))).status).toBe(401);
    expect((await context.cookies()).find((c) => c.name === 'candor_pending')).toBeUndefined();

    // Another of Anna's links, and this time "continue as the person this link is for".
    await page.goto(await stack.portalLink(anna));
    await continueButton(page).click();
    await page.waitForURL(/switch-account$/);
    await page.getByRole('button', { name: 'Continue as the person this link is for' }).click();
    await page.waitForURL(`${stack.portalUrl}/${BRAND}/`);
    expect(await signedInAs(context)).toBe(anna);
    // Ingrid's session ended with the switch.
    expect((await stack.api.http.get('/v1/me').set(bearer(ingridSession!))).status).toBe(401);

    // The same person's own link: no question, just a fresh session.
    const annaSession = await sessionToken(context);
    await page.goto(await stack.portalLink(anna));
    await continueButton(page).click();
    await page.waitForURL(`${stack.portalUrl}/${BRAND}/`);
    expect(await signedInAs(context)).toBe(anna);
    expect(await sessionToken(context)).not.toBe(annaSession);
    await context.close();
  });

  for (const [locale, lang, headings] of [
    ['en-GB', 'en', { link: 'Continue signing in', switch: 'You are already signed in' }],
    ['nb-NO', 'nb', { link: 'Fortsett innloggingen', switch: 'Du er allerede logget inn' }],
    ['pl-PL', 'pl', { link: 'Kontynuuj logowanie', switch: 'Jesteś już zalogowany(-a)' }],
  ] as const) {
    it(`shows the link page and the switch question accessibly in ${lang}`, async () => {
      for (const width of [375, 1280]) {
        const context = await stack.newContext({ locale, viewport: { width, height: width < 600 ? 812 : 900 } });
        const page = await context.newPage();
        await page.goto(await stack.portalLink(ingrid));
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        await checkPage(page, `link-${lang}`, headings.link);
        await continueButton(page).click();
        await page.waitForURL(`${stack.portalUrl}/${BRAND}/`);
        await page.goto(await stack.portalLink(anna));
        await continueButton(page).click();
        await page.waitForURL(/switch-account$/);
        await checkPage(page, `switch-account-${lang}`, headings.switch);
        await context.close();
      }
    });
  }
});

import { join, relative } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFor } from '../../portal/src/lib/security';
import { bearer } from '../support/factories';
import { BRAND, checkPage, openLink, startPortalStack, type PortalStack } from '../support/portal-stack';
import { BRAND_PAGES, portalRoutes } from '../support/portal-routes';

/**
 * When the API limits a visitor (issue 12, item 5), the portal says "try again in N minutes" in the
 * visitor's language — on every route that calls the API, never a 500.
 */

const LIMIT = 60;
const PAGES = BRAND_PAGES;
/** A brand the portal has not looked up yet (so even its brand lookup meets the limit). */
const UNCACHED_BRAND = 'kitchen-atelier';

describe('limited by the API: a page that says when to come back', () => {
  let stack: PortalStack;
  let ingrid: string;

  beforeAll(async () => {
    stack = await startPortalStack({ env: { CANDOR_RATE_LIMIT: String(LIMIT), CANDOR_RATE_LIMIT_WINDOW_S: '600' } });
    ingrid = await stack.subjectId('ch-member-1001');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const email = 'ingrid.solberg@example.com';
  /** Asks for a sign-in link through the form; the page it ends on and the form POST's status. */
  async function signInRequest(context: BrowserContext, address: string) {
    const page = await context.newPage();
    await page.goto(`/${BRAND}/sign-in`);
    await page.locator('#email').fill(address);
    const [posted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/actions/sign-in')),
      page.locator('form[action$="/actions/sign-in"] button[type="submit"]').click(),
    ]);
    await page.waitForLoadState('load');
    return Object.assign(page, { status: posted.status() });
  }

  // First, while the visitor's requests are not yet spent by the tests below (which exhaust them
  // for the whole window): its sign-in page must load, whatever the portal's brand cache holds.
  it('answers a 120 KB sign-in post at once with "too long", before any pattern runs', async () => {
    const context = await stack.newContext();
    const page = await context.newPage();
    await page.goto(`/${BRAND}/sign-in`);
    const csrf = await page.locator('input[name="_csrf"]').getAttribute('value');
    // The shape that made the old email pattern backtrack quadratically (11.7 s for 120 KB).
    const email = `a@${'a.'.repeat(60 * 1024)}@`;
    expect(email.length).toBeGreaterThan(120 * 1024);
    const res = await context.request.post(`${stack.portalUrl}/${BRAND}/actions/sign-in`, {
      form: { _csrf: csrf!, email },
      headers: { origin: stack.portalUrl },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(303);
    expect(res.headers()['location']).toBe(`/${BRAND}/sign-in?notice=email-too-long`);
    await page.goto(res.headers()['location']);
    expect(await page.locator('.notice').textContent()).toBe('That is too long for an email address: an email address has at most 254 characters.');
    await context.close();
  });

  it('a victim whose address was sent the most links still sees "check your email", never a limit page (no lock-out)', async () => {
    const context = await stack.newContext();
    // Someone else asks for links for Ingrid: the per-email limit (5 by default) and past it…
    for (let i = 0; i < 7; i++) {
      const page = await signInRequest(context, email);
      expect(page.status, `request ${i + 1}`).toBe(303);
      expect(await page.locator('h1').textContent()).toBe('Check your email');
      await page.close();
    }
    await context.close();
    // …and Ingrid herself, in her own language, sees the ordinary answer (the links sent are in her inbox).
    for (const [locale, heading] of [
      ['en-GB', 'Check your email'],
      ['nb-NO', 'Sjekk e-posten din'],
    ] as const) {
      const own = await stack.newContext({ locale });
      const page = await signInRequest(own, email);
      expect(page.status).toBe(303);
      expect(await page.locator('h1').textContent()).toBe(heading);
      await own.close();
    }
  });

  it('answers every route that calls the API with the limited page (429, Retry-After), never a 500', async () => {
    const routes = portalRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(ingrid));
    const session = (await context.cookies()).find((c) => c.name === 'candor_session')!.value;

    // Spend the signed-in customer's bucket and the visitor address's bucket (as the portal
    // forwards it, with its secret), as a flood would.
    for (let i = 0; i < LIMIT; i++) await stack.api.http.get('/v1/me').set(bearer(session));
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '::1']) {
      const forwarded = { 'X-Candor-Portal-Secret': stack.portalSecret, 'X-Candor-Client-Address': address };
      for (let i = 0; i < LIMIT; i++) await stack.api.http.get(`/v1/brands/by-slug/${BRAND}`).set(forwarded);
    }
    expect((await stack.api.http.get('/v1/me').set(bearer(session))).status).toBe(429);

    // A flood from one visitor address is still limited (429), with a page in the visitor's language.
    for (const [locale, lang, heading, body] of [
      ['en-GB', 'en', 'Please wait a little', /^There have been too many attempts in a short time\. Try again in \d+ minutes?\.$/],
      ['nb-NO', 'nb', 'Vent litt', /^Det har vært for mange forsøk på kort tid\. Prøv igjen om \d+ minutt(er)?\.$/],
      ['da-DK', 'da', 'Vent lidt', /^Der har været for mange forsøg på kort tid\. Prøv igen om \d+ minut(ter)?\.$/],
      ['pl-PL', 'pl', 'Poczekaj chwilę', /^W krótkim czasie było zbyt wiele prób\. Spróbuj ponownie za \d+ minut[^.]*\.$/],
      ['hu-HU', 'hu', 'Kérjük, várj egy kicsit', /^Rövid idő alatt túl sok próbálkozás történt\. Próbáld újra \d+ perc múlva\.$/],
    ] as const) {
      const localised = await stack.newContext({ locale });
      const limitedPage = await signInRequest(localised, 'marek.nowak@example.com');
      expect(limitedPage.status).toBe(429);
      expect(await limitedPage.locator('html').getAttribute('lang')).toBe(lang);
      expect(await limitedPage.locator('.lede').textContent()).toMatch(body);
      await checkPage(limitedPage, `too-many-requests-${lang}`, heading);
      await localised.close();
    }

    const answers: string[] = [];
    let limited = 0;
    for (const brand of [BRAND, UNCACHED_BRAND]) {
      for (const route of routes) {
        const url = `${stack.portalUrl}/${brand}/${route.path}`;
        const csrf = csrfTokenFor(brand === BRAND && !route.path.startsWith('admin') ? session : 'no-credential-here-0000000000000000');
        const res =
          route.method === 'GET'
            ? await context.request.get(url, { maxRedirects: 0 })
            : await context.request.post(url, {
                form: { _csrf: csrf, email, token: 'cpl_not_a_real_token', value: 'calm', choice: 'stay', confirm: 'yes', reason: 'x', note: 'x', days: '30', subjectId: ingrid, type: 'access', jurisdiction: 'gdpr' },
                headers: { origin: stack.portalUrl },
                maxRedirects: 0,
              });
        const label = `${route.method} /${brand}/${route.path} (${relative(PAGES, join(PAGES, route.file))})`;
        answers.push(`${label} → ${res.status()}`);
        expect(res.status(), label).not.toBe(500);
        if (res.status() === 429) {
          limited++;
          expect(res.headers()['retry-after'], label).toMatch(/^\d+$/);
          expect(await res.text(), label).toContain('Please wait a little');
        }
        // The brand the portal has not looked up yet: the lookup itself is limited, on every route.
        if (brand === UNCACHED_BRAND) expect(res.status(), label).toBe(429);
      }
    }
    // Every signed-in page of the cached brand that loads the customer's data was limited too.
    for (const page of ['', 'consents', 'preferences', 'questions', 'activity', 'for-you', 'my-data/readable', 'my-data/forget']) {
      expect(answers, page).toContain(`GET /${BRAND}/${page} (${routes.find((r) => r.method === 'GET' && r.path === page)!.file}) → 429`);
    }
    expect(limited).toBeGreaterThan(routes.length);
    console.log(`portal under limits: ${answers.length} route calls, ${limited} answered with the limited page, none 500`);
    await context.close();
  });

});

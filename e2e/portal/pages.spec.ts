// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/factories';
import { BRAND, expectAccessible, expectReflows, screenshot, startPortalStack, openLink, type PortalStack } from '../support/portal-stack';

/**
 * Every page at a phone width and a desktop width: axe-core finds no WCAG 2.2 A/AA violation, and
 * a full-page screenshot goes to e2e/.artifacts/portal/ (docs/portal.md shows a copy of them).
 */
describe('portal pages', () => {
  let stack: PortalStack;
  let ingrid: string;

  beforeAll(async () => {
    stack = await startPortalStack();
    ingrid = await stack.subjectId('ch-member-1001');
    // Something to show in Activity: the brand reads her profile for personalisation.
    const read = await stack.api.http.get(`/v1/subjects/${ingrid}/profile`).query({ purpose: 'personalization' }).set(bearer(stack.brandKey));
    expect(read.status, JSON.stringify(read.body)).toBe(200);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('serves the Global Privacy Control support resource on the origin customers visit', async () => {
    const res = await fetch(`${stack.portalUrl}/.well-known/gpc.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ gpc: true, lastUpdate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  for (const width of [375, 1280]) {
    it(`has no axe violations at ${width} px, signed out and signed in`, async () => {
      const context = await stack.newContext({ viewport: { width, height: width < 600 ? 812 : 900 } });
      const page = await context.newPage();

      const check = async (name: string, heading: string) => {
        expect(await page.locator('h1').textContent()).toBe(heading);
        // Nothing may scroll sideways (WCAG 1.4.10; every page in every language at 320 px: reflow.spec.ts).
        await expectReflows(page, name);
        await expectAccessible(page, `${name} at ${width} px`);
        await screenshot(page, name);
      };

      await page.goto(`/${BRAND}/sign-in`);
      await check('sign-in', 'Sign in');
      await page.getByLabel('Email address').fill('ingrid.solberg@example.com');
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.waitForURL(/sent=1/);
      await check('check-email', 'Check your email');

      await openLink(page, await stack.portalLink(ingrid));
      await check('home', 'What we know about you');
      await page.goto(`/${BRAND}/consents`);
      await check('consents', 'Consents');
      await page.goto(`/${BRAND}/preferences`);
      await check('preferences', 'Preferences');
      await page.goto(`/${BRAND}/questions`);
      await check('questions', 'Tell us more');
      await page.goto(`/${BRAND}/activity`);
      await check('activity', 'Activity');
      const missing = await page.goto(`/${BRAND}/consents/receipts/00000000-0000-4000-8000-000000000000`);
      expect(missing?.status()).toBe(404);
      await check('not-found', 'We could not find that');

      // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
      await page.goto(`/${BRAND}/`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      await context.close();
    });
  }
});

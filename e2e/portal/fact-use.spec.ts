// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALES, messagesFor } from '../../portal/src/lib/i18n';
import { bearer } from '../support/factories';
import { BRAND, checkPage, openLink, startPortalStack, type PortalStack } from '../support/portal-stack';

/**
 * "Use only what I told you" (issue 13, item 5), through Debian's Chromium against the built
 * portal and the real API: what For you says it uses is what it uses, and one click changes both.
 */
describe('portal: what each purpose may use', () => {
  let stack: PortalStack;

  beforeAll(async () => {
    stack = await startPortalStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  const notice = (page: Page) => page.locator('.notice');
  const card = (page: Page, sku: string) => page.locator(`li.suggestion[data-sku="${sku}"]`);
  /** The provenance badges of a suggestion's reasons, as the page shows them. */
  const badges = (page: Page, sku: string) => card(page, sku).locator('.reasons .badge').allTextContents();
  const provenances = async (session: string) => {
    const res = await stack.api.http.get('/v1/me/recommendations').set(bearer(session));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.data as Array<{ sku: string; explanation: { because: Array<{ provenance: string }> } }>).flatMap((r) => r.explanation.because.map((b) => b.provenance));
  };

  it('For you says what it uses; "also what you observed or inferred" and "use only what I told you" change it in one click', async () => {
    const ingrid = await stack.subjectId('ch-member-1001');
    const session = await stack.customerSession(ingrid);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(ingrid));

    // Personalisation rests on her consent: it uses only what she told, and says so.
    await page.getByRole('link', { name: 'For you' }).click();
    expect(await page.locator('.lede').textContent()).toBe('Suggestions from Calm Harbor, based only on what you told us. Each one says why. If a reason is wrong, tell us: it stops counting at once.');
    const use = page.locator('#fact-use');
    expect(await use.getAttribute('data-use')).toBe('declared-only');
    expect(await use.textContent()).toContain('Only what you told us.');
    expect(await use.textContent()).toContain('The standard setting: you have not chosen.');
    await card(page, 'sleep-stories').locator('details.why > summary').click();
    expect(await badges(page, 'sleep-stories')).toEqual(['You told us']);
    // Her observed practice time and inferred interest are on "What we know", used for nothing.
    expect(new Set(await provenances(session))).toEqual(new Set(['declared']));
    await checkPage(page, 'for-you-declared-only', 'For you');

    // One click: also what they observed or inferred.
    await use.getByRole('button', { name: 'Also use what you observed or inferred' }).click();
    await page.waitForURL(/[?&]notice=use-all/);
    await expect.poll(() => notice(page).textContent()).toContain('Saved. “Recommendations based on what you tell us” may now also use what we observed or inferred');
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/for-you`);
    expect(await page.locator('.lede').textContent()).toContain('based on what you told us and on what we observed or inferred');
    expect(await page.locator('#fact-use').getAttribute('data-use')).toBe('all');
    expect(await page.locator('#fact-use').textContent()).toMatch(/You chose this on \d+ \w+ \d{4}\./);
    await card(page, 'sleep-stories').locator('details.why > summary').click();
    expect((await badges(page, 'sleep-stories')).sort()).toEqual(['We inferred', 'You told us']);
    await card(page, 'evening-wind-down').locator('details.why > summary').click();
    expect((await badges(page, 'evening-wind-down')).sort()).toEqual(['We observed', 'You told us']);
    expect(new Set(await provenances(session))).toEqual(new Set(['declared', 'observed', 'inferred']));
    const me = await stack.api.http.get('/v1/me').set(bearer(session));
    expect(me.body.factUse.find((u: { purpose: string }) => u.purpose === 'personalization')).toMatchObject({ use: 'all', chosen: true });
    // The brand sees her choice when it reads her profile for personalisation.
    const profile = await stack.api.http.get(`/v1/subjects/${ingrid}/profile`).query({ purpose: 'personalization' }).set(bearer(stack.brandKey));
    expect(profile.body.factUse).toMatchObject({ purpose: 'personalization', use: 'all', chosen: true });
    await checkPage(page, 'for-you-all', 'For you');

    // On My data, every purpose with its setting; "use only what I told you" for personalisation.
    await page.getByRole('link', { name: 'My data' }).click();
    const row = page.locator('.fact-use[data-purpose="personalization"]');
    expect(await row.getAttribute('data-use')).toBe('all');
    expect(await page.locator('.fact-use[data-purpose="email_marketing"]').getAttribute('data-use')).toBe('declared-only');
    await checkPage(page, 'my-data-fact-use', 'My data');
    await row.getByRole('button', { name: /^Use only what I told you/ }).click();
    await page.waitForURL(/[?&]notice=use-declared/);
    await expect.poll(() => notice(page).textContent()).toContain('Saved. “Recommendations based on what you tell us” now uses only what you told us.');
    expect(await page.locator('.fact-use[data-purpose="personalization"]').getAttribute('data-use')).toBe('declared-only');

    // For you follows at once: only her own words again.
    await page.getByRole('link', { name: 'For you' }).click();
    expect(await page.locator('.lede').textContent()).toContain('based only on what you told us');
    await card(page, 'evening-wind-down').locator('details.why > summary').click();
    expect(await badges(page, 'evening-wind-down')).toEqual(['You told us']);
    expect(new Set(await provenances(session))).toEqual(new Set(['declared']));
    // "What we know" says what uses her observed practice time: nothing.
    await page.getByRole('link', { name: 'What we know' }).click();
    const evening = page.locator('li.fact', { has: page.locator('.fact-value', { hasText: /^In the evening$/ }) });
    expect(await evening.locator('.meta').textContent()).toContain('Not used for anything right now');

    // Consents says it too; Activity shows her latest choice.
    await page.getByRole('link', { name: 'Consents' }).click();
    expect(await page.locator('li[data-purpose="personalization"] .fact-use-line').textContent()).toContain('Only what you told us');
    await page.getByRole('link', { name: 'Activity' }).click();
    const choice = page.locator('.choices-log li[data-purpose="personalization"]');
    expect(await choice.getAttribute('data-use')).toBe('declared-only');
    expect(await choice.textContent()).toContain('Recommendations based on what you tell us');
    await checkPage(page, 'activity-fact-use', 'Activity');
    // Her copy of her data holds it too.
    await page.goto(`/${BRAND}/my-data/readable`);
    expect(await page.locator('section[aria-labelledby="choices-title"]').textContent()).toContain('Recommendations based on what you tell us: Only what you told us');
    await context.close();
  });

  it('says it in every language', async () => {
    const marek = await stack.subjectId('ch-member-1002');
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(marek));
    for (const locale of LOCALES) {
      const t = messagesFor(locale);
      await page.goto(`/${BRAND}/for-you?lang=${locale}`);
      expect(await page.locator('.lede').textContent(), locale).toBe(t.forYou.introDeclared('Calm Harbor'));
      expect(await page.locator('#fact-use button').textContent(), locale).toBe(t.factUse.useAll);
      await page.goto(`/${BRAND}/my-data?lang=${locale}`);
      expect(await page.locator('#fact-use h2').textContent(), locale).toBe(t.factUse.title);
      expect(await page.locator('.fact-use[data-purpose="personalization"] .status').textContent(), locale).toBe(t.factUse.declared);
    }
    await context.close();
  });
});

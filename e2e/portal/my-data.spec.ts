// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/factories';
import { LOCALES, messagesFor } from '../../portal/src/lib/i18n';
import { BRAND, checkPage, startPortalStack, openLink, type PortalStack } from '../support/portal-stack';

/** English words of Candor's own copy that must not survive in a translated page ("version" is Danish too). */
const ENGLISH = /\b(the|your|you|with|until|after|days|collected|consent|withdraw|erase|notice|none|nothing|who|what|why|when|which|allowed|proof|entry|ledger|rights|agreed|withdrew|received|due|shared|language|phone|customer|number|zone|kept|how|long|we|our|this|that|from|and|or|of)\b/gi;

/** "My data" (issue 5): download everything as JSON and as a page; "Forget me" with a real confirmation. */
describe('portal: my data', () => {
  let stack: PortalStack;

  beforeAll(async () => {
    stack = await startPortalStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('downloads the data as JSON and as a readable page', async () => {
    const ingrid = await stack.subjectId('ch-member-1001');
    const session = await stack.customerSession(ingrid);
    const context = await stack.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(ingrid));
    await page.getByRole('link', { name: 'My data' }).click();
    await checkPage(page, 'my-data', 'My data');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download (JSON)' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${BRAND}-my-data-\\d{4}-\\d{2}-\\d{2}\\.json$`));
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    const me = await stack.api.http.get('/v1/me').set(bearer(session));
    expect(exported.subject).toMatchObject({ id: ingrid, email: 'ingrid.solberg@example.com' });
    expect(exported.facts.map((f: { key: string; value: string }) => `${f.key}=${f.value}`).sort()).toEqual(
      me.body.facts.map((f: { key: string; value: string }) => `${f.key}=${f.value}`).sort(),
    );
    expect(exported.facts).toContainEqual(expect.objectContaining({ key: 'motivation', value: 'sleep_better', provenance: 'declared', source: 'welcome_question' }));
    expect(exported.consents.history.length).toBeGreaterThan(0);

    await page.getByRole('link', { name: 'Read it on a page' }).click();
    const main = page.locator('main');
    expect(await main.textContent()).toContain('ingrid.solberg@example.com');
    // Keys, values and sources in the brand's words (the export's dictionary), not codes.
    expect(await main.textContent()).toContain('Motivation: To sleep better');
    expect(await main.textContent()).toContain('the welcome question');
    expect(await main.textContent()).not.toContain('welcome_question');
    expect(await main.textContent()).toContain('Recommendations based on what you tell us');
    // Served by the portal under its own CSP: no inline styles or scripts, nothing from elsewhere.
    expect(await page.locator('style, script, [style]').count()).toBe(0);
    await checkPage(page, 'my-data-readable', 'Everything Calm Harbor holds about you');
    await context.close();
  });

  it('reads the export in each of the five languages: labels, dates and notices in the reader\'s words, hashes folded away', async () => {
    const ingrid = await stack.subjectId('ch-member-1001');
    // A retention period, so the page has a count to say in each language.
    const period = await stack.api.http.put('/v1/purposes/analytics/retention').set(bearer(stack.brandKey)).send({ days: 22 });
    expect(period.status, JSON.stringify(period.body)).toBe(200);
    const exported = (await stack.api.http.get(`/v1/subjects/${ingrid}/export`).set(bearer(stack.brandKey))).body;
    const grant = [...exported.consents.history].reverse().find((e: { granted: boolean; noticeText: unknown }) => e.granted && e.noticeText);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(ingrid));
    for (const locale of LOCALES) {
      const t = messagesFor(locale);
      await page.goto(`/${BRAND}/my-data/readable?lang=${locale}`);
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      const main = page.locator('main');
      const text = (await main.innerText()).replace(/\s+/g, ' ');
      // Labels, not codes: her language and time zone in words, retention as a sentence with its count.
      expect(text).toContain(new Intl.DisplayNames(locale === 'nb' ? 'nb-NO' : locale, { type: 'language' }).of('nb'));
      expect(text).not.toContain('Europe/Oslo');
      expect(text).toContain(t.readable.keptFor(22));
      expect(text).toContain(t.readable.keptUntilWithdrawn);
      expect(text).toContain(t.readable.rights);
      expect(text).toContain(t.readable.fields.timezone);
      // Dates in the reader's way of writing them.
      const collected = new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : locale === 'en' ? 'en-GB' : locale, { dateStyle: 'long', timeZone: 'Europe/Oslo' }).format(new Date(exported.facts[0].collectedAt));
      expect(text).toContain(collected);
      // The notice she agreed to, in the language of the page, the others one click away.
      const notice = page.locator(`.export-notice > .notice-text[lang="${locale}"]`).filter({ hasText: grant.noticeText[locale] });
      expect(await notice.count()).toBeGreaterThan(0);
      expect(await notice.first().isVisible()).toBe(true);
      expect(text).toContain(t.readable.noticeGranted(grant.noticeVersion));
      // Hashes are proof, not reading: folded away until asked for, and the summary shows a short one.
      const hash = page.locator('code.hash', { hasText: grant.hash });
      expect(await hash.isVisible()).toBe(false);
      const proof = page.locator('details', { has: hash });
      await proof.locator('summary').click();
      expect(await hash.isVisible()).toBe(true);
      expect(await proof.locator('summary').textContent()).toBe(t.readable.proof(grant.hash.slice(0, 12)));
      if (locale !== 'en') {
        // No English left in Candor's own words (the brand's words — sources, readers, recipients, fact codes — are the brand's).
        const own = await main.evaluate((root) => {
          const copy = root.cloneNode(true) as HTMLElement;
          copy.querySelectorAll('[data-brand-words], [lang]:not([lang="' + document.documentElement.lang + '"])').forEach((e) => e.remove());
          return copy.textContent ?? '';
        });
        const words = own.replace(/\S+@\S+/g, '').replace(/Calm Harbor/g, '');
        expect(words.match(ENGLISH) ?? [], locale).toEqual([]);
      }
      // The longest words (Polish, Hungarian) must still fit a phone; every language gets the axe.
      if (locale === 'pl' || locale === 'hu') await page.setViewportSize({ width: 375, height: 812 });
      await checkPage(page, `my-data-readable-${locale}`, t.myData.readableTitle('Calm Harbor'));
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await context.close();
  }, 300_000);

  it('forget me: explains, requires an explicit confirmation, erases, signs out and says goodbye', async () => {
    const sam = await stack.subjectId('ch-member-1004');
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(sam));
    await page.goto(`/${BRAND}/my-data`);
    await page.getByRole('link', { name: 'Forget me …' }).click();
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/my-data/forget`);
    const main = page.locator('main');
    expect(await main.textContent()).toContain('This cannot be undone.');
    expect(await main.textContent()).toContain('That includes 3 facts about you.');
    await checkPage(page, 'forget-me', 'Forget me');

    // Without the box ticked the browser refuses, and so does the portal (a browser without form
    // validation, or a crafted post): nothing is erased.
    await page.getByRole('button', { name: 'Erase everything about me' }).click();
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/my-data/forget`);
    const csrf = await page.locator('form[action$="/actions/erasure"] input[name="_csrf"]').inputValue();
    const unconfirmed = await page.request.post(`/${BRAND}/actions/erasure`, { form: { _csrf: csrf }, headers: { origin: stack.portalUrl }, maxRedirects: 0 });
    expect(unconfirmed.status()).toBe(303);
    expect(unconfirmed.headers().location).toBe(`/${BRAND}/my-data/forget?notice=confirm-required`);
    expect((await stack.api.http.get(`/v1/subjects/${sam}`).set(bearer(stack.brandKey))).status).toBe(200);

    await page.getByLabel('I understand that everything about me will be erased and that this cannot be undone.').check();
    await page.getByRole('button', { name: 'Erase everything about me' }).click();
    await page.waitForURL(/\/goodbye\?/);
    expect(await page.locator('h1').textContent()).toBe('You are forgotten');
    const lede = (await page.locator('.lede').textContent())!;
    expect(lede).toMatch(/^Calm Harbor erased everything about you on .+ UTC\. You are signed out\.$/);
    const requestId = await page.locator('[data-request-id]').getAttribute('data-request-id');

    // The erasure request is completed with a certificate whose time the page shows.
    const requests = await stack.api.http.get('/v1/privacy-requests').set(bearer(stack.brandKey));
    const erasure = requests.body.data.find((r: { id: string }) => r.id === requestId);
    expect(erasure).toMatchObject({ subjectId: sam, type: 'erasure', channel: 'portal', status: 'completed' });
    const certified = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(erasure.completedAt));
    expect(lede).toContain(certified);

    // Gone: the brand gets 410 for the subject; the customer is signed out everywhere.
    expect((await stack.api.http.get(`/v1/subjects/${sam}`).set(bearer(stack.brandKey))).status).toBe(410);
    expect((await context.cookies()).find((c) => c.name === 'candor_session')).toBeUndefined();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await checkPage(page, 'goodbye', 'You are forgotten');
    await page.goto(`/${BRAND}/`);
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/sign-in`);
    await context.close();
  });

  it('my data pages at phone width', async () => {
    const anna = await stack.subjectId('ch-member-1003');
    const context = await stack.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(anna));
    await page.goto(`/${BRAND}/my-data`);
    await checkPage(page, 'my-data', 'My data');
    await page.goto(`/${BRAND}/my-data/readable`);
    await checkPage(page, 'my-data-readable', 'Everything Calm Harbor holds about you');
    await page.goto(`/${BRAND}/my-data/forget`);
    await checkPage(page, 'forget-me', 'Forget me');
    await page.goto(`/${BRAND}/goodbye?ref=00000000-0000-4000-8000-000000000000&at=2026-03-02T10:02:00.000Z`);
    await checkPage(page, 'goodbye', 'You are forgotten');
    await context.close();
  });
});

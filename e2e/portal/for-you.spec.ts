// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { bearer } from '../support/factories';
import { BRAND, apiState, checkPage, startPortalStack, openLink, type PortalStack } from '../support/portal-stack';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * "For you" (issue 6) and the propagation receipts in Activity (issue 5), through Debian's
 * Chromium against the built portal and the real API; after each step the API is asked too.
 */
describe('portal: for you', () => {
  let stack: PortalStack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    // The receiver's /crm path never confirms, so a pending delivery shows as it is.
    receiver.respond = (hook) => (hook.path === '/crm' ? 503 : 200);
    stack = await startPortalStack({
      env: { CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_WEBHOOK_RETRY_BASE_MS: '60000' },
    });
    for (const [name, path] of [['Newsletter service', '/newsletter'], ['CRM', '/crm']]) {
      const res = await stack.api.http.post('/v1/webhooks').set(bearer(stack.brandKey)).send({ url: receiver.url(path), events: ['consent.changed'], name });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.stop();
  });

  const card = (page: Page, sku: string) => page.locator(`li.suggestion[data-sku="${sku}"]`);
  const notice = (page: Page) => page.locator('.notice');
  const recommendations = async (session: string, locale?: string) => {
    const res = await stack.api.http.get('/v1/me/recommendations').query(locale ? { locale } : {}).set(bearer(session));
    return res;
  };
  /** What a card shows before anything is opened: the card without its disclosures. */
  const mainView = (page: Page, sku: string) =>
    card(page, sku).evaluate((li) => {
      const copy = li.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('details').forEach((d) => d.remove());
      return copy.textContent ?? '';
    });

  it('journey: see a suggestion → why → the reason is wrong → correct it → suggestions change', async () => {
    const ingrid = await stack.subjectId('ch-member-1001');
    const session = await stack.customerSession(ingrid);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(ingrid));
    await page.getByRole('link', { name: 'For you' }).click();
    expect(await page.locator('h1').textContent()).toBe('For you');

    // "Sleep stories" is there, with the API's own explanation in the page's language (her stored
    // language is Norwegian, but she reads the English page).
    const sleep = card(page, 'sleep-stories');
    expect(await sleep.locator('h2').textContent()).toBe('Sleep stories: the lighthouse keeper');
    expect(await sleep.locator('.because').getAttribute('lang')).toBe('en');
    const before = (await recommendations(session, 'en')).body.data as Array<{ sku: string; explanation: { text: string; because: Array<{ factId: string; key: string; value: string }> } }>;
    const explained = before.find((r) => r.sku === 'sleep-stories')!;
    expect(await sleep.locator('.because').textContent()).toBe(explained.explanation.text);

    // "Why this?" opens the facts it used, in words, with where they came from.
    expect(await sleep.locator('.why-body').isVisible()).toBe(false);
    await sleep.locator('details.why > summary').click();
    const why = sleep.locator('.why-body');
    expect(await why.isVisible()).toBe(true);
    const motivation = explained.explanation.because.find((b) => b.key === 'motivation' && b.value === 'sleep_better')!;
    const reason = why.locator(`li[data-fact-id="${motivation.factId}"]`);
    expect(await reason.textContent()).toContain('To sleep better');
    expect(await reason.locator('.badge').textContent()).toBe('You told us');
    expect(await reason.textContent()).toContain('welcome question');
    expect(await why.textContent()).toContain('Allowed by your consent to “Recommendations based on what you tell us”.');
    await checkPage(page, 'for-you', 'For you');

    // "That's not right" → this reason is not true about me → it is set aside at once.
    await sleep.locator('details.not-right summary').click();
    await sleep.getByLabel('“Motivation: To sleep better” is not true about me').check();
    await sleep.getByRole('button', { name: /^Tell us/ }).click();
    const correction = page.locator('#correct');
    await expect.poll(() => correction.getAttribute('data-fact-id')).toBe(motivation.factId);
    expect(await correction.textContent()).toContain('We set “Motivation: To sleep better” aside');
    let state = await apiState(stack, session);
    expect(state.facts.find((f) => f.id === motivation.factId)).toMatchObject({ disputed: true });
    // Disputed facts never count: no suggestion cites it any more.
    const disputed = (await recommendations(session)).body.data as typeof before;
    expect(disputed.flatMap((r) => r.explanation.because.map((b) => b.factId))).not.toContain(motivation.factId);
    await checkPage(page, 'for-you-correct', 'For you');

    // Correct it: she meditates to build a habit. It becomes a declared fact; suggestions change.
    await correction.getByLabel('What is right for “Motivation”?').fill('build_habit');
    await correction.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Corrected.');
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/for-you`);
    state = await apiState(stack, session);
    expect(state.facts.find((f) => f.id === motivation.factId)).toMatchObject({ value: 'build_habit', provenance: 'declared', source: 'portal' });
    expect(await card(page, 'habit-streak').count()).toBe(1);
    const after = (await recommendations(session)).body.data as typeof before;
    expect(after.map((r) => r.sku)).toContain('habit-streak');
    expect(before.map((r) => r.sku)).not.toContain('habit-streak');
    // Sleep stories no longer rests on "sleep better" (at most on her inferred interest).
    const sleepAfter = after.find((r) => r.sku === 'sleep-stories');
    expect(sleepAfter?.explanation.because.some((b) => b.key === 'motivation') ?? false).toBe(false);

    // "Not for me" hides a suggestion for good.
    const hide = card(page, 'habit-streak');
    await hide.locator('details.not-right summary').click();
    await hide.getByLabel('It is not for me — hide this suggestion').check();
    await hide.getByRole('button', { name: /^Tell us/ }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Hidden.');
    expect(await card(page, 'habit-streak').count()).toBe(0);
    expect(((await recommendations(session)).body.data as typeof before).map((r) => r.sku)).not.toContain('habit-streak');
    await context.close();
  });

  it('a Polish page explains in Polish for Ingrid (stored nb), with the numbers only in "Details"', async () => {
    const ingrid = await stack.subjectId('ch-member-1001');
    const session = await stack.customerSession(ingrid);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(ingrid));
    await page.goto(`/${BRAND}/for-you?lang=pl`);
    expect(await page.locator('html').getAttribute('lang')).toBe('pl');
    // Her stress answer stands whatever the other journeys here corrected.
    const stress = card(page, 'breathing-for-stress');
    const because = stress.locator('.because');
    expect(await because.getAttribute('lang')).toBe('pl');

    // The API's Polish sentence: her own answer under the brand's Polish label, nothing Norwegian
    // (her stored language) and no English phrasing; data the brand has no Polish words for is quoted.
    const api = (await recommendations(session, 'pl')).body.data as Array<{
      sku: string;
      score: number;
      explanation: { text: string; locale: string; consentEventId: string; because: Array<{ factId: string; points: number }> };
    }>;
    const explained = api.find((r) => r.sku === 'breathing-for-stress')!;
    expect(explained.explanation.locale).toBe('pl');
    const text = (await because.textContent()) ?? '';
    expect(text).toBe(explained.explanation.text);
    expect(text).toMatch(/^Ponieważ .*Twoja odpowiedź brzmiała: „Chcę zmniejszyć stres”/);
    const unquoted = text.replace(/„[^”]*”/g, '');
    for (const foreign of ['fordi', 'svaret', 'kilde', 'ut fra', 'Because', 'because', 'you told us', 'noticed']) expect(unquoted).not.toContain(foreign);

    // The main view has no scores, no points and no ids: no digits outside the sentence's dates.
    const main = await mainView(page, 'breathing-for-stress');
    expect(main.replace(text, '')).not.toMatch(/\d/);
    expect(main).not.toContain(explained.explanation.consentEventId);
    expect(main).not.toMatch(/Wynik|wyniku/);
    // "Dlaczego to?" shows the reasons in words, still without numbers…
    await stress.locator('details.why > summary').click();
    const reasons = stress.locator('.reasons');
    expect(await reasons.textContent()).toContain('Chcę zmniejszyć stres');
    expect(await reasons.textContent()).not.toMatch(/wyniku/);
    const numbers = stress.locator('details.numbers');
    expect(await numbers.locator('.numbers-body').isVisible()).toBe(false);
    // …and its "Szczegóły" holds the score, what each reason adds (in Polish number format) and the consent record.
    await numbers.locator('summary').click();
    const details = (await numbers.locator('.numbers-body').textContent()) ?? '';
    const pl = new Intl.NumberFormat('pl', { maximumFractionDigits: 2 });
    expect(details).toContain(`Wynik: ${pl.format(explained.score)}`);
    for (const b of explained.explanation.because) expect(details).toContain(`dodaje do wyniku: ${pl.format(b.points)}`);
    expect(details).toContain(explained.explanation.consentEventId);
    await checkPage(page, 'for-you-pl', 'Dla Ciebie');
    await context.close();
  });

  it('without personalization consent: says why, turns it back on in one click; Activity shows where the withdrawal reached', async () => {
    const marek = await stack.subjectId('ch-member-1002');
    const session = await stack.customerSession(marek);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(marek));
    await page.goto(`/${BRAND}/for-you`);
    expect(await card(page, 'athlete-focus').count()).toBe(1);

    // Withdraw personalisation on the consents page.
    await page.getByRole('link', { name: 'Consents' }).click();
    await page.locator('li[data-purpose="personalization"]').getByRole('button', { name: /^Withdraw/ }).click();
    await expect.poll(() => notice(page).textContent()).toMatch(/is withdrawn/);
    expect((await recommendations(session)).body).toMatchObject({ status: 403, code: 'consent-required' });

    await page.getByRole('link', { name: 'For you' }).click();
    const off = page.locator('.consent-off');
    expect(await off.locator('h2').textContent()).toBe('Personal suggestions are switched off');
    expect(await off.textContent()).toContain('You withdrew your consent to “Recommendations based on what you tell us”');
    // The notice she would agree to, in her language's fallback (the page is in English).
    const me = await stack.api.http.get('/v1/me').set(bearer(session));
    const noticeText = me.body.consents.find((c: { purpose: string }) => c.purpose === 'personalization').noticeText.en as string;
    expect(await off.locator('.notice-text').textContent()).toBe(noticeText);
    expect(await page.locator('li.suggestion').count()).toBe(0);
    await checkPage(page, 'for-you-off', 'For you');

    // Where did the withdrawal reach? The newsletter service confirmed; the CRM has not yet.
    await stack.api.app.get(DeliveryWorker).deliverDue();
    await page.getByRole('link', { name: 'Activity' }).click();
    const withdrawal = page.locator('.propagation li').first();
    expect(await withdrawal.locator('strong').textContent()).toBe('Your withdrawal of “Recommendations based on what you tell us”');
    expect(await withdrawal.locator('[data-system="Newsletter service"]').textContent()).toMatch(/Newsletter service ✓ confirmed \d{2}:\d{2}/);
    expect(await withdrawal.locator('[data-system="CRM"]').textContent()).toMatch(/CRM not confirmed yet — trying again \(1 attempt so far\)/);
    const propagation = await stack.api.http.get('/v1/me/propagation').set(bearer(session));
    expect(await withdrawal.getAttribute('data-event-id')).toBe(propagation.body.data[0].eventId);
    await checkPage(page, 'activity-propagation', 'Activity');

    // One click turns suggestions back on, and they are there again.
    await page.getByRole('link', { name: 'For you' }).click();
    await page.getByRole('button', { name: 'Turn on personal suggestions' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Personal suggestions are on.');
    expect(await card(page, 'athlete-focus').count()).toBe(1);
    const state = await apiState(stack, session);
    expect(state.consents.find((c) => c.purpose === 'personalization')).toMatchObject({ granted: true, valid: true, source: 'portal' });
    expect((await recommendations(session)).status).toBe(200);
    await context.close();
  });

  it('For you works without JavaScript', async () => {
    const sam = await stack.subjectId('ch-member-1004');
    const context = await stack.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(sam));
    await page.goto(`/${BRAND}/for-you`);
    const habit = card(page, 'habit-streak');
    await habit.locator('details.why > summary').click();
    expect(await habit.locator('.why-body').isVisible()).toBe(true);
    await habit.locator('details.not-right summary').click();
    // Nothing chosen: the page asks, nothing changes.
    await habit.getByRole('button', { name: /^Tell us/ }).click();
    expect(await notice(page).textContent()).toContain('Choose what is not right');
    await habit.locator('details.not-right summary').click();
    await habit.locator('input[name="feedback"]').first().check();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      habit.getByRole('button', { name: /^Tell us/ }).click(),
    ]);
    expect(response.status()).toBe(303);
    expect(await page.locator('#correct').count()).toBe(1);
    await context.close();
  });

  it('For you, its correction and Activity at phone width', async () => {
    const sam = await stack.subjectId('ch-member-1004');
    const context = await stack.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(sam));
    await page.goto(`/${BRAND}/for-you`);
    const card0 = page.locator('li.suggestion').first();
    await card0.locator('details.why > summary').click();
    await checkPage(page, 'for-you', 'For you');
    const sceptic = card(page, 'meditation-for-sceptics');
    await sceptic.locator('details.not-right summary').click();
    await sceptic.locator('input[name="feedback"]').first().check();
    await sceptic.getByRole('button', { name: /^Tell us/ }).click();
    await expect.poll(() => page.locator('#correct').count()).toBe(1);
    await checkPage(page, 'for-you-correct', 'For you');
    // Switched off: the explanation and the way back.
    await page.goto(`/${BRAND}/consents`);
    await page.locator('li[data-purpose="personalization"]').getByRole('button', { name: /^Withdraw/ }).click();
    await expect.poll(() => notice(page).textContent()).toMatch(/is withdrawn/);
    await page.goto(`/${BRAND}/for-you`);
    await checkPage(page, 'for-you-off', 'For you');
    await stack.api.app.get(DeliveryWorker).deliverDue();
    await page.goto(`/${BRAND}/activity`);
    await checkPage(page, 'activity-propagation', 'Activity');
    await context.close();
  });
});

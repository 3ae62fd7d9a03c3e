// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/factories';
import { BRAND, apiState, startPortalStack, openLink, type PortalStack } from '../support/portal-stack';

/**
 * The customer journey of issue 4, driven through Debian's Chromium against the built portal and
 * the real API on real PostgreSQL. After each step the API itself is asked what it now holds.
 */
describe('customer portal', () => {
  let stack: PortalStack;

  beforeAll(async () => {
    stack = await startPortalStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  const fact = (page: Page, value: string) => page.locator('li.fact', { has: page.locator('.fact-value', { hasText: new RegExp(`^${value}$`) }) });
  const notice = (page: Page) => page.locator('.notice');

  it('journey: portal link → facts → correct → delete → withdraw → frequency → question → activity', async () => {
    const ingrid = await stack.subjectId('ch-member-1001');
    const session = await stack.customerSession(ingrid);
    const context = await stack.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    // Nothing may leave the portal's origin: no third-party scripts, fonts, images or trackers.
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(stack.portalUrl)) foreign.push(request.url());
    });

    // Arrive by portal link: signed in, on "what we know about you", token gone from the address.
    await openLink(page, await stack.portalLink(ingrid));
    expect(page.url()).toBe(`${stack.portalUrl}/${BRAND}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('What we know about you');

    // The demo facts, each with its provenance in plain words, source and purposes. Values the
    // brand's questions name read in the brand's words (`valueLabel`); others in plain words.
    expect(await fact(page, 'To sleep better').locator('.badge').textContent()).toBe('You told us');
    expect(await fact(page, 'To lower my stress').locator('.badge').textContent()).toBe('You told us');
    expect(await fact(page, 'In the evening').locator('.badge').textContent()).toBe('We observed');
    expect(await fact(page, 'Sleep stories').locator('.badge').textContent()).toBe('We inferred');
    // Key, value and source in the brand's words from its dictionary, in the page's language.
    expect(await fact(page, 'In the evening').locator('.meta').textContent()).toContain('your sessions in the app');
    expect(await fact(page, 'In the evening').locator('.fact-label').textContent()).toBe('Practice time');
    expect(await fact(page, 'To sleep better').locator('.meta').textContent()).toContain('the welcome question');
    // Her own answer is used for her suggestions; the guess is not: personalisation uses only what she told, unless she lets it use more.
    expect(await fact(page, 'To sleep better').locator('.meta').textContent()).toContain('Recommendations based on what you tell us');
    expect(await fact(page, 'Sleep stories').locator('.meta').textContent()).toContain('Not used for anything right now');
    expect(await page.locator('.overview').textContent()).toContain('4 things we know about you');

    // Correct the inferred interest. The field holds what she reads ("Sleep stories", never the
    // stored `sleep_stories`); saved as it is, it confirms the value and becomes "you told us".
    const inferred = fact(page, 'Sleep stories');
    const interestId = (await inferred.getAttribute('data-fact-id'))!;
    await inferred.locator('summary').click();
    expect(await inferred.getByLabel('New value for “Interest”').inputValue()).toBe('Sleep stories');
    await inferred.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Saved.');
    expect(await fact(page, 'Sleep stories').locator('.badge').textContent()).toBe('You told us');
    let state = await apiState(stack, session);
    expect(state.facts.find((f) => f.id === interestId)).toMatchObject({ key: 'interest', value: 'sleep_stories', provenance: 'declared', source: 'portal' });
    // Her own words are stored as she wrote them.
    await fact(page, 'Sleep stories').locator('summary').click();
    await fact(page, 'Sleep stories').getByLabel('New value for “Interest”').fill('Breathing exercises');
    await fact(page, 'Sleep stories').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Saved.');
    expect(await fact(page, 'Breathing exercises').locator('.badge').textContent()).toBe('You told us');
    state = await apiState(stack, session);
    expect(state.facts.find((f) => f.id === interestId)).toMatchObject({ key: 'interest', value: 'Breathing exercises', provenance: 'declared', source: 'portal' });

    // Delete the observed practice time.
    await fact(page, 'In the evening').getByRole('button', { name: /^Delete/ }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Deleted.');
    expect(await fact(page, 'In the evening').count()).toBe(0);
    state = await apiState(stack, session);
    expect(state.facts.map((f) => f.key).sort()).toEqual(['interest', 'motivation', 'motivation']);

    // Withdraw email marketing in one action; the ledger records it with source "portal".
    await page.getByRole('link', { name: 'Consents' }).click();
    const email = page.locator('li[data-purpose="email_marketing"]');
    expect(await email.locator('.status').textContent()).toBe('You agreed');
    expect(await email.textContent()).toMatch(/You agreed to version 1 of this notice on/);
    await email.getByRole('button', { name: /^Withdraw/ }).click();
    await expect.poll(() => notice(page).textContent()).toMatch(/is withdrawn/);
    expect(await email.locator('.status').textContent()).toBe('You said no');
    state = await apiState(stack, session);
    expect(state.consents.find((c) => c.purpose === 'email_marketing')).toMatchObject({ granted: false, valid: false, source: 'portal' });

    // The withdrawal is the newest receipt; its download verifies: SHA-256 over RFC 8785 JSON.
    const newest = page.locator('.receipts li').first();
    expect(await newest.textContent()).toContain('Withdrew');
    const [download] = await Promise.all([page.waitForEvent('download'), newest.getByRole('link', { name: /^Download/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^consent-receipt-email_marketing-\d{4}-\d{2}-\d{2}\.json$/);
    const receipt = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(receipt.content).toMatchObject({ purpose: 'email_marketing', granted: false, source: 'portal' });
    expect(createHash('sha256').update(canonicalize(receipt.content)!, 'utf8').digest('hex')).toBe(receipt.hash);
    expect(await newest.locator('code').textContent()).toBe(receipt.hash);

    // Email newsletters once a week instead of once a month; nothing else changes.
    await page.getByRole('link', { name: 'Preferences' }).click();
    const frequency = page.locator('fieldset[data-channel="email"]').getByLabel('How often');
    expect(await frequency.inputValue()).toBe('monthly');
    await frequency.selectOption('weekly');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Saved.');
    expect(await page.locator('fieldset[data-channel="email"]').getByLabel('How often').inputValue()).toBe('weekly');
    state = await apiState(stack, session);
    expect(state.preferences.channels.email).toEqual({ optedIn: true, frequency: 'weekly' });
    expect(state.preferences.quietHours).toEqual({ start: '21:00', end: '07:00' });
    expect(state.preferences.topics).toEqual(['sleep', 'breathing']);

    // One question at a time: she declared her motivation, and practice time is no longer known.
    await page.getByRole('link', { name: 'Tell us more' }).click();
    expect(await page.locator('legend').first().textContent()).toBe('When do you like to practise?');
    await page.getByLabel('In the morning').check();
    await page.getByRole('button', { name: 'Save my answer' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Thank you!');
    expect(await page.locator('main').textContent()).toContain('nothing more we would like to ask');
    state = await apiState(stack, session);
    expect(state.facts.find((f) => f.key === 'practice_time')).toMatchObject({ value: 'morning', provenance: 'declared' });

    // The brand reads her profile for personalisation; she sees it in Activity.
    const read = await stack.api.http.get(`/v1/subjects/${ingrid}/profile`).query({ purpose: 'personalization' }).set(bearer(stack.brandKey));
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    await page.getByRole('link', { name: 'Activity' }).click();
    const entry = page.locator('.log li').first();
    expect(await entry.textContent()).toContain('Recommendations based on what you tell us');
    expect(await entry.textContent()).toContain('your profile');
    const log = await stack.api.http.get('/v1/me/access-log').set(bearer(session));
    expect(await entry.getAttribute('data-access-id')).toBe(log.body.data[0].id);

    // Sign out ends the API session too.
    const cookie = (await context.cookies()).find((c) => c.name === 'candor_session')!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/sign-in`);
    expect((await stack.api.http.get('/v1/me').set(bearer(cookie.value))).status).toBe(401);
    await page.goto(`/${BRAND}/`);
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/sign-in`);

    expect(foreign).toEqual([]);
    await context.close();
  });

  it('withdraws a consent with JavaScript disabled (forms post and redirect)', async () => {
    const anna = await stack.subjectId('ch-member-1003');
    const session = await stack.customerSession(anna);
    const context = await stack.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(anna));
    expect(await page.locator('h1').textContent()).toBe('What we know about you');

    await page.getByRole('link', { name: 'Consents' }).click();
    const email = page.locator('li[data-purpose="email_marketing"]');
    expect(await email.locator('.status').textContent()).toBe('You agreed');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      email.getByRole('button', { name: /^Withdraw/ }).click(),
    ]);
    expect(response.status()).toBe(303);
    await page.waitForURL(/\/consents\?notice=withdrawn/);
    expect(await notice(page).textContent()).toMatch(/is withdrawn/);
    expect(await email.locator('.status').textContent()).toBe('You said no');
    const state = await apiState(stack, session);
    expect(state.consents.find((c) => c.purpose === 'email_marketing')).toMatchObject({ granted: false, source: 'portal' });
    // Reloading the page after Post/Redirect/Get repeats nothing.
    await page.reload();
    const history = await stack.api.http.get('/v1/me/consents').set(bearer(session));
    expect(history.body.data.filter((e: { purpose: string; granted: boolean }) => e.purpose === 'email_marketing' && !e.granted)).toHaveLength(1);
    await context.close();
  });

  it("shows the not-found page, never their data, for another customer's fact id", async () => {
    const ingrid = await stack.subjectId('ch-member-1001');
    const ingridSession = await stack.customerSession(ingrid);
    const before = await apiState(stack, ingridSession);
    const target = before.facts.find((f) => f.key === 'motivation')!;

    const marek = await stack.subjectId('ch-member-1002');
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(marek));
    for (const form of ['form.edit-form', 'form[action$="/delete"]']) {
      await page.goto(`/${BRAND}/`);
      // Point Marek's own edit (or delete) form at Ingrid's fact, as a tampering visitor would.
      const tampered = page.locator(form).first();
      await tampered.evaluate((el, id) => {
        const f = el as HTMLFormElement;
        f.action = f.action.replace(/facts\/[^/]+/, `facts/${id}`);
        f.closest('details')?.setAttribute('open', '');
      }, target.id);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        tampered.locator('button[type="submit"]').click(),
      ]);
      expect(response.status()).toBe(404);
      await page.waitForLoadState();
      expect(await page.locator('h1').textContent()).toBe('We could not find that');
      expect(await page.content()).not.toContain(target.value);
    }
    const after = await apiState(stack, ingridSession);
    expect(after.facts).toEqual(before.facts);
    await context.close();
  });

  it('explains a stale preferences form (412) and shows the current values', async () => {
    const sam = await stack.subjectId('ch-member-1004');
    const session = await stack.customerSession(sam);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(sam));
    await page.goto(`/${BRAND}/preferences`);

    // Meanwhile, in another tab (here: straight through the API), SMS goes to daily.
    const current = await stack.api.http.get('/v1/me/preferences').set(bearer(session));
    const changed = await stack.api.http
      .put('/v1/me/preferences')
      .set(bearer(session))
      .set('If-Match', current.headers.etag)
      .send({ channels: { ...current.body.channels, sms: { optedIn: true, frequency: 'daily' } } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    await page.locator('fieldset[data-channel="email"]').getByLabel('How often').selectOption('weekly');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.waitForURL(/notice=stale/);
    expect(await notice(page).textContent()).toContain('nothing was overwritten');
    expect(await page.locator('fieldset[data-channel="sms"]').getByLabel('How often').inputValue()).toBe('daily');
    expect(await page.locator('fieldset[data-channel="email"]').getByLabel('How often').inputValue()).not.toBe('weekly');
    const state = await apiState(stack, session);
    expect(state.preferences.channels.sms.frequency).toBe('daily');
    expect(state.preferences.channels.email.frequency).not.toBe('weekly');
    await context.close();
  });

  it('keeps the session safe: HttpOnly SameSite cookie, CSP, no-store, CSRF token and Origin check', async () => {
    const sam = await stack.subjectId('ch-member-1004');
    const session = await stack.customerSession(sam);
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(sam));
    const response = await page.goto(`/${BRAND}/consents`);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).toContain("style-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['cache-control']).toBe('no-store');
    expect(await page.locator('script, style, [style]').count()).toBe(0);
    const cookie = (await context.cookies()).find((c) => c.name === 'candor_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: `/${BRAND}` });

    const token = await page.locator('li[data-purpose="personalization"] input[name="_csrf"]').inputValue();
    const url = `/${BRAND}/actions/consents/personalization`;
    const noToken = await page.request.post(url, { form: { granted: 'false' }, maxRedirects: 0 });
    expect(noToken.status()).toBe(403);
    const otherSite = await page.request.post(url, { form: { granted: 'false', _csrf: token }, headers: { origin: 'https://evil.example' }, maxRedirects: 0 });
    expect(otherSite.status()).toBe(403);
    expect((await apiState(stack, session)).consents.find((c) => c.purpose === 'personalization')?.granted).toBe(true);
    const same = await page.request.post(url, { form: { granted: 'false', _csrf: token }, headers: { origin: stack.portalUrl }, maxRedirects: 0 });
    expect(same.status()).toBe(303);
    expect((await apiState(stack, session)).consents.find((c) => c.purpose === 'personalization')?.granted).toBe(false);

    // An address with no brand behind it: the friendly 404, not an error.
    const unknown = await page.goto('/no-such-brand/');
    expect(unknown?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('We could not find that');
    await context.close();
  });

  it('speaks the browser’s language, switches on request and remembers it', async () => {
    const ingrid = await stack.subjectId('ch-member-1001');
    const session = await stack.customerSession(ingrid);
    const context = await stack.newContext({ locale: 'nb-NO' });
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(ingrid));
    expect(await page.locator('html').getAttribute('lang')).toBe('nb');
    expect(await page.locator('h1').textContent()).toBe('Det vi vet om deg');
    // Fact values in the brand's own Norwegian words (`valueLabel`), not in English.
    const values = await page.locator('.fact-value').allTextContents();
    expect(values).toEqual(expect.arrayContaining(['Å sove bedre', 'Å senke stressnivået']));
    expect(values).not.toContain('To sleep better');
    // What each fact is about and where it came from: the brand's Norwegian words from its dictionary.
    expect(await page.locator('.fact-label').allTextContents()).toEqual(expect.arrayContaining(['Motivasjon']));
    const meta = (await page.locator('.fact .meta').allTextContents()).join(' ');
    expect(meta).toContain('velkomstspørsmålet');
    expect(meta).not.toContain('welcome');

    // Notices come from the API in her language.
    await page.goto(`/${BRAND}/consents`);
    const me = await apiState(stack, session);
    const personalization = me.consents.find((c) => c.purpose === 'personalization') as unknown as { noticeText: Record<string, string> };
    expect(await page.locator('li[data-purpose="personalization"] .notice-text').textContent()).toBe(personalization.noticeText.nb);

    await page.getByRole('link', { name: 'Polski' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('pl');
    expect(await page.locator('h1').textContent()).toBe('Zgody');
    await page.getByRole('link', { name: 'Co o Tobie wiemy' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('pl');
    expect(await page.locator('.fact-label').allTextContents()).toEqual(expect.arrayContaining(['Motywacja']));
    expect(await page.locator('.fact-value').allTextContents()).toEqual(expect.arrayContaining(['Chcę lepiej spać']));
    expect((await page.locator('.fact .meta').allTextContents()).join(' ')).toContain('pytanie powitalne');
    await context.close();
  });
});

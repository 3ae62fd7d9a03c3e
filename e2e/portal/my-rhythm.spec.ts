// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/factories';
import { apiState, BRAND, expectAccessible, expectReflows, openLink, screenshot, startPortalStack, type PortalStack } from '../support/portal-stack';

/**
 * "My channel, my rhythm" in the portal: the person picks the channels for each kind of message,
 * sees what the brand would be told right now and why, sees who changed their preferences (the call
 * centre too), objects to a legitimate-interest purpose and asks for a restriction — each checked
 * against what the API then holds and what the brand is told.
 */
describe('my channels, my rhythm', () => {
  let stack: PortalStack;
  /** The call centre's key (it may read and change preferences). */
  let callCentre: string;

  beforeAll(async () => {
    stack = await startPortalStack();
    // Calm Harbor also sends order updates and helps when you contact it.
    for (const purpose of ['order_updates', 'customer_care']) {
      const adopted = await stack.api.http.post(`/v1/purpose-catalogue/${purpose}/adopt`).set(bearer(stack.brandKey));
      expect(adopted.status, JSON.stringify(adopted.body)).toBe(201);
    }
    const key = await stack.api.http.post('/v1/api-keys').set(bearer(stack.brandKey)).send({ name: 'Call centre', scopes: ['subjects:read', 'subjects:write'] });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    callCentre = key.body.key;
  });

  afterAll(async () => {
    await stack?.close();
  });

  const notice = (page: Page) => page.locator('.notice');

  /** A new member of Calm Harbor, signed in to the portal in a fresh browser context. */
  async function member() {
    const created = await stack.api.http
      .post('/v1/subjects')
      .set(bearer(stack.brandKey))
      .send({ externalId: `rhythm-${randomBytes(4).toString('hex')}`, email: `rhythm.${randomBytes(4).toString('hex')}@example.com`, locale: 'en', timezone: 'Europe/London' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id: string = created.body.id;
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(id));
    return { id, page, context, session: await stack.customerSession(id) };
  }

  const decide = async (subjectId: string, purpose: string, channel: string) =>
    (await stack.api.http.get('/v1/decisions/contact').query({ subjectId, purpose, channel }).set(bearer(stack.brandKey))).body;

  it('order updates by SMS only, chosen on the preferences page; the panel says what the brand would be told, and why', async () => {
    const { id, page, context, session } = await member();
    const granted = await stack.api.http.post(`/v1/subjects/${id}/consents`).set(bearer(stack.brandKey)).send({ purpose: 'email_marketing', granted: true });
    expect(granted.status).toBe(201);
    await page.goto(`/${BRAND}/preferences`);

    const orders = page.locator('fieldset[data-purpose="order_updates"]');
    expect(await orders.locator('legend').textContent()).toBe('Order and delivery updates');
    expect(await orders.textContent()).toContain('You cannot turn these messages off, but you choose how they reach you.');
    await orders.getByLabel('Email').uncheck();
    await orders.getByLabel('Push notifications').uncheck();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Saved.');
    expect((await apiState(stack, session)).preferences).toMatchObject({ purposes: { order_updates: { channels: ['sms'] } } });
    // The brand is told exactly that.
    expect(await decide(id, 'order_updates', 'sms')).toEqual({ allowed: true, reasons: ['service-message:contract'] });
    expect(await decide(id, 'order_updates', 'email')).toEqual({ allowed: false, reasons: ['channel-not-chosen'] });

    // ...and so is she, in her words.
    const told = (purpose: string, channel: string) => page.locator(`li[data-told="${purpose}"] li[data-channel="${channel}"]`);
    expect(await page.locator('li[data-told="order_updates"] h3').textContent()).toBe('May Calm Harbor contact you about “Order and delivery updates” now?');
    expect(await told('order_updates', 'sms').textContent()).toBe('Text messages (SMS): Yes');
    expect(await told('order_updates', 'email').textContent()).toBe('Email: No — you chose other channels for it');
    expect(await told('email_marketing', 'email').textContent()).toBe('Email: Yes');
    expect(await told('sms_marketing', 'sms').textContent()).toBe('Text messages (SMS): No — you have not agreed to it');

    // Items in the basket: the newsletter waits until the window ends; order updates do not.
    const until = new Date(Date.now() + 2 * 3600_000);
    const set = await stack.api.http.post(`/v1/subjects/${id}/suppressions`).set(bearer(stack.brandKey)).send({ reason: 'open_cart', until: until.toISOString() });
    expect(set.status).toBe(201);
    await page.reload();
    const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: 'Europe/London' }).format(until);
    expect(await told('email_marketing', 'email').textContent()).toBe(`Email: No — something is waiting in your basket, until ${time}`);
    expect(await told('order_updates', 'sms').textContent()).toBe('Text messages (SMS): Yes');
    await expectAccessible(page, 'preferences with channels per purpose');
    await expectReflows(page, 'preferences with channels per purpose');
    await screenshot(page, 'preferences-told');

    // Order updates cannot be left without any channel: nothing is saved, and the page says why.
    await page.locator('fieldset[data-purpose="order_updates"]').getByLabel('Text messages (SMS)').uncheck();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.waitForURL(/notice=no-channel/);
    expect(await notice(page).textContent()).toContain('Choose at least one way to reach you');
    expect((await apiState(stack, session)).preferences).toMatchObject({ purposes: { order_updates: { channels: ['sms'] } } });
    await context.close();
  });

  it('shows who changed her preferences: herself, and the call centre when she phoned', async () => {
    const { id, page, context } = await member();
    await page.goto(`/${BRAND}/preferences`);
    await page.locator('fieldset[data-channel="email"]').getByLabel('How often').selectOption('weekly');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Saved.');

    const read = await stack.api.http.get(`/v1/subjects/${id}/preferences`).set(bearer(callCentre));
    const changed = await stack.api.http
      .put(`/v1/subjects/${id}/preferences`)
      .set(bearer(callCentre))
      .set('If-Match', read.headers.etag)
      .send({ purposes: { order_updates: { channels: ['email'] } }, source: 'call_centre' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);

    await page.goto(`/${BRAND}/activity`);
    const changes = page.locator('ol.changes > li');
    expect(await changes.count()).toBe(2);
    expect(await changes.nth(0).locator('strong').textContent()).toBe('Call centre');
    expect(await changes.nth(0).locator('.meta').textContent()).toContain('how “Order and delivery updates” reaches you');
    expect(await changes.nth(0).locator('.meta').textContent()).toContain('Call centre');
    expect(await changes.nth(1).locator('strong').textContent()).toBe('You');
    expect(await changes.nth(1).locator('.meta').textContent()).toContain('contact by email');
    expect(await changes.nth(1).locator('.meta').textContent()).toContain('On this page');
    // The call centre's read of her preferences is in "who read your data" too.
    expect(await page.locator('[data-access-id]').first().textContent()).toContain('your contact preferences');
    await expectAccessible(page, 'activity with preference changes');
    // The readable copy of her data says the same.
    await page.goto(`/${BRAND}/my-data/readable`);
    const section = page.locator('section[aria-labelledby="changes-title"]');
    expect(await section.locator('h2').textContent()).toBe('Who changed your preferences');
    expect(await section.locator('li').first().textContent()).toContain('Call centre');
    expect(await page.locator('main').textContent()).toContain('Order and delivery updates');
    await context.close();
  });

  it('objects to customer care and takes it back in one click each, and asks for a restriction of processing', async () => {
    const { id, page, context, session } = await member();
    await page.goto(`/${BRAND}/consents`);
    const care = page.locator('#purpose-customer_care');
    expect(await care.textContent()).toContain('You can object at any time.');
    await care.getByRole('button', { name: /^Object/ }).click();
    await expect.poll(() => notice(page).textContent()).toContain('you objected to “Help when you contact us”');
    expect(await page.locator('#purpose-customer_care .status').textContent()).toBe('You objected');
    expect((await apiState(stack, session)).consents.find((c) => c.purpose === 'customer_care')).toMatchObject({ granted: false, source: 'portal' });
    expect(await decide(id, 'customer_care', 'email')).toEqual({ allowed: false, reasons: ['objected'] });

    await page.locator('#purpose-customer_care').getByRole('button', { name: /^Withdraw my objection/ }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Your objection to “Help when you contact us” is withdrawn.');
    expect(await decide(id, 'customer_care', 'email')).toEqual({ allowed: true, reasons: ['legitimate-interest'] });

    await page.getByLabel('What should be restricted, and why? (optional)').fill('Please stop using my order history until my address is corrected.');
    await page.getByRole('button', { name: 'Ask for a restriction' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Your request has reached Calm Harbor.');
    const request = page.locator('.restrictions li');
    expect(await request.count()).toBe(1);
    expect(await request.textContent()).toMatch(/^Received Asked on .+ · answer due by .+$/);
    await expectAccessible(page, 'consents with objection and restriction');
    await expectReflows(page, 'consents with objection and restriction');
    await screenshot(page, 'consents-objection');

    // The brand's compliance team sees a restriction request, filed from the portal, with her words.
    const filed = await stack.api.http.get('/v1/privacy-requests').query({ status: 'received' }).set(bearer(stack.brandKey));
    const mine = filed.body.data.find((r: { subjectId: string }) => r.subjectId === id);
    expect(mine).toMatchObject({ type: 'restriction', channel: 'portal', status: 'received' });
    const detail = await stack.api.http.get(`/v1/privacy-requests/${mine.id}`).set(bearer(stack.brandKey));
    expect(detail.body.history[0]).toMatchObject({ action: 'received', note: 'Please stop using my order history until my address is corrected.' });
    await context.close();
  });
});

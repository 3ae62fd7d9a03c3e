// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { bearer } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';
import { BRAND, checkPage, startPortalStack, type PortalStack } from '../support/portal-stack';
import { WebhookReceiver } from '../support/webhook-receiver';

const DAY = 86_400_000;
const COMPLIANCE = { email: 'jonas.lie@calmharbor.example', name: 'Jonas Lie', role: 'compliance' };
const VIEWER = { email: 'mia.holm@calmharbor.example', name: 'Mia Holm', role: 'viewer' };

/**
 * Compliance intake (issue 12, item 10): a request that arrived by letter is filed with the day it
 * was received (and can be overdue at once); the console names customers to staff who may see them
 * and masks them for the others; an erasure leaves the person a receipt page behind an emailed link.
 */
describe('portal: compliance intake', () => {
  let stack: PortalStack;
  let mail: MailCatcher;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    mail = await new MailCatcher().start();
    receiver = await new WebhookReceiver().start();
    stack = await startPortalStack({ env: { SMTP_URL: mail.url, CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_WEBHOOK_RETRY_BASE_MS: '5' } });
    for (const staff of [COMPLIANCE, VIEWER]) {
      const res = await stack.api.http.post('/v1/staff').set(bearer(stack.brandKey)).send(staff);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.close();
    await mail?.stop();
    await receiver?.stop();
  });

  async function signIn(context: BrowserContext, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`/${BRAND}/admin/sign-in`);
    const before = mail.messages.length;
    await page.getByLabel('Work email').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.waitForURL(/sent=1/);
    const pattern = new RegExp(`(${stack.portalUrl.replace(/[.:/]/g, '\\$&')}/${BRAND}/admin/link/ssl_[A-Za-z0-9_-]+)`);
    let link: string | undefined;
    await expect
      .poll(() => (link = mail.messages.slice(before).filter((m) => m.includes(email)).map((m) => pattern.exec(m)?.[1]).find(Boolean)), { timeout: 5000 })
      .toBeTruthy();
    await page.goto(link!);
    await continueIfAsked(page);
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/admin/`);
    return page;
  }

  /** A link page may ask the person to continue before it signs them in. */
  async function continueIfAsked(page: Page): Promise<void> {
    const button = page.getByRole('button', { name: /^Continue/ });
    if (await button.count()) await Promise.all([page.waitForNavigation(), button.first().click()]);
  }

  /** The receipt link in the newest email to `to`, and the language it names. */
  async function receiptLink(to: string): Promise<{ url: string; lang: string; message: string }> {
    const pattern = new RegExp(`(${stack.portalUrl.replace(/[.:/]/g, '\\$&')}/${BRAND}/erasure-receipt/cer_[A-Za-z0-9_-]{43})\\?lang=(?:3D)?([a-z]{2})`);
    let message: string | undefined;
    await expect.poll(() => (message = mail.messages.filter((m) => m.includes(to) && pattern.test(m)).pop()), { timeout: 5000 }).toBeTruthy();
    const [, url, lang] = pattern.exec(message!)!;
    return { url: `${url}?lang=${lang}`, lang: lang!, message: message! };
  }

  it('files a letter received 40 days ago: overdue at once in the queue, with the channel; customers named for compliance, masked for viewers', async () => {
    const marek = await stack.subjectId('ch-member-1002');
    const context = await stack.newContext();
    const page = await signIn(context, COMPLIANCE.email);
    await page.goto(`/${BRAND}/admin/requests/new?email=marek.nowak%40example.com`);
    const form = page.locator(`form[data-subject-id="${marek}"]`);
    await form.getByLabel('What they asked for').selectOption('rectification');
    await form.getByLabel('How it arrived').selectOption('letter');
    const day = new Date(Date.now() - 40 * DAY).toISOString().slice(0, 10);
    await form.getByLabel('Received on').fill(day);
    await checkPage(page, 'console-new-request-letter', 'File a request for a customer');
    await form.getByRole('button', { name: 'File the request' }).click();
    await page.waitForURL(/notice=filed/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const filed = (await stack.api.http.get(`/v1/privacy-requests/${id}`).set(bearer(stack.brandKey))).body;
    expect(filed).toMatchObject({ channel: 'letter', receivedAt: `${day}T00:00:00.000Z`, overdue: true });
    expect(filed.dueAt).toBe(new Date(Date.parse(`${day}T00:00:00Z`) + 30 * DAY).toISOString());
    const detail = page.locator(`[data-request-id="${id}"]`);
    expect(await detail.locator('.flag-overdue').count()).toBe(1);
    expect(await detail.textContent()).toContain('letter');
    expect(await detail.locator('.customer').textContent()).toContain('marek.nowak@example.com');

    await page.goto(`/${BRAND}/admin/?overdue=true`);
    const row = page.locator(`li[data-request-id="${id}"]`);
    expect(await row.getAttribute('data-overdue')).toBe('true');
    expect(await row.textContent()).toContain('marek.nowak@example.com');
    await checkPage(page, 'console-queue-named', 'Privacy requests');

    // A date in the future is refused with a reason, and nothing is filed.
    await page.goto(`/${BRAND}/admin/requests/new?email=marek.nowak%40example.com`);
    const before = (await stack.api.http.get('/v1/privacy-requests').set(bearer(stack.brandKey))).body.data.length;
    const csrf = await form.locator('input[name="_csrf"]').inputValue();
    const future = new Date(Date.now() + 3 * DAY).toISOString().slice(0, 10);
    const refused = await page.request.post(`/${BRAND}/admin/actions/requests`, {
      form: { _csrf: csrf, subjectId: marek, type: 'rectification', jurisdiction: 'gdpr', channel: 'letter', receivedOn: future },
      headers: { origin: stack.portalUrl },
      maxRedirects: 0,
    });
    expect(refused.headers().location).toBe(`/${BRAND}/admin/requests/new?notice=received-invalid`);
    expect((await stack.api.http.get('/v1/privacy-requests').set(bearer(stack.brandKey))).body.data.length).toBe(before);
    await context.close();

    // The viewer sees the queue with the customer masked, and Marek's activity shows both looks.
    const viewerContext = await stack.newContext();
    const viewer = await signIn(viewerContext, VIEWER.email);
    const masked = viewer.locator(`li[data-request-id="${id}"] .customer`);
    expect(await masked.getAttribute('data-masked')).toBe('true');
    expect(await masked.textContent()).toContain('m•••@example.com');
    expect(await viewer.locator('main').textContent()).not.toContain('marek.nowak');
    await viewerContext.close();
    const session = await stack.customerSession(marek);
    const log = (await stack.api.http.get('/v1/me/access-log').set(bearer(session))).body.data as Array<{ kind: string; reader: string; fields: string[] }>;
    const readers = new Set(log.filter((a) => a.kind === 'console').map((a) => `${a.reader}:${a.fields.join(',')}`));
    expect(readers).toEqual(new Set(['Jonas Lie (staff):email', 'Mia Holm (staff):email.masked']));
  });

  it('erasure through the portal and through the API: the emailed link opens a receipt in the person\'s language that shows the certificate and each system\'s confirmation, and nothing of the person', async () => {
    const hook = await stack.api.http.post('/v1/webhooks').set(bearer(stack.brandKey)).send({ url: receiver.url('/crm'), events: ['subject.erased'], name: 'Loyalty CRM' });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);

    // Through the portal: Anna forgets herself on Hungarian pages, so the receipt email, which
    // follows the language of the page she confirmed on, is Hungarian.
    const anna = await stack.subjectId('ch-member-1003');
    const context = await stack.newContext();
    const page = await context.newPage();
    await page.goto(await stack.portalLink(anna));
    await continueIfAsked(page);
    await page.goto(`/${BRAND}/my-data/forget?lang=hu`);
    await page.locator('input[type="checkbox"][name="confirm"]').check();
    await page.locator('form[action$="/actions/erasure"] button[type="submit"]').click();
    await page.waitForURL(/\/goodbye\?/);
    const byPortal = await receiptLink('anna.kovacs@example.com');
    expect(byPortal.lang).toBe('hu');
    await page.goto(byPortal.url);
    expect(await page.locator('html').getAttribute('lang')).toBe('hu');
    expect(await page.locator('h1').textContent()).toBe('Törlési igazolás');
    expect(await page.locator('[data-system="Loyalty CRM"]').getAttribute('data-status')).toBe('pending');
    expect(await page.locator('section.downstream').getAttribute('data-updating')).not.toBeNull();
    await checkPage(page, 'erasure-receipt-pending', 'Törlési igazolás');
    // The page follows the deliveries by itself: the CRM confirms and the section updates in place.
    const worker = stack.api.app.get(DeliveryWorker);
    for (let i = 0; i < 10; i++) await worker.deliverDue();
    await page.locator('[data-system="Loyalty CRM"][data-status="confirmed"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('section.downstream').textContent()).toContain('✓ megerősítve');
    await context.close();

    // Through the API: Sam (English) is erased by the brand; the CRM confirms.
    const sam = await stack.subjectId('ch-member-1004');
    const request = await stack.api.http.post('/v1/privacy-requests').set(bearer(stack.brandKey)).send({ subjectId: sam, type: 'erasure' });
    expect(request.body.status).toBe('completed');
    const byApi = await receiptLink('sam.carter@example.com');
    expect(byApi.lang).toBe('en');
    expect(byApi.message).toContain('your email address, phone number and customer number');
    for (let i = 0; i < 10; i++) await worker.deliverDue();
    const reader = await stack.newContext({ locale: 'pl-PL' });
    const receipt = await reader.newPage();
    await receipt.goto(byApi.url);
    expect(await receipt.locator('html').getAttribute('lang')).toBe('en');
    expect(await receipt.locator('h1').textContent()).toBe('Erasure receipt');
    expect(await receipt.locator('[data-request-id]').getAttribute('data-request-id')).toBe(request.body.id);
    expect(await receipt.locator('[data-tombstone]').textContent()).toBe(request.body.certificate.tombstone);
    expect(await receipt.locator('[data-ledger-verified]').getAttribute('data-ledger-verified')).toBe('true');
    const crm = receipt.locator('[data-system="Loyalty CRM"]');
    expect(await crm.getAttribute('data-status')).toBe('confirmed');
    expect(await crm.textContent()).toContain('✓ confirmed');
    expect(await receipt.locator('section.downstream').getAttribute('data-updating')).toBeNull();
    const html = await receipt.content();
    for (const needle of ['sam.carter', 'ch-member-1004', 'Carter']) expect(html.includes(needle), needle).toBe(false);
    await checkPage(receipt, 'erasure-receipt', 'Erasure receipt');

    // A wrong token is the 404 page.
    const wrong = await receipt.goto(byApi.url.replace(/cer_[A-Za-z0-9_-]{4}/, 'cer_AAAA'));
    expect(wrong!.status()).toBe(404);
    const malformed = await receipt.goto(`/${BRAND}/erasure-receipt/not-a-token`);
    expect(malformed!.status()).toBe(404);
    await reader.close();

    const phone = await stack.newContext({ viewport: { width: 375, height: 812 } });
    const small = await phone.newPage();
    await small.goto(byApi.url);
    await checkPage(small, 'erasure-receipt', 'Erasure receipt');
    await phone.close();
  });
});

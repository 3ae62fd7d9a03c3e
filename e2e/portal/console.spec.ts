// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../api/src/common/clock';
import { bearer } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';
import { BRAND, checkPage, startPortalStack, type PortalStack } from '../support/portal-stack';

const DAY = 86_400_000;
const COMPLIANCE = { email: 'astrid.berg@calmharbor.example', name: 'Astrid Berg', role: 'compliance' };
const VIEWER = { email: 'mia.holm@calmharbor.example', name: 'Mia Holm', role: 'viewer' };

/**
 * The staff console (issue 5): sign in by emailed link, the request queue with due dates and the
 * overdue highlighted, carrying out and extending requests, filing one, exports, integrity and
 * consent trends — and a viewer who can look but not act.
 */
describe('portal: staff console', () => {
  let stack: PortalStack;
  let mail: MailCatcher;
  /**
   * Requests the brand files for access, erasure or objection are carried out at once; corrections
   * and restrictions wait for staff. One was filed 40 days ago (its GDPR month has passed), one today.
   */
  let overdueId: string;
  let freshId: string;
  let marek: string;

  beforeAll(async () => {
    mail = await new MailCatcher().start();
    stack = await startPortalStack({ env: { SMTP_URL: mail.url } });
    for (const staff of [COMPLIANCE, VIEWER]) {
      const res = await stack.api.http.post('/v1/staff').set(bearer(stack.brandKey)).send(staff);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    marek = await stack.subjectId('ch-member-1002');
    const anna = await stack.subjectId('ch-member-1003');
    // The API's clock (never the system's) goes back 40 days to file the first request, then returns.
    const clock = stack.api.app.get(Clock);
    clock.travel(-40 * DAY);
    try {
      const old = await stack.api.http.post('/v1/privacy-requests').set(bearer(stack.brandKey)).send({ subjectId: marek, type: 'rectification', jurisdiction: 'gdpr' });
      expect(old.status, JSON.stringify(old.body)).toBe(201);
      overdueId = old.body.id;
    } finally {
      clock.reset();
    }
    const fresh = await stack.api.http.post('/v1/privacy-requests').set(bearer(stack.brandKey)).send({ subjectId: anna, type: 'restriction', jurisdiction: 'gdpr' });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(201);
    freshId = fresh.body.id;
  });

  afterAll(async () => {
    stack?.api.app.get(Clock).reset();
    await stack?.close();
    await mail?.stop();
  });

  /** Signs a staff member in the way they would: the sign-in form, then the emailed link. */
  async function signIn(context: BrowserContext, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`/${BRAND}/admin/`);
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/admin/sign-in`);
    const before = mail.messages.length;
    await page.getByLabel('Work email').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.waitForURL(/sent=1/);
    // The newest email to this address (an earlier link is spent).
    const pattern = new RegExp(`(${stack.portalUrl.replace(/[.:/]/g, '\\$&')}/${BRAND}/admin/link/ssl_[A-Za-z0-9_-]+)`);
    let link: string | undefined;
    await expect
      .poll(() => (link = mail.messages.slice(before).filter((m) => m.includes(email)).map((m) => pattern.exec(m)?.[1]).find(Boolean)), { timeout: 5000 })
      .toBeTruthy();
    // The link page spends nothing (a second visit shows it again); Continue signs in.
    for (let i = 0; i < 2; i++) {
      await page.goto(link!);
      expect(await page.locator('h1').textContent()).toBe('Continue to the console');
    }
    await checkPage(page, 'console-link', 'Continue to the console');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${stack.portalUrl}/${BRAND}/admin/`);
    return page;
  }

  const row = (page: Page, id: string) => page.locator(`li.request[data-request-id="${id}"]`);
  const notice = (page: Page) => page.locator('.notice');

  it('compliance: queue with due dates and the overdue highlighted; carry out, extend, file, export, verify', async () => {
    const context = await stack.newContext({ acceptDownloads: true });
    const page = await signIn(context, COMPLIANCE.email);

    // The staff session has a cookie of its own, HttpOnly, scoped to the console; no customer cookie.
    const cookies = await context.cookies();
    const staffCookie = cookies.find((c) => c.name === 'candor_staff')!;
    expect(staffCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: `/${BRAND}/admin` });
    expect(staffCookie.value).toMatch(/^sss_/);
    expect(cookies.find((c) => c.name === 'candor_session')).toBeUndefined();
    expect((await stack.api.http.get('/v1/staff/me').set(bearer(staffCookie.value))).body).toMatchObject({ name: 'Astrid Berg', role: 'compliance' });
    expect(await page.locator('.staff-who').textContent()).toBe('Astrid Berg (Compliance)');

    // The queue: soonest due first; the overdue one stands out, the fresh one shows its due date.
    const overdue = row(page, overdueId);
    expect(await overdue.getAttribute('data-overdue')).toBe('true');
    expect(await overdue.getAttribute('class')).toContain('is-overdue');
    expect(await overdue.locator('.flag-overdue').textContent()).toBe('Overdue');
    expect(await overdue.locator('.due').textContent()).toMatch(/days? late/);
    const fresh = row(page, freshId);
    const apiFresh = (await stack.api.http.get(`/v1/privacy-requests/${freshId}`).set(bearer(stack.brandKey))).body;
    const dueDate = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(apiFresh.dueAt));
    expect(await fresh.locator('.due strong').textContent()).toBe(dueDate);
    expect(await fresh.getAttribute('data-overdue')).toBe('false');
    expect(await fresh.locator('.flag-overdue').count()).toBe(0);
    const order = await page.locator('li.request').evaluateAll((items) => items.map((i) => i.getAttribute('data-request-id')));
    expect(order.indexOf(overdueId)).toBeLessThan(order.indexOf(freshId));
    await checkPage(page, 'console-queue', 'Privacy requests');

    // "Only overdue" filters through the API's own overdue view.
    await page.getByLabel('Only overdue requests').check();
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await page.locator('li.request').evaluateAll((items) => items.map((i) => i.getAttribute('data-request-id')))).toEqual([overdueId]);

    // Too late to extend the overdue one: refused, and the page says why.
    await overdue.getByRole('link').click();
    expect(await page.locator('h1').textContent()).toBe('Request: Correction');
    await page.getByLabel('Reason').fill('The customer sent more documents.');
    await page.getByRole('button', { name: 'Extend' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('The deadline was not extended. The deadline has passed.');

    // The customer's export, for staff who may read it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download this customer’s data/ }).click()]);
    expect(JSON.parse(readFileSync((await download.path())!, 'utf8')).subject).toMatchObject({ id: marek, externalId: 'ch-member-1002' });

    // Carry it out: completed, with a certificate and the history.
    await page.getByLabel('What was done').fill('Corrected the postal address as the customer asked.');
    await page.getByRole('button', { name: 'Carry out now' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Done. The request is completed');
    const done = (await stack.api.http.get(`/v1/privacy-requests/${overdueId}`).set(bearer(stack.brandKey))).body;
    expect(done).toMatchObject({ status: 'completed', overdue: false, certificate: { note: 'Corrected the postal address as the customer asked.' } });
    expect(await page.locator('.certificate').textContent()).toContain(done.certificate.completedAt);
    expect(await page.locator('.history').textContent()).toContain('Carried out');
    expect(await page.locator('.history').textContent()).toContain('Corrected the postal address as the customer asked.');
    expect(await page.locator('.history').textContent()).toContain('Staff');
    await checkPage(page, 'console-request', 'Request: Correction');

    // Extend the fresh one, with a reason: the deadline moves.
    await page.goto(`/${BRAND}/admin/requests/${freshId}`);
    await page.getByLabel('Reason').fill('Records are held by a processor abroad.');
    await page.getByLabel('Days to add').fill('30');
    await page.getByRole('button', { name: 'Extend' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Extended.');
    const extended = (await stack.api.http.get(`/v1/privacy-requests/${freshId}`).set(bearer(stack.brandKey))).body;
    expect(extended.extensionReason).toBe('Records are held by a processor abroad.');
    expect(new Date(extended.dueAt).getTime() - new Date(apiFresh.dueAt).getTime()).toBe(30 * DAY);
    await checkPage(page, 'console-request-open', 'Request: Restriction');

    // File a request for a customer who wrote in: find by email, file, the deadline runs.
    await page.getByRole('link', { name: 'File a request' }).click();
    await page.getByLabel('Customer’s email address').fill('marek.nowak@example.com');
    await page.getByRole('button', { name: 'Find' }).click();
    const match = page.locator(`form[data-subject-id="${marek}"]`);
    await match.getByLabel('What they asked for').selectOption('rectification');
    await checkPage(page, 'console-new-request', 'File a request for a customer');
    await match.getByRole('button', { name: 'File the request' }).click();
    await expect.poll(() => notice(page).textContent()).toContain('Filed.');
    expect(await page.locator('h1').textContent()).toBe('Request: Correction');
    const filedId = new URL(page.url()).pathname.split('/').pop()!;
    const filed = (await stack.api.http.get(`/v1/privacy-requests/${filedId}`).set(bearer(stack.brandKey))).body;
    expect(filed).toMatchObject({ subjectId: marek, type: 'rectification', status: 'received', overdue: false });
    expect(filed.history[0].actor).toMatch(/^staff:/);

    // Integrity and trends: both chains verify; consent changes per purpose as bars and a table.
    await page.getByRole('link', { name: 'Integrity and trends' }).click();
    const ledger = (await stack.api.http.get('/v1/ledger/verify').set(bearer(stack.brandKey))).body;
    expect(ledger.ok).toBe(true);
    expect(await page.locator('[data-check="ledger"]').textContent()).toContain(`All ${ledger.events} entries verify.`);
    expect(await page.locator('[data-check="audit"]').textContent()).toContain('Intact');
    const stats = (await stack.api.http.get('/v1/consent-stats').query({ days: 90 }).set(bearer(stack.brandKey))).body;
    const email = stats.purposes.find((p: { purpose: string }) => p.purpose === 'email_marketing');
    const granted = email.series.reduce((sum: number, d: { granted: number }) => sum + d.granted, 0);
    const withdrawn = email.series.reduce((sum: number, d: { withdrawn: number }) => sum + d.withdrawn, 0);
    const trend = page.locator('li.trend[data-purpose="email_marketing"]');
    expect(await trend.locator('.chart').getAttribute('aria-label')).toContain(`${granted} granted and ${withdrawn} withdrawn`);
    await trend.locator('summary').click();
    const cells = await trend.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => Number(c.textContent))));
    expect(cells.reduce((sum, [g]) => sum + g!, 0)).toBe(granted);
    expect(cells.reduce((sum, [, w]) => sum + w!, 0)).toBe(withdrawn);
    await checkPage(page, 'console-integrity', 'Integrity and trends');

    // Sign out ends the staff session at the API too.
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/admin/sign-in`);
    expect((await stack.api.http.get('/v1/staff/me').set(bearer(staffCookie.value))).status).toBe(401);
    await checkPage(page, 'console-sign-in', 'Staff sign in');
    await context.close();
  });

  it('a viewer sees the queue but cannot act, and the console explains why', async () => {
    const context = await stack.newContext();
    const page = await signIn(context, VIEWER.email);
    expect(await page.locator('main').textContent()).toContain('You have read-only access');
    expect(await page.getByRole('link', { name: 'File a request' }).count()).toBe(0);

    await page.goto(`/${BRAND}/admin/requests/${freshId}`);
    expect(await page.getByRole('button', { name: 'Carry out now' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Extend' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).toContain('Viewers cannot act on requests.');

    // Posting the form anyway (a crafted request with a valid token): the API refuses (403) and
    // the console says why; nothing changes.
    const csrf = await page.locator('form.sign-out input[name="_csrf"]').inputValue();
    const attempt = await page.request.post(`/${BRAND}/admin/actions/requests/${freshId}/execute`, { form: { _csrf: csrf, note: 'x' }, headers: { origin: stack.portalUrl }, maxRedirects: 0 });
    expect(attempt.status()).toBe(303);
    expect(attempt.headers().location).toBe(`/${BRAND}/admin/?notice=not-allowed`);
    await page.goto(attempt.headers().location!);
    expect(await notice(page).first().textContent()).toContain('Your role does not allow that');
    expect((await stack.api.http.get(`/v1/privacy-requests/${freshId}`).set(bearer(stack.brandKey))).body.status).toBe('received');
    await page.goto(`/${BRAND}/admin/requests/new`);
    expect(new URL(page.url()).pathname).toBe(`/${BRAND}/admin/`);
    await context.close();
  });

  it('console pages at phone width', async () => {
    const context = await stack.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    await page.goto(`/${BRAND}/admin/sign-in`);
    await checkPage(page, 'console-sign-in', 'Staff sign in');
    await page.close();
    const signedIn = await signIn(context, COMPLIANCE.email);
    await checkPage(signedIn, 'console-queue', 'Privacy requests');
    await signedIn.goto(`/${BRAND}/admin/requests/${overdueId}`);
    await checkPage(signedIn, 'console-request', 'Request: Correction');
    await signedIn.goto(`/${BRAND}/admin/requests/${freshId}`);
    await checkPage(signedIn, 'console-request-open', 'Request: Restriction');
    await signedIn.goto(`/${BRAND}/admin/requests/new?email=marek.nowak%40example.com`);
    await checkPage(signedIn, 'console-new-request', 'File a request for a customer');
    await signedIn.goto(`/${BRAND}/admin/integrity`);
    await signedIn.locator('li.trend summary').first().click();
    await checkPage(signedIn, 'console-integrity', 'Integrity and trends');
    await context.close();
  });
});

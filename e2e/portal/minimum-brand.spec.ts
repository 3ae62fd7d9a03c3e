// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';
import { portalRoutes } from '../support/portal-routes';
import { REPO_ROOT } from '../support/processes';
import { openLink, startPortalStack, type PortalStack } from '../support/portal-stack';

const PAGES = join(REPO_ROOT, 'portal', 'src', 'pages');

/**
 * Issue 13, item 6: a brand set up exactly as docs/api-guide.md "Setting up a brand" says — the
 * operator creates it, it adopts one catalogue purpose (email marketing: no personalization, no
 * questions, no catalogue, no dictionary) — and a customer of it signed in by a portal link. Every
 * page of the portal (read from portal/src/pages, so a new page is covered or this fails) renders
 * for it: nothing answers 5xx, and For you says why there are no suggestions.
 */
describe('portal: a brand with the minimum setup', () => {
  let stack: PortalStack;
  let mail: MailCatcher;
  const slug = `corner-shop-${randomBytes(3).toString('hex')}`;
  let key: string;
  let customer: string;
  let other: string;
  let unsubscribePath: string;
  let receiptPath: string;
  let requestId: string;
  const staffEmail = `owner.${randomBytes(3).toString('hex')}@corner-shop.example`;

  beforeAll(async () => {
    mail = await new MailCatcher().start();
    stack = await startPortalStack({ env: { SMTP_URL: mail.url, CANDOR_WEBHOOK_POLL_MS: '0' } });
    const http = stack.api.http;
    const ok = (res: { status: number; body: unknown }, status: number) => {
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      return res.body as Record<string, any>;
    };
    // docs/api-guide.md, "Setting up a brand": the operator creates the brand; the brand adopts a catalogue purpose.
    const brand = ok(await http.post('/v1/brands').set(bearer(stack.api.adminKey)).send({ slug, name: 'Corner Shop', defaultLocale: 'en' }), 201);
    key = brand.apiKey.key;
    ok(await http.post('/v1/purpose-catalogue/email_marketing/adopt').set(bearer(key)), 201);
    // Its customers ("Subjects"): one who has decided nothing yet, and one who agreed to the newsletter.
    const subject = (externalId: string) => http.post('/v1/subjects').set(bearer(key)).send({ externalId, email: `${externalId}@example.com` });
    customer = ok(await subject(`cs-${randomBytes(3).toString('hex')}`), 201).id;
    other = ok(await subject(`cs-${randomBytes(3).toString('hex')}`), 201).id;
    ok(await http.post(`/v1/subjects/${other}/consents`).set(bearer(key)).send({ purpose: 'email_marketing', granted: true, source: 'signup-form' }), 201);
    // "Before every send": an allowed email carries the person's unsubscribe link.
    const decision = ok(await http.get('/v1/decisions/contact').query({ subjectId: other, purpose: 'email_marketing', channel: 'email' }).set(bearer(key)), 200);
    unsubscribePath = new URL(decision.unsubscribe.url).pathname;
    // A privacy request for the customer (the console shows it), and an erased customer (whose receipt is emailed).
    requestId = ok(await http.post('/v1/privacy-requests').set(bearer(key)).send({ subjectId: customer, type: 'rectification', jurisdiction: 'gdpr' }), 201).id;
    const erased = ok(await subject(`cs-${randomBytes(3).toString('hex')}`), 201);
    ok(await http.post('/v1/privacy-requests').set(bearer(key)).send({ subjectId: erased.id, type: 'erasure' }), 201);
    receiptPath = `/${slug}/erasure-receipt/${await mail.find(erased.email, /\/erasure-receipt\/(cer_[A-Za-z0-9_-]{43})/)}`;
    // Staff for the console.
    ok(await http.post('/v1/staff').set(bearer(key)).send({ email: staffEmail, name: 'Corner Shop owner', role: 'admin' }), 201);
  });

  afterAll(async () => {
    await stack?.close();
    await mail?.stop();
  });

  it('renders every page of the portal: none answers 5xx', { timeout: 600_000 }, async () => {
    const context = await stack.newContext();
    const page = await context.newPage();
    const covered = new Set<string>();
    const failures: string[] = [];

    /**
     * The page at `path` answers the status it should (200 unless said: never a 5xx but the error
     * page itself, nor a "could not accept that" page in place of the page) with a heading.
     */
    const visit = async (file: string, path: string, status = 200) => {
      covered.add(file);
      const response = await page.goto(path);
      const got = response?.status() ?? 0;
      const h1 = ((await page.locator('h1').first().textContent().catch(() => '')) ?? '').trim();
      if (got !== status) failures.push(`${file} (${path}): ${got}, not ${status}`);
      if (!h1) failures.push(`${file} (${path}): no heading`);
    };

    // Signed out.
    await visit('index.astro', '/');
    await visit('404.astro', '/no-such-brand/', 404);
    // The error page itself answers 500 by design; it must still render.
    await visit('500.astro', '/500', 500);
    await visit('forbidden.astro', '/forbidden', 403);
    await visit('not-accepted.astro', `/not-accepted?status=422&brand=${slug}`, 422);
    await visit('too-many-requests.astro', `/too-many-requests?after=600&brand=${slug}`, 429);
    await visit('[brand]/sign-in.astro', `/${slug}/sign-in`);
    await visit('[brand]/goodbye.astro', `/${slug}/goodbye?ref=00000000-0000-4000-8000-000000000000&at=2026-03-02T10:02:00.000Z`);
    await visit('[brand]/erasure-receipt/[token].astro', receiptPath);
    await visit('[brand]/unsubscribe/[token].astro', unsubscribePath);
    // No purpose of the minimum brand asks for double opt-in: an unknown link is "not found", never an error.
    await visit('[brand]/confirm/[token].astro', `/${slug}/confirm/cco_${'A'.repeat(43)}`, 404);
    await visit('[brand]/admin/sign-in.astro', `/${slug}/admin/sign-in`);
    const link = await stack.api.http.post(`/v1/subjects/${customer}/portal-links`).set(bearer(key));
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    const linkPath = new URL(link.body.url).pathname;
    expect(linkPath.startsWith(`/${slug}/link/`)).toBe(true);
    await visit('[brand]/link/[token].astro', linkPath);

    // The customer, by portal link.
    await openLink(page, link.body.url);
    for (const p of ['index', 'for-you', 'consents', 'preferences', 'questions', 'activity', 'my-data', 'my-data/readable', 'my-data/forget']) {
      await visit(`[brand]/${p}.astro`, `/${slug}/${p === 'index' ? '' : p}`);
    }
    // For you explains itself: this brand makes no personal suggestions.
    await page.goto(`/${slug}/for-you`);
    expect(await page.locator('.unavailable').textContent()).toContain('Corner Shop does not make personal suggestions, so nothing about you is used for them.');
    expect(await page.locator('li.suggestion').count()).toBe(0);
    // Someone else's link while signed in: "switch account?"; stay.
    const otherLink = await stack.api.http.post(`/v1/subjects/${other}/portal-links`).set(bearer(key));
    await openLink(page, otherLink.body.url);
    expect(new URL(page.url()).pathname).toBe(`/${slug}/switch-account`);
    await visit('[brand]/switch-account.astro', `/${slug}/switch-account`);
    await page.locator('form:has(input[name="choice"][value="stay"]) button').click();
    await page.waitForURL((u) => !u.pathname.endsWith('/switch-account'));

    // Staff, signed in by emailed link.
    await page.goto(`/${slug}/admin/sign-in?lang=en`);
    const before = mail.messages.length;
    await page.getByLabel('Work email').fill(staffEmail);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.waitForURL(/sent=1/);
    let staffLink: string | undefined;
    await expect
      .poll(() => (staffLink = mail.messages.slice(before).filter((m) => m.includes(staffEmail)).map((m) => /\/admin\/link\/(ssl_[A-Za-z0-9_-]+)/.exec(m)?.[1]).find(Boolean)), { timeout: 5000 })
      .toBeTruthy();
    await visit('[brand]/admin/link/[token].astro', `/${slug}/admin/link/${staffLink}`);
    await page.locator('form[action$="/admin/actions/link"] button[type="submit"]').click();
    await page.waitForURL(`${stack.portalUrl}/${slug}/admin/`);
    await visit('[brand]/admin/index.astro', `/${slug}/admin/`);
    await visit('[brand]/admin/requests/[id].astro', `/${slug}/admin/requests/${requestId}`);
    await visit('[brand]/admin/requests/new.astro', `/${slug}/admin/requests/new?email=${encodeURIComponent(`${customer}@example.com`)}`);
    await visit('[brand]/admin/integrity.astro', `/${slug}/admin/integrity`);

    // The downloads behind the pages (GET endpoints under /{brand}/) answer too, for the staff member and the customer.
    const staffExport = await context.request.get(`/${slug}/admin/subjects/${customer}/export.json`);
    if (staffExport.status() >= 500) failures.push(`admin export: ${staffExport.status()}`);
    await context.close();
    const customerContext = await stack.newContext();
    const customerPage = await customerContext.newPage();
    await openLink(customerPage, (await stack.api.http.post(`/v1/subjects/${customer}/portal-links`).set(bearer(key))).body.url);
    for (const route of portalRoutes().filter((r) => r.method === 'GET' && r.file.endsWith('.ts') && !r.file.startsWith('admin/'))) {
      const res = await customerContext.request.get(`/${slug}/${route.path}`);
      if (res.status() >= 500) failures.push(`${route.file} (GET /${slug}/${route.path}): ${res.status()}`);
    }
    await customerContext.close();

    expect(failures).toEqual([]);
    // Every page the portal has was visited (a new page joins this list, or this fails).
    const pages = (readdirSync(PAGES, { recursive: true }) as string[]).map((f) => f.replace(/\\/g, '/')).filter((f) => f.endsWith('.astro'));
    expect([...covered].sort()).toEqual(pages.sort());
  });
});

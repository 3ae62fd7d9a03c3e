// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { LOCALES } from '../../portal/src/lib/i18n';
import { LANG_COOKIE } from '../../portal/src/lib/security';
import { bearer } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';
import { REPO_ROOT } from '../support/processes';
import { ARTIFACTS, BRAND, axeViolations, openLink, sidewaysCulprits, startPortalStack, type PortalStack } from '../support/portal-stack';
import { WebhookReceiver } from '../support/webhook-receiver';

const PAGES = join(REPO_ROOT, 'portal', 'src', 'pages');
const SHOTS = join(ARTIFACTS, 'reflow');
/** One staff member per width: the two widths run side by side, each signing in by its own email. */
const STAFF = {
  320: { email: 'katarzyna.wisniewska-zdzieblowska@calmharbor.example', name: 'Katarzyna Wiśniewska-Zdziebłowska', role: 'compliance' },
  1280: { email: 'erzsebet.szentgyorgyi-nagy@calmharbor.example', name: 'Erzsébet Szentgyörgyi-Nagy', role: 'compliance' },
};
const WIDTHS = [320, 1280] as const;

/**
 * A customer whose data is as long as real data gets: an address that cannot break at a hyphen
 * or a space for 57 characters, Polish and Hungarian words of 30 and more letters, a link, a
 * sentence, and a downstream system with a long name. Another one is erased, for the receipt.
 */
const ALEKSANDRA = {
  externalId: 'ch-member-konstantynopolitanczykowianeczka-2026',
  email: 'konstantynopolitanczykowianeczka.przybyszewska-wierzbicka@przedsiebiorstwo-wielobranzowe-szczebrzeszyn.example',
  phone: '+48512345678',
  locale: 'pl',
  timezone: 'Europe/Warsaw',
};
const ERASED = { externalId: 'ch-member-megszentsegtelenithetetlensegeskedeseitekert', email: 'megszentsegtelenithetetlensegeskedeseitekert.kovacs@kozepes-vallalkozas.example', locale: 'hu', timezone: 'Europe/Budapest' };
const FACTS = [
  { key: 'motivation', value: 'reduce_stress', category: 'motivations', provenance: 'declared', source: 'welcome question' },
  { key: 'favourite_word', value: 'Konstantynopolitańczykowianeczka', category: 'interests', provenance: 'declared', source: 'ankieta powitalna Przedsiębiorstwa Wielobranżowego' },
  { key: 'meditation_intention_for_the_next_twelve_months', value: 'megszentségteleníthetetlenségeskedéseitekért', category: 'motivations', provenance: 'inferred', source: 'content you played' },
  { key: 'sport', value: 'https://przedsiebiorstwo-wielobranzowe-szczebrzeszyn.example/medytacja/konstantynopolitanczykowianeczka', category: 'interests', provenance: 'observed', source: 'app sessions' },
  { key: 'practice_place', value: 'W Szczebrzeszynie chrząszcz brzmi w trzcinie, a ja medytuję nad Wisłą', category: 'behavior', provenance: 'observed', source: 'app sessions' },
];
const SYSTEM = 'Przedsiębiorstwo Wielobranżowe — Konstantynopolitańczykowianeczka-lojalnościowy-system';

/**
 * WCAG 1.4.10 and axe-core on every page of the portal and the staff console, in every language,
 * at 320 px (the reflow width) and 1280 px, for a customer with long data: nothing scrolls
 * sideways and axe finds nothing. One browser; one context per width, the two side by side. A
 * full-page screenshot of every failing view, and of every page in Polish and Hungarian (the
 * longest words) at 320 px, goes to e2e/.artifacts/portal/reflow/.
 */
describe('portal: every page reflows, in every language', () => {
  let stack: PortalStack;
  let mail: MailCatcher;
  let receiver: WebhookReceiver;
  let aleksandra: string;
  let requestId: string;
  let receiptUrl: string;
  const facts = new Map<string, string>();

  beforeAll(async () => {
    mail = await new MailCatcher().start();
    receiver = await new WebhookReceiver().start();
    stack = await startPortalStack({ env: { SMTP_URL: mail.url, CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0' } });
    const api = (method: 'post' | 'put', path: string, body: object, status = 201) =>
      stack.api.http[method](path).set(bearer(stack.brandKey)).send(body).then((res) => {
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
        return res.body;
      });

    for (const width of WIDTHS) await api('post', '/v1/staff', STAFF[width]);
    await api('post', '/v1/webhooks', { url: receiver.url('/crm'), events: ['consent.changed', 'subject.erased'], name: SYSTEM });
    aleksandra = (await api('post', '/v1/subjects', ALEKSANDRA)).id;
    for (const purpose of ['personalization', 'email_marketing', 'partner_sharing', 'analytics']) await api('post', `/v1/subjects/${aleksandra}/consents`, { purpose, granted: true });
    await api('post', `/v1/subjects/${aleksandra}/consents`, { purpose: 'sms_marketing', granted: false });
    for (const fact of FACTS) facts.set(fact.key, (await api('post', `/v1/subjects/${aleksandra}/facts`, fact)).id);
    // Something in Activity: the brand reads her profile.
    const read = await stack.api.http.get(`/v1/subjects/${aleksandra}/profile`).query({ purpose: 'personalization' }).set(bearer(stack.brandKey));
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    requestId = (await api('post', '/v1/privacy-requests', { subjectId: aleksandra, type: 'rectification', jurisdiction: 'gdpr' })).id;

    const erased = (await api('post', '/v1/subjects', ERASED)).id;
    await api('post', `/v1/subjects/${erased}/consents`, { purpose: 'email_marketing', granted: true });
    expect((await api('post', '/v1/privacy-requests', { subjectId: erased, type: 'erasure' })).status).toBe('completed');
    const worker = stack.api.app.get(DeliveryWorker);
    for (let i = 0; i < 5; i++) await worker.deliverDue();
    const token = await mail.find(ERASED.email, /\/erasure-receipt\/(cer_[A-Za-z0-9_-]{43})/);
    receiptUrl = `/${BRAND}/erasure-receipt/${token}`;
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await stack?.close();
    await mail?.stop();
    await receiver?.stop();
  });

  for (const width of WIDTHS) {
    // Side by side (two contexts, one browser): about half the time on two cores.
    it.concurrent(`at ${width} px`, { timeout: 3_600_000 }, async ({ expect }) => {
      const started = Date.now();
      const context = await stack.newContext({ viewport: { width, height: width < 600 ? 640 : 900 } });
      const page = await context.newPage();
      const covered = new Set<string>();
      let views = 0;

      /**
       * The page at `path` in each language: the page is in that language, with every <details> opened nothing scrolls sideways, and axe finds
       * nothing. Soft expectations: one run lists every view that fails, not just the first.
       */
      const visit = async (file: string, path: string, status = 200) => {
        covered.add(file);
        for (const lang of LOCALES) {
          // The cookie the language switcher sets (one request per view instead of a redirect too).
          await context.addCookies([{ name: LANG_COOKIE, value: lang, url: stack.portalUrl }]);
          const response = await page.goto(path);
          const label = `${file} (${path}) in ${lang} at ${width} px`;
          expect(response?.status(), label).toBe(status);
          const shown = await page.evaluate(() => {
            document.querySelectorAll('details').forEach((d) => (d.open = true));
            return { lang: document.documentElement.lang, h1: document.querySelector('h1')?.textContent?.trim() ?? '' };
          });
          expect(shown.lang, label).toBe(lang);
          expect(shown.h1, label).not.toBe('');
          const sideways = await sidewaysCulprits(page);
          const violations = await axeViolations(page);
          expect.soft(sideways, `${label} scrolls sideways`).toEqual([]);
          expect.soft(violations, `axe violations on ${label}`).toEqual([]);
          if (sideways.length || violations.length || (width === 320 && (lang === 'pl' || lang === 'hu'))) {
            const query = path.includes('?') ? `_${path.split('?')[1]!.split('=')[0]}` : '';
            const name = `${file.replace(/\.astro$/, '').replace(/[[\]]/g, '').replace(/\//g, '_')}${query}-${lang}-${width}.png`;
            await page.screenshot({ path: join(SHOTS, name), fullPage: true });
          }
          views++;
        }
      };

      // Signed out.
      await visit('index.astro', '/');
      await visit('404.astro', '/no-such-brand/', 404);
      await visit('500.astro', '/500', 500);
      await visit('forbidden.astro', '/forbidden', 403);
      await visit('not-accepted.astro', `/not-accepted?status=422&brand=${BRAND}`, 422);
      await visit('too-many-requests.astro', `/too-many-requests?after=600&brand=${BRAND}`, 429);
      await visit('[brand]/sign-in.astro', `/${BRAND}/sign-in`);
      await visit('[brand]/sign-in.astro', `/${BRAND}/sign-in?sent=1`);
      await visit('[brand]/goodbye.astro', `/${BRAND}/goodbye?ref=00000000-0000-4000-8000-000000000000&at=2026-03-02T10:02:00.000Z`);
      await visit('[brand]/erasure-receipt/[token].astro', receiptUrl);
      await visit('[brand]/admin/sign-in.astro', `/${BRAND}/admin/sign-in`);
      await visit('[brand]/admin/sign-in.astro', `/${BRAND}/admin/sign-in?sent=1`);
      const link = new URL(await stack.portalLink(aleksandra)).pathname;
      await visit('[brand]/link/[token].astro', link);

      // The customer with long data.
      await openLink(page, link);
      await visit('[brand]/index.astro', `/${BRAND}/`);
      await visit('[brand]/for-you.astro', `/${BRAND}/for-you`);
      await visit('[brand]/for-you.astro', `/${BRAND}/for-you?correct=${facts.get('favourite_word')}`);
      await visit('[brand]/consents.astro', `/${BRAND}/consents`);
      await visit('[brand]/preferences.astro', `/${BRAND}/preferences`);
      await visit('[brand]/questions.astro', `/${BRAND}/questions`);
      await visit('[brand]/activity.astro', `/${BRAND}/activity`);
      await visit('[brand]/my-data.astro', `/${BRAND}/my-data`);
      await visit('[brand]/my-data/readable.astro', `/${BRAND}/my-data/readable`);
      await visit('[brand]/my-data/forget.astro', `/${BRAND}/my-data/forget`);
      await visit('404.astro', `/${BRAND}/consents/receipts/00000000-0000-4000-8000-000000000000`, 404);
      // A link for someone else while signed in: "switch account?" names both addresses. Stay.
      await openLink(page, await stack.portalLink(await stack.subjectId('ch-member-1001')));
      expect(new URL(page.url()).pathname).toBe(`/${BRAND}/switch-account`);
      await visit('[brand]/switch-account.astro', `/${BRAND}/switch-account`);
      await page.locator('form:has(input[name="choice"][value="stay"]) button').click();
      await page.waitForURL((u) => !u.pathname.endsWith('/switch-account'));

      // Staff: sign in by emailed link; the customer's long address in the queue, request and search.
      await page.goto(`/${BRAND}/admin/sign-in?lang=en`);
      const before = mail.messages.length;
      await page.getByLabel('Work email').fill(STAFF[width].email);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.waitForURL(/sent=1/);
      let staffLink: string | undefined;
      await expect
        .poll(() => (staffLink = mail.messages.slice(before).filter((m) => m.includes(STAFF[width].email)).map((m) => /\/admin\/link\/(ssl_[A-Za-z0-9_-]+)/.exec(m)?.[1]).find(Boolean)), { timeout: 5000 })
        .toBeTruthy();
      await visit('[brand]/admin/link/[token].astro', `/${BRAND}/admin/link/${staffLink}`);
      await page.locator('form[action$="/admin/actions/link"] button[type="submit"]').click();
      await page.waitForURL(`${stack.portalUrl}/${BRAND}/admin/`);
      await visit('[brand]/admin/index.astro', `/${BRAND}/admin/`);
      await visit('[brand]/admin/requests/[id].astro', `/${BRAND}/admin/requests/${requestId}`);
      await visit('[brand]/admin/requests/new.astro', `/${BRAND}/admin/requests/new?email=${encodeURIComponent(ALEKSANDRA.email)}`);
      await visit('[brand]/admin/integrity.astro', `/${BRAND}/admin/integrity`);
      await context.close();

      // Every page the portal has was visited (a new page joins this list, or this fails).
      const pages = (readdirSync(PAGES, { recursive: true }) as string[]).map((f) => f.replace(/\\/g, '/')).filter((f) => f.endsWith('.astro'));
      expect([...covered].sort()).toEqual(pages.sort());
      // The spec's cost, for the record (docs/portal.md): a timed test would only be flaky.
      console.log(`reflow at ${width} px: ${views} views of ${covered.size} pages in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });
  }
});

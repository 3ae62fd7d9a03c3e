// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
/// <reference lib="dom" />
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BRANDS } from '../../api/src/modules/demo/demo-data';
import { PURPOSE_CATALOGUE } from '../../api/src/modules/purposes/purpose-catalogue';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { LOCALES, messagesFor } from '../../portal/src/lib/i18n';
import { LANG_COOKIE } from '../../portal/src/lib/security';
import { bearer } from '../support/factories';
import { LEAK_LOCALES, contentVocabularies, englishLeaks, vocabularyOf, wordsOf, type LeakLocale, type Vocabularies } from '../support/language-leak';
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
/** A purpose with double opt-in, for the confirmation page a person reaches from the email. */
const LETTER = {
  key: 'weekly_letter',
  name: { en: 'The weekly letter', nb: 'Ukebrevet', da: 'Ugebrevet', pl: 'Tygodniowy list', hu: 'A heti levél' },
  notice: { en: 'One letter a week about breathing.', nb: 'Ett brev i uka om pusten.', da: 'Ét brev om ugen om vejrtrækning.', pl: 'Jeden list w tygodniu o oddychaniu.', hu: 'Hetente egy levél a légzésről.' },
};

/**
 * The English-leak check (issue: every word in the customer's language). English is what Candor
 * itself says in English (the portal's messages) and the demo brands' English content; a page in
 * another language may hold none of it except words of that language, proper names (ALLOW) and
 * brand content this spec wrote in one language on purpose (the long customer's own facts,
 * sources and names: content without a translation is shown as the brand wrote it).
 */
const ALLOW = ['calm', 'harbor', 'kitchen', 'atelier', 'candor', 'privacy'];
const OWN_CONTENT = [FACTS, SYSTEM, STAFF, ALEKSANDRA, ERASED].flatMap((value) => wordsOf(JSON.stringify(value).replace(/[_-]+/g, ' ')));
const DEMO_CONTENT = contentVocabularies([DEMO_BRANDS, PURPOSE_CATALOGUE]);
const ENGLISH = vocabularyOf(messagesFor('en'), new Set(DEMO_CONTENT.en));
const VOCABULARIES = Object.fromEntries(
  LEAK_LOCALES.map((locale) => [
    locale,
    { english: ENGLISH, local: vocabularyOf(messagesFor(locale), new Set([...DEMO_CONTENT[locale], ...OWN_CONTENT])), allow: new Set(ALLOW) },
  ]),
) as Record<LeakLocale, Vocabularies>;
const isLeakLocale = (lang: string): lang is LeakLocale => (LEAK_LOCALES as readonly string[]).includes(lang);
/**
 * What a person reads on the page in the page's language (every disclosure opened): its title and
 * text, without the parts marked as another language (`lang`, WCAG 3.1.2) — such as a notice's
 * text in the languages the person did not read it in, offered on purpose.
 */
const readable = (page: Page) =>
  page.evaluate(() => {
    document.querySelectorAll('details').forEach((d) => (d.open = true));
    const others = [...document.body.querySelectorAll<HTMLElement>('[lang]')].filter((e) => e.lang !== document.documentElement.lang && !e.hidden);
    others.forEach((e) => (e.hidden = true));
    const text = `${document.title}\n${document.body.innerText}`;
    others.forEach((e) => (e.hidden = false));
    return text;
  });

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
  let unsubscribePath: string;
  let confirmPath: string;
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

    // The pages people reach from a brand's emails: one-click unsubscribe and double opt-in.
    const decision = await stack.api.http.get('/v1/decisions/contact').query({ subjectId: aleksandra, purpose: 'email_marketing', channel: 'email' }).set(bearer(stack.brandKey));
    expect(decision.body.unsubscribe?.url, JSON.stringify(decision.body)).toBeDefined();
    unsubscribePath = new URL(decision.body.unsubscribe.url).pathname;
    await api('post', '/v1/purposes', { key: LETTER.key, name: LETTER.name, legalBasis: 'consent', dataCategories: ['contact'], channels: ['email'], doubleOptIn: true });
    await api('post', `/v1/purposes/${LETTER.key}/notices`, { text: LETTER.notice });
    await api('post', `/v1/subjects/${aleksandra}/consents`, { purpose: LETTER.key, granted: true }, 202);
    confirmPath = `/${BRAND}/confirm/${await mail.find(ALEKSANDRA.email, /\/confirm\/(cco_[A-Za-z0-9_-]{43})/)}`;
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
          // The words are the same at both widths: read them once.
          if (width === 1280 && isLeakLocale(lang)) expect.soft(englishLeaks(await readable(page), VOCABULARIES[lang]), `English on ${label}`).toEqual([]);
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
      await visit('[brand]/unsubscribe/[token].astro', unsubscribePath);
      await visit('[brand]/unsubscribe/[token].astro', `/${BRAND}/unsubscribe/not-a-link`, 404);
      await visit('[brand]/confirm/[token].astro', confirmPath);
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

      // A demo customer (Ingrid, with the demo brand's dictionary behind every fact) reads her
      // pages in every language: no English, the words only (axe and reflow are covered above).
      if (width === 1280) {
        const demo = await stack.newContext();
        const reader = await demo.newPage();
        await openLink(reader, await stack.portalLink(await stack.subjectId('ch-member-1001')));
        await reader.waitForURL((u) => !u.pathname.includes('/link/'));
        for (const path of ['', 'for-you', 'consents', 'preferences', 'questions', 'activity', 'my-data', 'my-data/readable', 'my-data/forget']) {
          for (const lang of LEAK_LOCALES) {
            await demo.addCookies([{ name: LANG_COOKIE, value: lang, url: stack.portalUrl }]);
            const response = await reader.goto(`/${BRAND}/${path}`);
            const label = `/${BRAND}/${path} for Ingrid in ${lang}`;
            expect.soft(response?.status(), label).toBe(200);
            expect.soft(englishLeaks(await readable(reader), VOCABULARIES[lang]), `English on ${label}`).toEqual([]);
            // "What we know about you" in each language, for docs/portal.md.
            if (path === '') await reader.screenshot({ path: join(ARTIFACTS, `home-${lang}-1280.png`), fullPage: true });
          }
        }
        await demo.close();
      }

      // Every page the portal has was visited (a new page joins this list, or this fails).
      const pages = (readdirSync(PAGES, { recursive: true }) as string[]).map((f) => f.replace(/\\/g, '/')).filter((f) => f.endsWith('.astro'));
      expect([...covered].sort()).toEqual(pages.sort());
      // The spec's cost, for the record (docs/portal.md): a timed test would only be flaky.
      console.log(`reflow at ${width} px: ${views} views of ${covered.size} pages in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });
  }
});

import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../api/src/common/clock';
import { bearer } from '../support/factories';
import { MailCatcher } from '../support/mail-catcher';
import { BRAND, checkPage, startPortalStack, type PortalStack } from '../support/portal-stack';

/**
 * The pages people reach from a brand's emails without signing in: one-click unsubscribe (the
 * `List-Unsubscribe` link) and the double opt-in confirmation. In the person's language, never
 * changing anything on GET, and taking the mailbox provider's credential-less POST.
 */
describe('pages reached from emails', () => {
  let stack: PortalStack;
  let smtp: MailCatcher;
  const LETTER = `weekly_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    smtp = await new MailCatcher().start();
    stack = await startPortalStack({ env: { SMTP_URL: smtp.url } });
    const purpose = await stack.api.http
      .post('/v1/purposes')
      .set(bearer(stack.brandKey))
      .send({
        key: LETTER,
        name: { en: 'The weekly letter', nb: 'Ukebrevet', da: 'Ugebrevet', pl: 'Tygodniowy list', hu: 'A heti levél' },
        legalBasis: 'consent',
        dataCategories: ['contact'],
        channels: ['email'],
        doubleOptIn: true,
      });
    expect(purpose.status, JSON.stringify(purpose.body)).toBe(201);
    const notice = await stack.api.http
      .post(`/v1/purposes/${LETTER}/notices`)
      .set(bearer(stack.brandKey))
      .send({ text: { en: 'One letter a week about breathing.', hu: 'Hetente egy levél a légzésről.', nb: 'Ett brev i uka om pusten.' } });
    expect(notice.status).toBe(201);
  });
  afterEach(() => stack.api.app.get(Clock).reset());
  afterAll(async () => {
    await stack?.close();
    await smtp?.stop();
  });

  const person = async (fields: Record<string, string> = {}) => {
    const email = `reader.${randomBytes(4).toString('hex')}@example.com`;
    const res = await stack.api.http.post('/v1/subjects').set(bearer(stack.brandKey)).send({ externalId: `email-links-${randomBytes(4).toString('hex')}`, email, ...fields });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id as string, email };
  };
  const decide = async (subjectId: string, purpose = 'email_marketing') => {
    const res = await stack.api.http.get('/v1/decisions/contact').query({ subjectId, purpose, channel: 'email' }).set(bearer(stack.brandKey));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { allowed: boolean; reasons: string[]; unsubscribe?: { url: string } };
  };
  const subscribed = async (fields: Record<string, string> = {}) => {
    const p = await person(fields);
    const granted = await stack.api.http.post(`/v1/subjects/${p.id}/consents`).set(bearer(stack.brandKey)).send({ purpose: 'email_marketing', granted: true });
    expect(granted.status).toBe(201);
    const { unsubscribe } = await decide(p.id);
    expect(unsubscribe!.url.startsWith(`${stack.portalUrl}/${BRAND}/unsubscribe/`)).toBe(true);
    return { ...p, url: unsubscribe!.url };
  };

  describe('one-click unsubscribe', () => {
    it('shows the person, in the language the brand stored for them, what the link would do; only the button unsubscribes', async () => {
      const { id, url } = await subscribed({ locale: 'pl' });
      const context = await stack.newContext(); // an English browser
      // Mail scanners and link previews fetch the link: nothing happens.
      for (let i = 0; i < 2; i++) expect((await context.request.get(url, { maxRedirects: 0 })).status()).toBe(200);
      expect((await decide(id)).allowed).toBe(true);

      const page = await context.newPage();
      const opened = await page.goto(url);
      expect(opened?.status()).toBe(200);
      expect(await page.locator('html').getAttribute('lang')).toBe('pl');
      await checkPage(page, 'unsubscribe-pl', 'Wypisać się z „Newslettery i oferty e-mailem”?');
      expect(await page.locator('.lede').textContent()).toBe('Naciśnij przycisk, a Calm Harbor przestanie wysyłać Ci „Newslettery i oferty e-mailem” e-mailem. Nic się nie zmieni, dopóki go nie naciśniesz.');
      expect(await page.locator(`a[href="/${BRAND}/preferences"]`).textContent()).toBe('Zarządzaj ustawieniami');
      expect((await decide(id)).allowed).toBe(true);

      await page.getByRole('button', { name: 'Wypisz mnie z „Newslettery i oferty e-mailem”' }).click();
      await page.waitForSelector('[data-state="done"]');
      await checkPage(page, 'unsubscribed-pl', 'Wypisano Cię');
      expect(await decide(id)).toEqual({ allowed: false, reasons: ['consent-withdrawn'] });
      const history = await stack.api.http.get(`/v1/subjects/${id}/consents`).set(bearer(stack.brandKey));
      expect(history.body.history.at(-1)).toMatchObject({ purpose: 'email_marketing', granted: false, source: 'one-click-unsubscribe' });

      // Opening the link again says it is done, with the date.
      await page.goto(url);
      expect(await page.locator('[data-state]').getAttribute('data-state')).toBe('already');
      expect(await page.locator('.lede').textContent()).toMatch(/^Calm Harbor nie wysyła Ci już „Newslettery i oferty e-mailem”\. Rezygnację zapisano \d{1,2} \p{L}+ \d{4}\.$/u);
      await context.close();
    });

    it('takes the mailbox provider\'s POST (RFC 8058): no cookie, no CSRF token, any origin — and answers 2xx', async () => {
      const { id, url } = await subscribed();
      // RFC 8058 recommends multipart/form-data (fetch writes FormData so), and allows url-encoded.
      const body = new FormData();
      body.set('List-Unsubscribe', 'One-Click');
      const provider = await fetch(url, { method: 'POST', headers: { origin: 'https://mail.provider.example' }, body, redirect: 'manual' });
      expect(provider.status).toBe(200);
      expect(await decide(id)).toEqual({ allowed: false, reasons: ['consent-withdrawn'] });
      // A retry changes nothing and still succeeds.
      expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
      const history = await stack.api.http.get(`/v1/subjects/${id}/consents`).set(bearer(stack.brandKey));
      expect(history.body.history.filter((e: { source: string }) => e.source === 'one-click-unsubscribe')).toHaveLength(1);
    });

    it('a POST without the one-click body changes nothing (400), and the person\'s browser language is used when the brand stored none', async () => {
      const { id, url } = await subscribed();
      const odd = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'da-DK,da;q=0.9' }, body: 'unsubscribe=yes' });
      expect(odd.status).toBe(400);
      expect(await odd.text()).toContain('<html lang="da"');
      expect((await decide(id)).allowed).toBe(true);

      const context = await stack.newContext({ locale: 'da-DK' });
      const page = await context.newPage();
      await page.goto(url);
      await checkPage(page, 'unsubscribe-da', 'Afmeld »Nyhedsbreve og tilbud på e-mail«?');
      await context.close();
    });

    it('says in the person\'s language when a link is changed (404) or revoked (410), and changes nothing', async () => {
      const { id, url } = await subscribed({ locale: 'nb' });
      const token = url.split('/unsubscribe/')[1];
      const context = await stack.newContext({ locale: 'nb-NO' });
      const page = await context.newPage();
      const changed = await page.goto(`${stack.portalUrl}/${BRAND}/unsubscribe/${token.slice(0, -4)}AAAA`);
      expect(changed?.status()).toBe(404);
      await checkPage(page, 'unsubscribe-invalid-nb', 'Denne avmeldingslenken virker ikke');
      expect(await page.locator('.lede').textContent()).toContain('Ingenting ble endret.');

      const revoked = await stack.api.http.delete(`/v1/subjects/${id}/unsubscribe-links`).set(bearer(stack.brandKey));
      expect(revoked.status).toBe(204);
      const gone = await page.goto(url);
      expect(gone?.status()).toBe(410);
      expect(await page.locator('.lede').textContent()).toBe('Denne lenken er erstattet eller ikke lenger gyldig. Ingenting ble endret. Logg inn for å administrere innstillingene dine.');
      const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(posted.status).toBe(410);
      expect((await decide(id)).allowed).toBe(true);
      await context.close();
    });
  });

  describe('double opt-in', () => {
    const ask = async (subjectId: string) => {
      const res = await stack.api.http.post(`/v1/subjects/${subjectId}/consents`).set(bearer(stack.brandKey)).send({ purpose: LETTER, granted: true, source: 'signup-form' });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    };
    const linkFor = async (email: string) => {
      const [mail] = await smtp.waitFor(email);
      const link = /(http:\/\/\S+\/confirm\/cco_[A-Za-z0-9_-]{43}\?lang=\w+)/.exec(mail.text)?.[1];
      expect(link, mail.text).toBeDefined();
      return { link: link!, mail };
    };

    it('in Hungarian: the emailed link opens a page that changes nothing; "Megerősítés" confirms the grant', async () => {
      const { id, email } = await person({ locale: 'hu' });
      await ask(id);
      const { link, mail } = await linkFor(email);
      expect(mail.subject).toBe('Kérjük, erősítsd meg: A heti levél – Calm Harbor');
      expect(link.startsWith(`${stack.portalUrl}/${BRAND}/confirm/`)).toBe(true);

      const context = await stack.newContext(); // an English browser: the link's language wins
      expect((await context.request.get(link)).status()).toBe(200);
      const page = await context.newPage();
      await page.goto(link);
      expect(await page.locator('html').getAttribute('lang')).toBe('hu');
      await checkPage(page, 'confirm-hu', 'Megerősítés: „A heti levél”');
      expect(await page.locator('.notice-text').textContent()).toBe('Hetente egy levél a légzésről.');
      expect(await decide(id, LETTER)).toEqual({ allowed: false, reasons: ['pending-confirmation'] });

      // The form is protected like every other: without the CSRF token, or from another site, nothing happens.
      const token = new URL(link).pathname.split('/confirm/')[1];
      const action = `${stack.portalUrl}/${BRAND}/actions/confirm`;
      expect((await context.request.post(action, { form: { token }, headers: { origin: stack.portalUrl }, maxRedirects: 0 })).status()).toBe(403);
      const csrf = (await page.locator('input[name="_csrf"]').getAttribute('value'))!;
      expect((await context.request.post(action, { form: { token, _csrf: csrf }, headers: { origin: 'https://attacker.example' }, maxRedirects: 0 })).status()).toBe(403);
      expect((await decide(id, LETTER)).reasons).toEqual(['pending-confirmation']);

      await page.getByRole('button', { name: 'Megerősítés' }).click();
      await page.waitForSelector('[data-state="confirmed"]');
      await checkPage(page, 'confirmed-hu', 'Köszönjük – megerősítve');
      expect(await page.locator('.lede').textContent()).toMatch(/^Megerősítetted ezt: „A heti levél” \(.+\)\. A Calm Harbor mostantól küldheti neked\.$/);
      expect((await decide(id, LETTER)).allowed).toBe(true);
      const history = await stack.api.http.get(`/v1/subjects/${id}/consents`).set(bearer(stack.brandKey));
      expect(history.body.history).toEqual([expect.objectContaining({ purpose: LETTER, granted: true, source: 'double-opt-in' })]);
      await context.close();
    });

    it('in Norwegian: a link opened after it expired says so (410) and records nothing', async () => {
      const { id, email } = await person({ locale: 'nb' });
      stack.api.app.get(Clock).travel(-8 * 86_400_000);
      await ask(id);
      stack.api.app.get(Clock).reset();
      const { link } = await linkFor(email);
      const context = await stack.newContext();
      const page = await context.newPage();
      await page.goto(link);
      expect(await page.locator('[data-state]').getAttribute('data-state')).toBe('expired');
      await checkPage(page, 'confirm-expired-nb', 'Denne lenken er utløpt');
      expect((await context.request.get(link.split('?')[0])).status()).toBe(410);
      expect(await decide(id, LETTER)).toEqual({ allowed: false, reasons: ['no-consent'] });
      await context.close();
    });
  });
});

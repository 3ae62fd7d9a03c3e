import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { bearer, createBrand, createSubject, signInCustomer, TestBrand } from '../support/factories';
import { MailCatcher, type CaughtMail } from '../support/mail-catcher';

/**
 * Every email Candor sends a person — the sign-in link, the console sign-in link, the erasure
 * receipt — arrives through a real SMTP server in the reader's language: subject, plain text and
 * HTML, and its link works.
 */
let api: TestApi;
let mail: MailCatcher;
let brand: TestBrand;
beforeAll(async () => {
  mail = await new MailCatcher().start();
  api = await startApi({ env: { SMTP_URL: mail.url, PORTAL_URL: 'http://portal.test' } });
  brand = await createBrand(api, 'Calm Harbor');
});
afterAll(async () => {
  await api?.close();
  await mail?.stop();
});

const LOCALES = ['en', 'nb', 'da', 'pl', 'hu'] as const;
type Locale = (typeof LOCALES)[number];

/** What a reader of each language sees: the subject line and a sentence only that email has. */
const SIGN_IN: Record<Locale, { subject: string; sentence: string }> = {
  en: { subject: 'Your sign-in link for Calm Harbor', sentence: 'Use this link within 15 minutes to see and manage what Calm Harbor knows about you.' },
  nb: { subject: 'Innloggingslenken din for Calm Harbor', sentence: 'Bruk denne lenken innen 15 minutter for å se og endre det Calm Harbor vet om deg.' },
  da: { subject: 'Dit login-link til Calm Harbor', sentence: 'Brug dette link inden for 15 minutter for at se og ændre det, Calm Harbor ved om dig.' },
  pl: { subject: 'Twój link do logowania: Calm Harbor', sentence: 'Użyj tego linku w ciągu 15 minut, aby zobaczyć i zmienić to, co marka Calm Harbor o Tobie wie.' },
  hu: { subject: 'Calm Harbor: a belépési linked', sentence: 'Ezzel a linkkel 15 percen belül megnézheted és módosíthatod, amit a Calm Harbor tud rólad.' },
};
const STAFF: Record<Locale, { subject: string; sentence: string }> = {
  en: { subject: 'Your sign-in link for the Calm Harbor privacy console', sentence: 'Use this link within 15 minutes to sign in to the privacy console of Calm Harbor.' },
  nb: { subject: 'Innloggingslenken din for personvernkonsollen til Calm Harbor', sentence: 'Bruk denne lenken innen 15 minutter for å logge inn i personvernkonsollen til Calm Harbor.' },
  da: { subject: 'Dit login-link til privatlivskonsollen hos Calm Harbor', sentence: 'Brug dette link inden for 15 minutter for at logge ind i privatlivskonsollen hos Calm Harbor.' },
  pl: { subject: 'Twój link do konsoli prywatności marki Calm Harbor', sentence: 'Użyj tego linku w ciągu 15 minut, aby zalogować się do konsoli prywatności marki Calm Harbor.' },
  hu: { subject: 'Calm Harbor: belépési link az adatvédelmi konzolhoz', sentence: 'Ezzel a linkkel 15 percen belül beléphetsz a Calm Harbor adatvédelmi konzoljába.' },
};
const ERASURE: Record<Locale, { subject: string; day: string }> = {
  en: { subject: 'Calm Harbor has erased your data', day: 'As you asked, Calm Harbor erased the personal data it held about you on' },
  nb: { subject: 'Calm Harbor har slettet dataene dine', day: 'Som du ba om, slettet Calm Harbor personopplysningene vi hadde om deg' },
  da: { subject: 'Calm Harbor har slettet dine data', day: 'Som du bad om, slettede Calm Harbor de personoplysninger, vi havde om dig, den' },
  pl: { subject: 'Marka Calm Harbor usunęła Twoje dane', day: 'Zgodnie z Twoją prośbą marka Calm Harbor usunęła dnia' },
  hu: { subject: 'A Calm Harbor törölte az adataidat', day: 'Kérésednek megfelelően a Calm Harbor' },
};

/** English words that have no business in an email written in another language. */
const ENGLISH = /\b(the|your|you|within|this|email|sign|ignore|nothing|what|knows|about|link works|receipt|erased)\b/i;

/** The one link in the email, read from the text part and from the HTML part (button and spelled-out address). */
function linkIn(message: CaughtMail, pattern: RegExp): string {
  const inText = message.text.match(pattern)?.[0];
  expect(inText, message.text).toBeTruthy();
  const hrefs = [...message.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
  expect(hrefs).toEqual([inText, inText]);
  return inText!;
}

/** The same message in both parts, in its language, and nothing English in a translation. */
function expectLanguage(message: CaughtMail, locale: Locale, subject: string, sentence: string): void {
  expect(message.subject).toBe(subject);
  expect(message.headers['content-language']).toBe(locale);
  expect(message.html).toContain(`<html lang="${locale}">`);
  expect(message.text).toContain(sentence);
  expect(message.html).toContain(sentence);
  if (locale !== 'en') {
    const words = `${message.subject}\n${message.text}`.replace(/https?:\/\/\S+/g, '').replace(/Calm Harbor|Candor/g, '');
    expect(words).not.toMatch(ENGLISH);
  }
}

describe('emails in the reader\'s language', () => {
  it('sign-in links come in the language of the page that asked, and sign the person in', async () => {
    for (const locale of LOCALES) {
      const email = `reader.${locale}.${brand.slug}@example.com`;
      // Stored as English: the page's language still wins, since that is what the person reads now.
      await createSubject(api, brand, { email, locale: 'en' });
      const before = mail.raw.length;
      const res = await api.http.post('/v1/auth/magic-links').send({ brand: brand.slug, email, locale });
      expect(res.status).toBe(202);
      const message = await mail.next(email, before);
      expectLanguage(message, locale, SIGN_IN[locale].subject, SIGN_IN[locale].sentence);
      const link = linkIn(message, new RegExp(`http://portal\\.test/${brand.slug}/link/cml_[A-Za-z0-9_-]+`));
      const session = await api.http.post('/v1/auth/sessions').send({ token: link.split('/').pop() });
      expect(session.status, JSON.stringify(session.body)).toBe(201);
      expect((await api.http.get('/v1/me').set(bearer(session.body.sessionToken))).body.subject.email).toBe(email);
    }
  });

  it('without a page language, a sign-in link comes in the customer\'s stored language, else the brand\'s', async () => {
    const danish = `stored.da.${brand.slug}@example.com`;
    await createSubject(api, brand, { email: danish, locale: 'da-DK' });
    let before = mail.raw.length;
    await api.http.post('/v1/auth/magic-links').send({ brand: brand.slug, email: danish });
    expectLanguage(await mail.next(danish, before), 'da', SIGN_IN.da.subject, SIGN_IN.da.sentence);

    // A page in a language Candor does not write (German) and no stored language: the brand's default, Norwegian.
    const slug = `nordlys-${brand.slug.slice(-6)}`;
    const created = await api.http.post('/v1/brands').set(bearer(api.adminKey)).send({ slug, name: 'Calm Harbor', defaultLocale: 'nb' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const nordic: TestBrand = { id: created.body.id, slug, key: created.body.apiKey.key };
    const unknown = `stored.none.${slug}@example.com`;
    await createSubject(api, nordic, { email: unknown });
    before = mail.raw.length;
    await api.http.post('/v1/auth/magic-links').send({ brand: slug, email: unknown, locale: 'de-DE' });
    expectLanguage(await mail.next(unknown, before), 'nb', SIGN_IN.nb.subject, SIGN_IN.nb.sentence);
  });

  it('refuses a language that is not a language tag, without echoing it', async () => {
    const res = await api.http.post('/v1/auth/magic-links').send({ brand: brand.slug, email: 'x@example.com', locale: '<b>pl</b>' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'locale' })]);
    expect(JSON.stringify(res.body)).not.toContain('<b>');
  });

  it('console sign-in links come in the language of the page that asked, and open the console', async () => {
    for (const locale of LOCALES) {
      const email = `staff.${locale}.${brand.slug}@example.com`;
      const created = await api.http.post('/v1/staff').set(bearer(brand.key)).send({ email, name: `Staff ${locale}`, role: 'viewer' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const before = mail.raw.length;
      expect((await api.http.post('/v1/auth/staff-links').send({ brand: brand.slug, email, locale })).status).toBe(202);
      const message = await mail.next(email, before);
      expectLanguage(message, locale, STAFF[locale].subject, STAFF[locale].sentence);
      const link = linkIn(message, new RegExp(`http://portal\\.test/${brand.slug}/admin/link/ssl_[A-Za-z0-9_-]+`));
      const session = await api.http.post('/v1/auth/staff-sessions').send({ token: link.split('/').pop() });
      expect(session.status, JSON.stringify(session.body)).toBe(201);
    }
  });

  it('erasure receipts come in the language the customer confirmed in, and their link opens the receipt', async () => {
    for (const locale of LOCALES) {
      const email = `forget.${locale}.${brand.slug}@example.com`;
      const subject = await createSubject(api, brand, { email, locale: locale === 'en' ? 'hu' : 'en', timezone: 'Europe/Warsaw' });
      const session = await signInCustomer(api, brand, subject.id);
      const before = mail.raw.length;
      const erased = await api.http.post('/v1/me/erasure').set(bearer(session)).send({ confirm: true, locale });
      expect(erased.status, JSON.stringify(erased.body)).toBe(202);
      const message = await mail.next(email, before);
      expectLanguage(message, locale, ERASURE[locale].subject, ERASURE[locale].day);
      // The day, written the reader's way, in their time zone.
      const day = new Intl.DateTimeFormat(locale === 'nb' ? 'nb-NO' : locale === 'en' ? 'en-GB' : locale, { dateStyle: 'long', timeZone: 'Europe/Warsaw' }).format(new Date(erased.body.completedAt));
      expect(message.text).toContain(day);
      expect(message.text.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(4);
      const link = linkIn(message, new RegExp(`http://portal\\.test/${brand.slug}/erasure-receipt/cer_[A-Za-z0-9_-]{43}\\?lang=[a-z]{2}`));
      const url = new URL(link);
      expect(url.searchParams.get('lang')).toBe(locale);
      const receipt = await api.http.get(`/v1/erasure-receipts/${url.pathname.split('/').pop()}`);
      expect(receipt.status).toBe(200);
      expect(receipt.body).toMatchObject({ requestId: erased.body.id, locale, status: 'completed', certificate: { ledgerVerified: true } });
    }
  });
});

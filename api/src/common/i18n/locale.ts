import { plural as pluralIn, type PluralForms } from './plural';

/** The languages Candor writes to people in (emails, the readable export): the portal's. */
export const LOCALES = ['en', 'nb', 'da', 'pl', 'hu'] as const;
export type Locale = (typeof LOCALES)[number];

/** A customer's, page's or brand's locale (`nb`, `nb-NO`, `NB`, `no`) as one of the mail languages, or null. */
export function localeOf(locale: string | null | undefined): Locale | null {
  const base = locale?.toLowerCase().split(/[-_]/)[0];
  if (base === 'no' || base === 'nn') return 'nb';
  return LOCALES.includes(base as Locale) ? (base as Locale) : null;
}

/** The first of the candidates (most wanted first) that is a mail language; English when none is. */
export function pickLocale(...candidates: Array<string | null | undefined>): Locale {
  for (const candidate of candidates) {
    const locale = localeOf(candidate);
    if (locale) return locale;
  }
  return 'en';
}

/** The tag `Intl` formats with: bokmål as `nb-NO`, English the European way ("3 December 2026"). */
export function intlLocale(locale: Locale): string {
  return locale === 'nb' ? 'nb-NO' : locale === 'en' ? 'en-GB' : locale;
}

/** A day ("3 December 2026", "3 grudnia 2026") in the reader's language and time zone (UTC when unknown or invalid). */
export function formatDay(date: Date, locale: Locale, timeZone?: string | null): string {
  const format = (zone: string) => new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'long', timeZone: zone }).format(date);
  try {
    return format(timeZone || 'UTC');
  } catch {
    return format('UTC');
  }
}

/** A date and time ("3 Dec 2026, 16:04") in the reader's language and time zone (UTC when unknown or invalid). */
export function formatMoment(date: Date, locale: Locale, timeZone?: string | null): string {
  const format = (zone: string) => new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(date);
  try {
    return format(timeZone || 'UTC');
  } catch {
    return format('UTC');
  }
}

/** Items joined the way the language does it ("email, SMS and push"). */
export function formatList(items: string[], locale: Locale): string {
  return new Intl.ListFormat(intlLocale(locale), { style: 'long', type: 'conjunction' }).format(items);
}

/**
 * `count` with the word form its language needs, chosen by `Intl.PluralRules` (CLDR): Polish has
 * one/few/many ("1 minuty", "2 minut", "5 minut"), the others one/other.
 */
export function plural(locale: Locale, count: number, forms: PluralForms): string {
  return pluralIn(intlLocale(locale), count, forms);
}

const VOWEL = /^[aáeéiíoóöőuúüű]/i;

/**
 * The Hungarian definite article for what follows it: "az" before a vowel sound, "a" before a
 * consonant ("a Calm Harbor", "az Ikea"); numbers as they are read ("az 1", "az 5", "a 10").
 * The portal has the same rule in portal/src/lib/i18n/hu.ts.
 */
export function az(next: string | number): 'a' | 'az' {
  const text = String(next).trim();
  const digits = /^\d[\d\s]*/.exec(text)?.[0].replace(/\s/g, '');
  if (digits) {
    if (digits[0] === '5') return 'az';
    return digits[0] === '1' && digits.length % 3 === 1 ? 'az' : 'a';
  }
  return VOWEL.test(text) ? 'az' : 'a';
}

/** The same article, capitalised, to begin a sentence. */
export function Az(next: string | number): 'A' | 'Az' {
  return az(next) === 'az' ? 'Az' : 'A';
}

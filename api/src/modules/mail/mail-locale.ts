import { plural as pluralIn, type PluralForms } from '../../common/i18n/plural';

/** The languages Candor writes to customers in: the portal's. */
export const MAIL_LOCALES = ['en', 'nb', 'da', 'pl', 'hu'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

/** A customer's, page's or brand's locale (`nb`, `nb-NO`, `NB`, `no`) as one of the mail languages, or null. */
export function mailLocaleOf(locale: string | null | undefined): MailLocale | null {
  const base = locale?.toLowerCase().split(/[-_]/)[0];
  if (base === 'no' || base === 'nn') return 'nb';
  return MAIL_LOCALES.includes(base as MailLocale) ? (base as MailLocale) : null;
}

/** The first of the candidates (most wanted first) that is a mail language; English when none is. */
export function pickMailLocale(...candidates: Array<string | null | undefined>): MailLocale {
  for (const candidate of candidates) {
    const locale = mailLocaleOf(candidate);
    if (locale) return locale;
  }
  return 'en';
}

/** The tag `Intl` formats with: bokmål as `nb-NO`, English the European way ("3 December 2026"). */
export function intlLocale(locale: MailLocale): string {
  return locale === 'nb' ? 'nb-NO' : locale === 'en' ? 'en-GB' : locale;
}

/** A day ("3 December 2026", "3 grudnia 2026") in the reader's language and time zone (UTC when unknown or invalid). */
export function formatMailDate(date: Date, locale: MailLocale, timeZone?: string | null): string {
  const format = (zone: string) => new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'long', timeZone: zone }).format(date);
  try {
    return format(timeZone || 'UTC');
  } catch {
    return format('UTC');
  }
}

/**
 * `count` with the word form its language needs, chosen by `Intl.PluralRules` (CLDR): Polish has
 * one/few/many ("1 minuty", "2 minut", "5 minut"), the others one/other.
 */
export function plural(locale: MailLocale, count: number, forms: PluralForms): string {
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

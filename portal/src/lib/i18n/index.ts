import { da } from './da';
import { en, type Messages } from './en';
import { hu } from './hu';
import { nb } from './nb';
import { pl } from './pl';
import { intlLocale } from './plural';

export { plural, type PluralForms } from './plural';

export type { Messages };

/** Every language the portal speaks; notices and question texts come from the API in the same codes. */
export const LOCALES = ['en', 'nb', 'da', 'pl', 'hu'] as const;
export type Locale = (typeof LOCALES)[number];

const CATALOGUE: Record<Locale, Messages> = { en, nb, da, pl, hu };

/** Each language named in itself, for the language switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', nb: 'Norsk', da: 'Dansk', pl: 'Polski', hu: 'Magyar' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function messagesFor(locale: Locale): Messages {
  return CATALOGUE[locale];
}

/**
 * Picks the best supported language from an `Accept-Language` header ("nb-NO,nb;q=0.9,en;q=0.8").
 * Norwegian is often sent as `no` or `nn`; both are served in bokmål, which readers of either know.
 */
export function negotiateLocale(header: string | null | undefined, fallback: Locale = 'en'): Locale {
  if (!header) return fallback;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => entry.tag && entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0];
    if (primary === 'no' || primary === 'nn') return 'nb';
    if (isLocale(primary)) return primary;
  }
  return fallback;
}

/**
 * Text the API gives per locale (purpose names, notices, questions): the reader's language, then
 * the brand's default, then English, then whatever there is.
 */
export function localized(text: Record<string, string> | null | undefined, locale: Locale, brandDefault?: string): string {
  if (!text) return '';
  return text[locale] ?? (brandDefault ? text[brandDefault] : undefined) ?? text.en ?? Object.values(text)[0] ?? '';
}

/**
 * Codes such as `sleep_better` or `practice_time` in plain words ("Sleep better"). The API
 * stores fact keys and values as codes without translations, so this is the best the portal can do
 * for values it has no label for.
 */
export function humanize(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A date ("3 March 2026") in the reader's language and, when known, the customer's time zone. */
export function formatDate(iso: string, locale: Locale, timeZone?: string | null): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'long', ...zone(timeZone) }).format(new Date(iso));
}

/** A date and time, for logs and receipts. */
export function formatDateTime(iso: string, locale: Locale, timeZone?: string | null): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: 'medium', timeStyle: 'short', ...zone(timeZone) }).format(new Date(iso));
}

/** A date and time in UTC that says so ("2 Mar 2026, 10:02 UTC"), for pages that know no time zone of the reader's. */
export function formatDateTimeUtc(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(intlLocale(locale), {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short',
  }).format(new Date(iso));
}

/** A language code ("pl", "nb-NO") named in the reader's language ("polsk", "norsk bokmål"); the code itself if unknown. */
export function languageName(code: string, locale: Locale): string {
  try {
    return new Intl.DisplayNames(intlLocale(locale), { type: 'language', fallback: 'code' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** A time zone ("Europe/Warsaw") as the reader's language calls it ("czas środkowoeuropejski"); the id itself if unknown. */
export function timeZoneName(zone: string, locale: Locale): string {
  try {
    const name = new Intl.DateTimeFormat(intlLocale(locale), { timeZone: zone, timeZoneName: 'longGeneric' })
      .formatToParts(new Date())
      .find((part) => part.type === 'timeZoneName')?.value;
    return name || zone;
  } catch {
    return zone;
  }
}

/** A time of day ("10:02"), for receipts of today. */
export function formatTime(iso: string, locale: Locale, timeZone?: string | null): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { timeStyle: 'short', ...zone(timeZone) }).format(new Date(iso));
}

/** A short date ("3 Mar"), for chart axes and queues. */
export function formatShortDate(iso: string, locale: Locale, timeZone?: string | null): string {
  return new Intl.DateTimeFormat(intlLocale(locale), { day: 'numeric', month: 'short', ...zone(timeZone) }).format(new Date(iso));
}

/** A list ("email, SMS and push") joined the way the language does it. */
export function formatList(items: string[], locale: Locale): string {
  return new Intl.ListFormat(intlLocale(locale), { style: 'long', type: 'conjunction' }).format(items);
}

/** A number the way the language writes it ("1.8" in English, "1,8" in Danish), at most two decimals. */
export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 2 }).format(value);
}

function zone(timeZone?: string | null): { timeZone?: string } {
  if (!timeZone) return { timeZone: 'UTC' };
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return { timeZone };
  } catch {
    return { timeZone: 'UTC' };
  }
}

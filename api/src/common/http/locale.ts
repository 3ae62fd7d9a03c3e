import { registerDecorator, ValidationOptions } from 'class-validator';
import { SUPPORTED_LOCALES } from './validators';

/** A language Candor writes its own customer-facing sentences in. */
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

/**
 * The supported language a language tag names (`pl`, `pl-PL`, `NB-no`), or null. Norwegian is
 * often sent as `no` (macrolanguage) or `nn` (nynorsk); both are answered in bokmål, which readers
 * of either read without effort and which is the only Norwegian Candor writes.
 */
export function supportedLocale(tag: string | null | undefined): SupportedLocale | null {
  if (typeof tag !== 'string' || tag.length > 64) return null;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'no' || primary === 'nn') return 'nb';
  return (SUPPORTED_LOCALES as readonly string[]).includes(primary) ? (primary as SupportedLocale) : null;
}

/** RFC 9110 §12.4.2: a weight is 0 to 1 with at most three decimals ("q=0.8", "q=1.000"). */
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
/** RFC 9110 §12.5.4 language-range: `*`, or 1–8 letters followed by 1–8 alphanumerics per subtag. */
const LANGUAGE_RANGE = /^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$/;
/** A real browser sends a handful of ranges; a header with hundreds is not a preference list. */
const MAX_RANGES = 32;

/**
 * The preferred languages an `Accept-Language` header names, best first: ranges ordered by weight
 * (`q`, default 1), ties kept in the order sent. A range with weight 0 is refused, not preferred
 * (RFC 9110), and a malformed range or weight is skipped rather than guessed at; `*` says "any
 * language" and so chooses none.
 */
export function acceptedLanguages(header: string | null | undefined): string[] {
  if (typeof header !== 'string' || !header.trim()) return [];
  const ranges: Array<{ tag: string; q: number; index: number }> = [];
  header
    .split(',')
    .slice(0, MAX_RANGES)
    .forEach((part, index) => {
      const [range = '', ...params] = part.split(';').map((p) => p.trim());
      if (!LANGUAGE_RANGE.test(range)) return;
      let q = 1;
      for (const param of params) {
        const [name = '', value = ''] = param.split('=').map((p) => p.trim());
        if (name.toLowerCase() !== 'q') continue;
        if (!QVALUE.test(value)) return;
        q = Number(value);
      }
      if (q > 0 && range !== '*') ranges.push({ tag: range.toLowerCase(), q, index });
    });
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index).map((r) => r.tag);
}

/** The best supported language an `Accept-Language` header asks for, or null when it names none. */
export function negotiateLocale(header: string | null | undefined): SupportedLocale | null {
  for (const tag of acceptedLanguages(header)) {
    const locale = supportedLocale(tag);
    if (locale) return locale;
  }
  return null;
}

/**
 * The language to answer in, by precedence: what the request names explicitly (`locale`), then its
 * `Accept-Language`, then the customer's stored language, then the brand's default, then English.
 * An explicit locale is validated before it gets here (unsupported → 422), so it always counts.
 */
export async function chooseLocale(options: {
  explicit?: string | null;
  acceptLanguage?: string | null;
  stored?: string | null;
  /** Asked only when nothing before it decides (it may need a query). */
  brandDefault?: () => Promise<string | null | undefined>;
}): Promise<SupportedLocale> {
  return (
    supportedLocale(options.explicit) ??
    negotiateLocale(options.acceptLanguage) ??
    supportedLocale(options.stored) ??
    supportedLocale(await options.brandDefault?.()) ??
    'en'
  );
}

/** The message for a locale Candor does not write in. It never repeats the value sent. */
export const UNSUPPORTED_LOCALE_MESSAGE = `must be a language Candor writes in: ${SUPPORTED_LOCALES.join(', ')} (a region such as "pl-PL" is fine; "no" and "nn" are answered in "nb")`;

/** A language tag naming one of the supported languages (see `supportedLocale`). */
export function IsSupportedLocale(validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isSupportedLocale',
      target: object.constructor,
      propertyName,
      options: { message: UNSUPPORTED_LOCALE_MESSAGE, ...validationOptions },
      validator: { validate: (value: unknown) => typeof value === 'string' && LANGUAGE_RANGE.test(value) && value !== '*' && supportedLocale(value) !== null },
    });
}

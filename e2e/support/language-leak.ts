/**
 * Finds English on a page that should be in another language.
 *
 * "English" is what Candor itself would say in English: every word of the portal's English
 * messages (functions called with sample values), every English text of the demo brands' content
 * (locale maps' `en` entries, and single-language strings, which are English by construction), and
 * the plain-word form of every code (`reduce_stress` → "reduce stress", as a humanised fallback
 * would show it). A word of a page in locale L leaks when it is in that English vocabulary, not in
 * L's own vocabulary (L's messages and L's brand content) and not on the allowlist of proper names.
 * Words shorter than three letters are ignored ("to", "of" are also Danish or Polish letters).
 */

export interface Vocabularies {
  english: Set<string>;
  local: Set<string>;
  allow: Set<string>;
}

export const LEAK_LOCALES = ['nb', 'da', 'pl', 'hu'] as const;
export type LeakLocale = (typeof LEAK_LOCALES)[number];
const ALL_LOCALES = ['en', ...LEAK_LOCALES] as const;

/** The lower-cased words of at least three letters; email addresses and URLs are not words. */
export function wordsOf(text: string): string[] {
  const cleaned = text
    .split(/\s+/)
    .filter((token) => !token.includes('@') && !/^https?:/.test(token))
    .join(' ');
  return (cleaned.match(/\p{L}+/gu) ?? []).map((w) => w.toLowerCase()).filter((w) => w.length >= 3);
}

/** Sample arguments for message functions: numbers for counts, a name for everything else. */
const SAMPLE_ARGUMENTS: unknown[][] = [[], [1], [2], [5], [22], [0], ['Zzq'], ['Zzq', 'Zzq'], ['Zzq', 1], [1, 'Zzq'], [2, 5], ['Zzq', 'Zzq', 'Zzq']];

/** Every word a message catalogue can produce: strings as they are, functions called with samples. */
export function vocabularyOf(value: unknown, into = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (typeof value === 'string') {
    for (const w of wordsOf(value)) into.add(w);
  } else if (typeof value === 'function') {
    for (const args of SAMPLE_ARGUMENTS) {
      try {
        vocabularyOf((value as (...a: unknown[]) => unknown)(...args), into, seen);
      } catch {
        // A function that needs other arguments simply contributes through the samples that fit.
      }
    }
  } else if (value && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Object.values(value)) vocabularyOf(v, into, seen);
  }
  // The sample name, and what a function prints for an argument it did not get.
  for (const artefact of ['zzq', 'undefined', 'null', 'nan']) into.delete(artefact);
  return into;
}

const isLocaleMap = (value: object): value is Record<string, unknown> =>
  'en' in value && LEAK_LOCALES.some((l) => l in value) && Object.keys(value).every((k) => (ALL_LOCALES as readonly string[]).includes(k));

/**
 * Brand content per language: `{en, nb, …}` maps give each language its own words; other strings
 * are single-language content (titles, sources, codes) and count as English, codes in plain words.
 */
export function contentVocabularies(content: unknown): Record<(typeof ALL_LOCALES)[number], Set<string>> {
  const result = Object.fromEntries(ALL_LOCALES.map((l) => [l, new Set<string>()])) as Record<(typeof ALL_LOCALES)[number], Set<string>>;
  const seen = new Set<unknown>();
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      // Identifiers of people and places are not language: emails, phone numbers, external ids, slugs, zones.
      if (/^(email|phone|externalId|slug|timezone|locale|defaultLocale|url|sku)$/.test(key)) return;
      for (const w of wordsOf(value.replace(/[_-]+/g, ' '))) result.en.add(w);
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v, key);
    } else if (value && typeof value === 'object' && !seen.has(value)) {
      seen.add(value);
      if (isLocaleMap(value)) {
        for (const [locale, text] of Object.entries(value)) if (typeof text === 'string') vocabularyOf(text, result[locale as (typeof ALL_LOCALES)[number]]);
        return;
      }
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(content, '');
  return result;
}

/** The English words of `text` that the locale's own words and the allowlist do not explain. */
export function englishLeaks(text: string, vocabularies: Vocabularies): string[] {
  const leaks = new Set<string>();
  for (const word of wordsOf(text)) {
    if (vocabularies.english.has(word) && !vocabularies.local.has(word) && !vocabularies.allow.has(word)) leaks.add(word);
  }
  return [...leaks].sort();
}

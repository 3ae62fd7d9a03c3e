import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptedLanguages, chooseLocale, negotiateLocale, supportedLocale } from './locale';
import { SUPPORTED_LOCALES } from './validators';

describe('Accept-Language', () => {
  it('picks the best supported language by weight, ties in the order sent', () => {
    expect(negotiateLocale('nb-NO,nb;q=0.9,en;q=0.8')).toBe('nb');
    // German is not one of ours: the next best is.
    expect(negotiateLocale('de-DE,de;q=0.9,pl;q=0.8,en;q=0.7')).toBe('pl');
    // A range without q weighs 1, wherever it stands.
    expect(negotiateLocale('en;q=0.5, hu')).toBe('hu');
    expect(negotiateLocale('da;q=0.8, pl;q=0.8')).toBe('da');
    expect(negotiateLocale('pl;q=0.8,hu;q=0.800')).toBe('pl');
    expect(negotiateLocale('en-US;q=0.3,da-DK;q=0.31')).toBe('da');
  });

  it('answers Norwegian in bokmål, whichever code the browser sends', () => {
    expect(negotiateLocale('no')).toBe('nb');
    expect(negotiateLocale('nn-NO,en;q=0.5')).toBe('nb');
    expect(negotiateLocale('NB-no')).toBe('nb');
  });

  it('treats q=0 as "not this one" and * as no preference', () => {
    expect(negotiateLocale('pl;q=0, en;q=0.1')).toBe('en');
    expect(negotiateLocale('pl;q=0')).toBeNull();
    expect(negotiateLocale('*')).toBeNull();
    expect(negotiateLocale('*, hu;q=0.1')).toBe('hu');
  });

  it('skips malformed ranges and weights instead of guessing', () => {
    expect(negotiateLocale('pl;q=1.5, da;q=0.5')).toBe('da');
    expect(negotiateLocale('pl;q=abc')).toBeNull();
    expect(negotiateLocale('pl;q=0.0001, hu;q=0.2')).toBe('hu');
    expect(negotiateLocale('p*l, en_GB, hu;q=0.2')).toBe('hu');
    expect(negotiateLocale('pl;Q=0.9, en;q=0.5')).toBe('pl');
    expect(negotiateLocale('pl;level=1;q=0.4, en;q=0.5')).toBe('en');
    expect(negotiateLocale('')).toBeNull();
    expect(negotiateLocale(undefined)).toBeNull();
    expect(negotiateLocale(',,;,')).toBeNull();
  });

  it('reads no further than the first 32 ranges', () => {
    expect(negotiateLocale(`${Array.from({ length: 40 }, (_, i) => `x${i}`).join(',')},pl`)).toBeNull();
    expect(acceptedLanguages(`${'de,'.repeat(31)}pl`)).toContain('pl');
  });

  it('never throws, and chooses the heaviest supported range (first among equals)', () => {
    const tag = fc.oneof(fc.constantFrom(...SUPPORTED_LOCALES, 'no', 'nn', 'nb-NO', 'pl-PL', 'en-GB', 'de', 'fr-CA', 'sv', 'zh-Hant-TW'));
    const weight = fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000);
    fc.assert(
      fc.property(fc.array(fc.tuple(tag, weight), { maxLength: 10 }), (ranges) => {
        const header = ranges.map(([t, q]) => `${t};q=${q}`).join(', ');
        const candidates = ranges
          .map(([t, q], index) => ({ locale: supportedLocale(t), q, index }))
          .filter((c) => c.locale !== null && c.q > 0)
          .sort((a, b) => b.q - a.q || a.index - b.index);
        expect(negotiateLocale(header)).toBe(candidates[0]?.locale ?? null);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        const result = negotiateLocale(header);
        expect(result === null || (SUPPORTED_LOCALES as readonly string[]).includes(result)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('choosing the language to answer in', () => {
  const brandDefault = async () => 'da';
  it('takes an explicit locale over Accept-Language over the stored locale over the brand default', async () => {
    expect(await chooseLocale({ explicit: 'pl', acceptLanguage: 'hu', stored: 'nb', brandDefault })).toBe('pl');
    expect(await chooseLocale({ acceptLanguage: 'de, hu;q=0.5', stored: 'nb', brandDefault })).toBe('hu');
    expect(await chooseLocale({ acceptLanguage: 'de', stored: 'nb', brandDefault })).toBe('nb');
    expect(await chooseLocale({ stored: 'sv', brandDefault })).toBe('da');
    expect(await chooseLocale({ stored: null, brandDefault: async () => 'fr' })).toBe('en');
  });

  it('asks for the brand default only when nothing before it decides', async () => {
    let asked = 0;
    const counting = async () => {
      asked += 1;
      return 'da';
    };
    await chooseLocale({ stored: 'nb', brandDefault: counting });
    expect(asked).toBe(0);
    await chooseLocale({ stored: null, brandDefault: counting });
    expect(asked).toBe(1);
  });
});

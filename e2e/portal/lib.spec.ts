import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCALES, humanize, localized, messagesFor, negotiateLocale } from '../../portal/src/lib/i18n';
import { az } from '../../portal/src/lib/i18n/hu';
import { csrfTokenFor, csrfTokenMatches, originAllowed } from '../../portal/src/lib/security';

/** The portal's small pure helpers, without a browser. */
describe('portal helpers', () => {
  it('picks the language from Accept-Language by quality, with Norwegian variants as bokmål', () => {
    expect(negotiateLocale('nb-NO,nb;q=0.9,en;q=0.8')).toBe('nb');
    expect(negotiateLocale('no')).toBe('nb');
    expect(negotiateLocale('de-DE,de;q=0.9,pl;q=0.5,hu;q=0.7')).toBe('hu');
    expect(negotiateLocale('fr-FR, da;q=0')).toBe('en');
    expect(negotiateLocale(undefined)).toBe('en');
    expect(negotiateLocale('garbage;;;q=x')).toBe('en');
  });

  it('has every string in every language (the type check says so too; this catches empty ones)', () => {
    const shape = (value: unknown, path = ''): string[] =>
      value && typeof value === 'object'
        ? Object.entries(value).flatMap(([k, v]) => shape(v, `${path}.${k}`))
        : [`${path}:${typeof value}${value === '' ? ':empty' : ''}`];
    const english = shape(messagesFor('en')).sort();
    for (const locale of LOCALES) expect(shape(messagesFor(locale)).sort(), locale).toEqual(english);
  });

  it('falls back from the reader’s language to the brand default, then English', () => {
    expect(localized({ en: 'Hello', nb: 'Hei' }, 'nb')).toBe('Hei');
    expect(localized({ en: 'Hello', da: 'Hej' }, 'pl', 'da')).toBe('Hej');
    expect(localized({ en: 'Hello' }, 'hu')).toBe('Hello');
    expect(localized(null, 'en')).toBe('');
    expect(humanize('practice_time')).toBe('Practice time');
  });

  it('accepts only the CSRF token of this session', () => {
    const token = csrfTokenFor('cst_session_a');
    expect(csrfTokenMatches('cst_session_a', token)).toBe(true);
    expect(csrfTokenMatches('cst_session_b', token)).toBe(false);
    expect(csrfTokenMatches('cst_session_a', undefined)).toBe(false);
    expect(csrfTokenMatches(undefined, token)).toBe(false);
  });

  it('accepts form posts from its own origin only', () => {
    const url = new URL('http://127.0.0.1:4321/calm-harbor/actions/sign-out');
    const post = (headers: Record<string, string>) => new Request(url, { method: 'POST', headers });
    expect(originAllowed(post({ origin: 'http://127.0.0.1:4321' }), url)).toBe(true);
    expect(originAllowed(post({ origin: 'https://evil.example' }), url)).toBe(false);
    expect(originAllowed(post({ origin: 'null' }), url)).toBe(false);
    expect(originAllowed(post({ referer: 'https://evil.example/page' }), url)).toBe(false);
  });

  it('puts the Hungarian article that fits the brand or number after it, never "a(z)"', () => {
    expect(az('Calm Harbor')).toBe('a');
    expect(az('Kitchen Atelier')).toBe('a');
    expect(az('Ikea')).toBe('az');
    expect(az('Őrség Kft.')).toBe('az');
    for (const n of [1, 5, 50, 500, 1000, 1500, 5000, 1_000_000]) expect(az(n), String(n)).toBe('az');
    for (const n of [2, 3, 10, 11, 100, 150, 10_000, 100_000, 20, 0]) expect(az(n), String(n)).toBe('a');
    const hu = messagesFor('hu');
    const rendered = [hu.signIn.intro('Calm Harbor'), hu.signIn.intro('Ikea')];
    expect(rendered.join(' ')).not.toContain('a(z)');
    expect(rendered[0]).toContain('amit a Calm Harbor tud rólad');
    expect(rendered[1]).toContain('amit az Ikea tud rólad');
    // Counts read as words choose their article too; one entry is phrased without a number.
    expect([1, 5, 10, 1000].map(hu.console.verified)).toEqual([
      'Az egyetlen bejegyzés rendben van.', 'Mind az 5 bejegyzés rendben van.', 'Mind a 10 bejegyzés rendben van.', 'Mind az 1000 bejegyzés rendben van.',
    ]);
  });

  it('counts in Polish with the plural form the number takes (1 informacja, 2–4 informacje, 5 informacji, 22 informacje, 25 informacji)', () => {
    const pl = messagesFor('pl');
    expect(pl.myData.factsCount(1)).toBe('W tym 1 informacja o Tobie.');
    expect(pl.myData.factsCount(2)).toBe('W tym 2 informacje o Tobie.');
    expect(pl.myData.factsCount(4)).toBe('W tym 4 informacje o Tobie.');
    expect(pl.myData.factsCount(5)).toBe('W tym 5 informacji o Tobie.');
    expect(pl.myData.factsCount(12)).toBe('W tym 12 informacji o Tobie.');
    expect(pl.myData.factsCount(22)).toBe('W tym 22 informacje o Tobie.');
    expect(pl.myData.factsCount(25)).toBe('W tym 25 informacji o Tobie.');
    expect([1, 3, 5, 22, 25].map(pl.home.overviewCount)).toEqual(['1 informacja', '3 informacje', '5 informacji', '22 informacje', '25 informacji']);
    expect([1, 2, 5, 22].map(pl.errors.limitedBody).map((s) => s.split(' za ')[1])).toEqual(['1 minutę.', '2 minuty.', '5 minut.', '22 minuty.']);
    expect([1, 2, 5].map(pl.activity.failed)).toEqual(['✗ brak potwierdzenia po 1 próbie', '✗ brak potwierdzenia po 2 próbach', '✗ brak potwierdzenia po 5 próbach']);
    expect([1, 5].map(pl.console.dueIn)).toEqual(['za 1 dzień', 'za 5 dni']);
  });

  it('counts in every language through Intl.PluralRules, with no plural chosen by hand in the message files', () => {
    const en = messagesFor('en');
    expect([1, 2].map(en.activity.failed)).toEqual(['✗ did not confirm after 1 attempt', '✗ did not confirm after 2 attempts']);
    expect([1, 3].map(en.console.verified)).toEqual(['The only entry verifies.', 'All 3 entries verify.']);
    expect([1, 4].map(messagesFor('nb').home.overviewCount)).toEqual(['1 opplysning', '4 opplysninger']);
    expect([1, 4].map(messagesFor('da').console.daysLate)).toEqual(['1 dag for sent', '4 dage for sent']);
    // Hungarian keeps the noun singular after a number.
    expect([1, 4].map(messagesFor('hu').home.overviewCount)).toEqual(['1 adat', '4 adat']);
    for (const locale of LOCALES) {
      const source = readFileSync(new URL(`../../portal/src/lib/i18n/${locale}.ts`, import.meta.url), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
        .join('\n');
      expect(source, locale).not.toMatch(/\b[A-Za-z_][\w.]* [!=]==? ?1 \?/);
      expect(source, locale).not.toMatch(/\bfew\(/);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { erasureReceiptMail, signInMail, staffSignInMail } from './compose';
import { LOCALES, formatDay, localeOf, pickLocale, plural } from '../../common/i18n/locale';

const LINK = 'https://portal.example/calm-harbor/link/cml_abc?lang=pl&x=1';

describe('emails', () => {
  it('come in every portal language with a subject, a text part and an HTML part that say the same', () => {
    const mails = LOCALES.flatMap((locale) => [
      signInMail(locale, { brandName: 'Calm Harbor', link: LINK, minutes: 15 }),
      staffSignInMail(locale, { brandName: 'Calm Harbor', link: LINK, minutes: 15 }),
      erasureReceiptMail(locale, { brandName: 'Calm Harbor', erasedOn: formatDay(new Date('2026-12-03T10:00:00Z'), locale), link: LINK }),
    ]);
    for (const mail of mails) {
      expect(mail.subject).toContain('Calm Harbor');
      // The link on a line of its own in the text, escaped in the HTML (button and spelled out).
      expect(mail.text.split('\n')).toContain(LINK);
      expect(mail.html).toContain(`<html lang="${mail.locale}">`);
      expect(mail.html.split('href="https://portal.example/calm-harbor/link/cml_abc?lang=pl&amp;x=1"')).toHaveLength(3);
      // Every sentence of the text is in the HTML too.
      for (const line of mail.text.split('\n').filter(Boolean)) {
        const escaped = line.replace(/^- /, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
        expect(mail.html).toContain(escaped);
      }
    }
    // Real translations: no two languages share a subject line or a body.
    for (let kind = 0; kind < 3; kind++) {
      const ofKind = mails.filter((_, i) => i % 3 === kind);
      expect(new Set(ofKind.map((m) => m.subject)).size).toBe(LOCALES.length);
      expect(new Set(ofKind.map((m) => m.text)).size).toBe(LOCALES.length);
    }
  });

  it('name the erasure day in the reader\'s language and list what was erased', () => {
    const day = new Date('2026-12-03T10:00:00Z');
    const pl = erasureReceiptMail('pl', { brandName: 'Calm Harbor', erasedOn: formatDay(day, 'pl', 'Europe/Warsaw'), link: LINK });
    expect(pl.text).toContain('3 grudnia 2026');
    expect(pl.text.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(4);
    expect(pl.html.match(/<li>/g)).toHaveLength(4);
    expect(formatDay(day, 'en')).toBe('3 December 2026');
    expect(formatDay(day, 'nb')).toBe('3. desember 2026');
    // A time zone the runtime does not know falls back to UTC rather than failing the email.
    expect(formatDay(day, 'da', 'Mars/Olympus')).toBe('3. december 2026');
  });

  it('escape what they weave in', () => {
    const mail = signInMail('en', { brandName: 'Tom & <Jerry>', link: LINK, minutes: 15 });
    expect(mail.html).toContain('Tom &amp; &lt;Jerry&gt;');
    expect(mail.html).not.toContain('<Jerry>');
    expect(mail.text).toContain('Tom & <Jerry>');
  });

  it('count minutes with the plural form each language needs (Intl.PluralRules)', () => {
    const body = (locale: (typeof LOCALES)[number], minutes: number) => signInMail(locale, { brandName: 'Calm Harbor', link: LINK, minutes }).text;
    expect(body('en', 1)).toContain('within 1 minute to');
    expect(body('en', 15)).toContain('within 15 minutes to');
    expect(body('nb', 1)).toContain('innen 1 minutt for');
    expect(body('nb', 15)).toContain('innen 15 minutter for');
    expect(body('da', 1)).toContain('inden for 1 minut for');
    expect(body('da', 15)).toContain('inden for 15 minutter for');
    expect(body('pl', 1)).toContain('w ciągu 1 minuty,');
    for (const n of [2, 4, 5, 12, 15, 22, 25]) expect(body('pl', n)).toContain(`w ciągu ${n} minut,`);
    expect(body('hu', 1)).toContain('1 percen belül');
    expect(body('hu', 15)).toContain('15 percen belül');
  });

  it('choose Polish plural forms one/few/many like a Polish reader would', () => {
    const facts = (n: number) => plural('pl', n, { one: '# informacja', few: '# informacje', many: '# informacji', other: '# informacji' });
    expect([1, 2, 4, 5, 12, 22, 25, 1000].map(facts)).toEqual([
      '1 informacja', '2 informacje', '4 informacje', '5 informacji', '12 informacji', '22 informacje', '25 informacji', '1000 informacji',
    ]);
  });

  it('put the Hungarian article that fits the brand after it, never "a(z)"', () => {
    const calm = erasureReceiptMail('hu', { brandName: 'Calm Harbor', erasedOn: '2026. december 3.', link: LINK });
    const ikea = erasureReceiptMail('hu', { brandName: 'Ikea', erasedOn: '2026. december 3.', link: LINK });
    expect(calm.subject).toBe('A Calm Harbor törölte az adataidat');
    expect(ikea.subject).toBe('Az Ikea törölte az adataidat');
    expect(ikea.text).toContain('az Ikea 2026. december 3. napján törölte');
    const all = [calm, ikea, signInMail('hu', { brandName: 'Ikea', link: LINK, minutes: 15 }), staffSignInMail('hu', { brandName: 'Ikea', link: LINK, minutes: 15 })];
    for (const mail of all) expect(`${mail.subject} ${mail.text}`).not.toContain('a(z)');
    expect(all[2].text).toContain('amit az Ikea tud rólad');
    expect(all[3].text).toContain('beléphetsz az Ikea adatvédelmi konzoljába');
  });

  it('pick the language: the page\'s, else the customer\'s, else the brand\'s, else English', () => {
    expect(localeOf('nb-NO')).toBe('nb');
    expect(localeOf('no')).toBe('nb');
    expect(localeOf('HU')).toBe('hu');
    expect(localeOf('de')).toBeNull();
    expect(localeOf(null)).toBeNull();
    expect(pickLocale('pl', 'nb', 'en')).toBe('pl');
    expect(pickLocale(undefined, 'nb-NO', 'en')).toBe('nb');
    expect(pickLocale('de-DE', null, 'da')).toBe('da');
    expect(pickLocale('fr', 'de', 'es')).toBe('en');
  });
});

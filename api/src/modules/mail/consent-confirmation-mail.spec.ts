import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../common/i18n/locale';
import { consentConfirmationMail } from './compose';

describe('double opt-in emails', () => {
  const link = 'https://portal.example/calm-harbor/confirm/cco_x?lang=en';

  it('are written in each portal language, as text and HTML, each naming the brand, the purpose, the link and how long it works', () => {
    const mails = LOCALES.map((locale) => consentConfirmationMail(locale, { brandName: 'Calm Harbor', purposeName: 'The weekly letter', link, days: 7 }));
    for (const mail of mails) {
      expect(mail.subject).toContain('Calm Harbor');
      expect(mail.subject).toContain('The weekly letter');
      expect(mail.text.split('\n')).toContain(link);
      expect(mail.text).toContain('7');
      expect(mail.html).toContain(`<html lang="${mail.locale}">`);
      expect(mail.html).toContain(`href="${link}"`);
    }
    expect(new Set(mails.map((m) => m.subject)).size).toBe(LOCALES.length);
    expect(new Set(mails.map((m) => m.text)).size).toBe(LOCALES.length);
  });

  it('count days in each language\'s forms', () => {
    const body = (locale: (typeof LOCALES)[number], days: number) => consentConfirmationMail(locale, { brandName: 'B', purposeName: 'P', link, days }).text;
    expect(body('en', 1)).toContain('within 1 day and');
    expect(body('en', 7)).toContain('within 7 days and');
    expect(body('pl', 1)).toContain('w ciągu 1 dnia');
    expect(body('pl', 3)).toContain('w ciągu 3 dni');
    expect(body('nb', 7)).toContain('innen 7 dager');
    expect(body('hu', 7)).toContain('7 napon belül');
  });

  it('escape what the brand wrote in the HTML part', () => {
    const { html, text } = consentConfirmationMail('en', { brandName: 'Tom & <Jerry>', purposeName: 'News "now"', link, days: 7 });
    expect(html).toContain('Tom &amp; &lt;Jerry&gt;');
    expect(html).toContain('News &quot;now&quot;');
    expect(html).not.toContain('<Jerry>');
    expect(text).toContain('Tom & <Jerry>');
  });
});

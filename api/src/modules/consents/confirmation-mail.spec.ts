import { describe, expect, it } from 'vitest';
import { MAIL_LOCALES } from '../auth/erasure-receipt-mail';
import { confirmationMail } from './confirmation-mail';

describe('double opt-in emails', () => {
  const link = 'https://portal.example/calm-harbor/confirm/cco_x?lang=en';

  it('are written in each portal language, as text and HTML, each naming the brand, the purpose, the link and how long it works', () => {
    const mails = MAIL_LOCALES.map((locale) => confirmationMail(locale, 'Calm Harbor', 'The weekly letter', link, 7));
    for (const [i, { subject, text, html }] of mails.entries()) {
      expect(subject).toContain('Calm Harbor');
      expect(subject).toContain('The weekly letter');
      expect(text).toContain(link);
      expect(text).toContain('7');
      expect(html).toContain(`<html lang="${MAIL_LOCALES[i]}">`);
      expect(html).toContain(`href="${link}"`);
    }
    expect(new Set(mails.map((m) => m.subject)).size).toBe(MAIL_LOCALES.length);
    expect(new Set(mails.map((m) => m.text)).size).toBe(MAIL_LOCALES.length);
  });

  it('say "day" for one day', () => {
    expect(confirmationMail('en', 'B', 'P', link, 1).text).toContain('within 1 day and');
    expect(confirmationMail('pl', 'B', 'P', link, 1).text).toContain('w ciągu 1 dnia');
    expect(confirmationMail('pl', 'B', 'P', link, 5).text).toContain('w ciągu 5 dni');
  });

  it('escape what the brand wrote in the HTML part', () => {
    const { html, text } = confirmationMail('en', 'Tom & <Jerry>', 'News "now"', link, 7);
    expect(html).toContain('Tom &amp; &lt;Jerry&gt;');
    expect(html).toContain('News &quot;now&quot;');
    expect(html).not.toContain('<Jerry>');
    expect(text).toContain('Tom & <Jerry>');
  });
});

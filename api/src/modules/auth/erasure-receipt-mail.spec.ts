import { describe, expect, it } from 'vitest';
import { erasureReceiptMail, MAIL_LOCALES, mailLocaleOf } from './erasure-receipt-mail';

describe('erasure receipt emails', () => {
  it('are written in each portal language, each naming the brand, the date, what was erased and the link', () => {
    const link = 'https://portal.example/calm-harbor/erasure-receipt/cer_x?lang=en';
    const texts = MAIL_LOCALES.map((locale) => erasureReceiptMail(locale, 'Calm Harbor', '3 December 2026', link));
    for (const { subject, text } of texts) {
      expect(subject).toContain('Calm Harbor');
      expect(text).toContain('3 December 2026');
      expect(text).toContain(link);
      expect(text.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(4);
    }
    // Real translations: no two languages share a subject line or a body.
    expect(new Set(texts.map((t) => t.subject)).size).toBe(MAIL_LOCALES.length);
    expect(new Set(texts.map((t) => t.text)).size).toBe(MAIL_LOCALES.length);
  });

  it('picks the language from a customer\'s or brand\'s locale', () => {
    expect(mailLocaleOf('nb-NO')).toBe('nb');
    expect(mailLocaleOf('no')).toBe('nb');
    expect(mailLocaleOf('HU')).toBe('hu');
    expect(mailLocaleOf('de')).toBeNull();
    expect(mailLocaleOf(null)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { formatDay } from '../../api/src/common/i18n/locale';
import { messagesFor as apiMessagesFor } from '../../api/src/common/i18n/messages';
import { DEMO_BRANDS } from '../../api/src/modules/demo/demo-data';
import { PURPOSE_CATALOGUE } from '../../api/src/modules/purposes/purpose-catalogue';
import { consentConfirmationMail, erasureReceiptMail, signInMail, staffSignInMail } from '../../api/src/modules/mail/compose';
import { messagesFor } from '../../portal/src/lib/i18n';
import { LEAK_LOCALES, contentVocabularies, englishLeaks, vocabularyOf, wordsOf } from '../support/language-leak';

/** The detector behind the every-page language sweep: it must catch English, and only English. */
describe('English-leak detector', () => {
  const content = contentVocabularies(DEMO_BRANDS);
  const english = vocabularyOf(messagesFor('en'), new Set(content.en));
  const vocabularies = (locale: (typeof LEAK_LOCALES)[number]) => ({
    english,
    local: vocabularyOf(messagesFor(locale), new Set(content[locale])),
    allow: new Set<string>(),
  });

  it('reads words, not addresses or links', () => {
    expect(wordsOf('Until you withdraw — ingrid.solberg@example.com https://calm.example/sleep_stories, OK?')).toEqual(['until', 'you', 'withdraw']);
    expect(wordsOf('Zgoda wycofana 2 marca')).toEqual(['zgoda', 'wycofana', 'marca']);
  });

  it('learns message functions through sample values (plural forms included)', () => {
    const words = vocabularyOf({ count: (n: number) => (n === 1 ? 'one thing' : `${n} things`), named: (brand: string) => `${brand} holds nothing` });
    expect([...words].sort()).toEqual(['holds', 'nothing', 'one', 'thing', 'things']);
  });

  it('flags the English sentence the review found on a Polish page, and none of the Polish around it', () => {
    const text = 'Zgoda: marketing e-mailowy. Ważna until you withdraw consent. Calm Harbor';
    const leaks = englishLeaks(`${text} ${messagesFor('pl').nav.consents}`, { ...vocabularies('pl'), allow: new Set(['calm', 'harbor']) });
    expect(leaks).toEqual(expect.arrayContaining(['until', 'withdraw']));
    expect(leaks).not.toContain('zgoda');
  });

  it("would catch every sentence of the portal's English catalogue on a page in any other language", () => {
    // Sentences made only of words the language shares with English are not evidence of a leak.
    const shared: Record<string, string[]> = {
      nb: ['Privacy by Candor'],
      da: ['Privacy by Candor', 'Download (JSON)', 'Download my data', 'A brand system'],
      pl: ['Privacy by Candor'],
      hu: ['Privacy by Candor'],
    };
    for (const locale of LEAK_LOCALES) {
      const vocab = vocabularies(locale);
      const missed: string[] = [];
      const walk = (value: unknown): void => {
        if (typeof value === 'string') {
          if (wordsOf(value).length >= 2 && englishLeaks(value, vocab).length === 0) missed.push(value);
        } else if (value && typeof value === 'object') Object.values(value).forEach(walk);
      };
      walk(messagesFor('en'));
      expect([...new Set(missed)].sort(), locale).toEqual([...new Set(shared[locale])].sort());
    }
  });

  it('treats single-language brand content and codes as English, and locale maps by language', () => {
    const vocab = contentVocabularies({ title: 'Sleep stories', value: 'reduce_stress', label: { en: 'Owns', pl: 'Posiada', nb: 'Eier' }, email: 'x@example.com' });
    expect([...vocab.en].sort()).toEqual(['owns', 'reduce', 'sleep', 'stories', 'stress']);
    expect([...vocab.pl]).toEqual(['posiada']);
  });

  it('finds no English in any email Candor sends, in any language (subject, text and HTML parts)', () => {
    // English is everything the API and the portal say in English; each language its own words of both.
    const apiEnglish = vocabularyOf(apiMessagesFor('en'), new Set(english));
    const link = 'https://portal.example/calm-harbor/link/cml_abc';
    for (const locale of LEAK_LOCALES) {
      const own = vocabularies(locale);
      const vocab = { english: apiEnglish, local: vocabularyOf(apiMessagesFor(locale), own.local), allow: new Set(['calm', 'harbor']) };
      const purpose = PURPOSE_CATALOGUE.find((p) => p.key === 'email_marketing')!.name[locale]!;
      const mails = [
        signInMail(locale, { brandName: 'Calm Harbor', link, minutes: 15 }),
        signInMail(locale, { brandName: 'Calm Harbor', link, minutes: 1 }),
        staffSignInMail(locale, { brandName: 'Calm Harbor', link, minutes: 15 }),
        erasureReceiptMail(locale, { brandName: 'Calm Harbor', erasedOn: formatDay(new Date('2026-12-03T10:00:00Z'), locale), link }),
        consentConfirmationMail(locale, { brandName: 'Calm Harbor', purposeName: purpose, link, days: 7 }),
        consentConfirmationMail(locale, { brandName: 'Calm Harbor', purposeName: purpose, link, days: 1 }),
      ];
      for (const mail of mails) {
        const html = mail.html.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ');
        expect(englishLeaks(`${mail.subject}\n${mail.text}\n${html}`, vocab), `${locale}: ${mail.subject}`).toEqual([]);
      }
      // The detector is not blind here: the English email would be caught.
      expect(englishLeaks(signInMail('en', { brandName: 'Calm Harbor', link, minutes: 15 }).text, vocab)).not.toEqual([]);
    }
  });
});


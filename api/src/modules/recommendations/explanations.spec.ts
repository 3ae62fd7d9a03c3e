import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerTo,
  builtInSource,
  explain,
  explanationDate,
  EXPLANATION_LOCALES,
  EXPLANATION_TABLES,
  ExplanationLocale,
  humanise,
  hungarianDaySuffix,
  questionLabeller,
} from './explanations';
import type { Contribution, ScoringFact } from './recommender';

const SUBJECT = '00000000-0000-4000-8000-000000000001';
type Texts = Record<ExplanationLocale, string>;

/** A brand's questions in all five languages; each generated world keeps only some translations. */
const QUESTIONS: Array<{ key: string; factKey: string; text: Texts; options: Array<{ value: string; label: Texts }> }> = [
  {
    key: 'why_meditate',
    factKey: 'motivation',
    text: { en: 'What brings you to meditation?', nb: 'Hva får deg til å meditere?', da: 'Hvad får dig til at meditere?', pl: 'Co skłania Cię do medytacji?', hu: 'Mi vezet el a meditációhoz?' },
    options: [
      { value: 'sleep_better', label: { en: 'To sleep better', nb: 'Å sove bedre', da: 'At sove bedre', pl: 'Chcę lepiej spać', hu: 'Hogy jobban aludjak' } },
      { value: 'reduce_stress', label: { en: 'To lower my stress', nb: 'Å senke stressnivået', da: 'At sænke mit stressniveau', pl: 'Chcę zmniejszyć stres', hu: 'Hogy csökkentsem a stresszt' } },
    ],
  },
  {
    key: 'practice_time',
    factKey: 'practice_time',
    text: { en: 'When do you like to practise?', nb: 'Når liker du å øve?', da: 'Hvornår kan du bedst lide at øve?', pl: 'Kiedy najchętniej ćwiczysz?', hu: 'Mikor gyakorolsz szívesen?' },
    options: [
      { value: 'evening', label: { en: 'In the evening', nb: 'Om kvelden', da: 'Om aftenen', pl: 'Wieczorem', hu: 'Este' } },
      { value: 'morning', label: { en: 'In the morning', nb: 'Om morgenen', da: 'Om morgenen', pl: 'Rano', hu: 'Reggel' } },
    ],
  },
  {
    key: 'kitchen',
    factKey: 'owns',
    text: { en: 'What is in your kitchen?', nb: 'Hva har du på kjøkkenet?', da: 'Hvad har du i dit køkken?', pl: 'Co masz w kuchni?', hu: 'Mi van a konyhádban?' },
    options: [{ value: 'espresso_machine', label: { en: 'An espresso machine', nb: 'En espressomaskin', da: 'En espressomaskine', pl: 'Ekspres do kawy', hu: 'Eszpresszógép' } }],
  },
];
const FACT_VALUES = [...QUESTIONS.flatMap((q) => q.options.map((o) => [q.factKey, o.value] as const)), ['interest', 'sleep_stories'] as const];
/** Free text a brand wrote, and the sources Candor writes itself (`question:retired` names a question since deleted). */
const FREE_SOURCES = ['content you played', 'order #10442', 'app sessions', 'Kaffequiz'];
const SOURCES = [...FREE_SOURCES, 'portal', 'import', 'api', 'question:why_meditate', 'question:practice_time', 'question:retired'];

const words = (text: string): string[] => text.toLocaleLowerCase().match(/\p{L}+/gu) ?? [];

/**
 * Every word a language's table can put into a sentence: its phrases (placeholders are not
 * letters, so only the table's own words remain), its words for Candor's sources, its quotes,
 * its list joining and its month names (from Intl, not from the code under test), and for
 * Hungarian the day suffixes.
 */
function vocabulary(locale: ExplanationLocale): Set<string> {
  const t = EXPLANATION_TABLES[locale];
  const X = '\u0001';
  const months = Array.from({ length: 12 }, (_, m) => new Date(Date.UTC(2026, m, 15)));
  return new Set(
    [
      t.declared(X, X),
      t.observed(X, X, X),
      t.inferred(X, X, X),
      t.counterfactual,
      t.none,
      t.answerTo(X),
      t.anyQuestion,
      ...Object.values(t.builtIn),
      new Intl.ListFormat(t.intl, { type: 'conjunction' }).format([X, X, X]),
      ...months.map((d) => new Intl.DateTimeFormat(t.intl, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d)),
      ...months.map((d) => new Intl.DateTimeFormat(t.intl, { month: 'long', timeZone: 'UTC' }).format(d)),
      ...(locale === 'hu' ? ['án én jén'] : []),
    ].flatMap(words),
  );
}
/** A language's own words: its table, and the brand's labels and questions in it. */
const ownWords = new Map(
  EXPLANATION_LOCALES.map((l) => [l, new Set([...vocabulary(l), ...QUESTIONS.flatMap((q) => [q.text[l], ...q.options.map((o) => o.label[l])]).flatMap(words)])]),
);

const translations = fc.subarray([...EXPLANATION_LOCALES]);
const questionsArb = fc.tuple(
  ...QUESTIONS.map((q) =>
    fc.record({ text: translations, options: fc.tuple(...q.options.map(() => translations)) }).map(({ text, options }) => ({
      key: q.key,
      factKey: q.factKey,
      text: Object.fromEntries(text.map((l) => [l, q.text[l]])),
      options: q.options.map((o, i) => ({ value: o.value, label: Object.fromEntries(options[i].map((l) => [l, o.label[l]])) })),
    })),
  ),
);
const contributionArb = fc
  .record({
    id: fc.uuid(),
    keyValue: fc.constantFrom(...FACT_VALUES),
    provenance: fc.constantFrom('declared' as const, 'observed' as const, 'inferred' as const),
    source: fc.constantFrom(...SOURCES),
    collectedAt: fc.date({ min: new Date('2024-06-01T00:00:00Z'), max: new Date('2026-03-09T00:00:00Z'), noInvalidDate: true }),
    points: fc.double({ min: 0.01, max: 100, noNaN: true }),
  })
  .map(({ keyValue: [key, value], points, ...rest }): Contribution => {
    const fact: ScoringFact = { ...rest, key, value, subjectId: SUBJECT, category: 'motivations', disputed: false, expiresAt: null };
    return { fact, tag: { factKey: key, value, weight: 1 }, points };
  });

describe('explanations: one language throughout (property tests)', () => {
  it('for every language, no word of the explanation comes from another language, and the labels are that language’s', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EXPLANATION_LOCALES),
        questionsArb,
        fc.array(contributionArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('UTC', 'Europe/Oslo', 'Europe/Budapest', null),
        (locale, questions, because, timeZone) => {
          const labeller = questionLabeller(questions);
          const e = explain(because, locale, labeller, { timeZone, now: new Date('2026-03-10T12:00:00Z') });
          const t = EXPLANATION_TABLES[locale];
          expect(e.locale).toBe(locale);
          expect(e.counterfactual).toBe(t.counterfactual);

          // Words this sentence may hold: the language's own, and the data itself (value codes
          // without a label, free-text sources the brand has no words for).
          const data = because.flatMap(({ fact }) => [humanise(fact.value), ...(FREE_SOURCES.includes(fact.source) ? [fact.source] : [])]).flatMap(words);
          const allowed = new Set([...ownWords.get(locale)!, ...data]);
          const foreign = new Set(EXPLANATION_LOCALES.filter((l) => l !== locale).flatMap((l) => [...ownWords.get(l)!]).filter((w) => !allowed.has(w)));
          expect(words(e.text).filter((w) => foreign.has(w)), e.text).toEqual([]);
          expect(words(e.counterfactual).filter((w) => foreign.has(w))).toEqual([]);

          because.forEach(({ fact }, i) => {
            const question = questions.find((q) => q.factKey === fact.key);
            const own = question?.options.find((o) => o.value === fact.value)?.label[locale];
            // The label is this language's, else the value itself, never another language's.
            expect(e.reasons[i].label).toBe(own ?? humanise(fact.value));
            expect(e.text).toContain(t.quote(e.reasons[i].label));
            const asked = questions.find((q) => `question:${q.key}` === fact.source)?.text[locale];
            const source = asked ? answerTo(asked, locale) : (builtInSource(fact.source, locale) ?? t.quote(fact.source));
            expect(e.reasons[i].source).toBe(source);
            if (fact.provenance !== 'declared') expect(e.text).toContain(source);
          });
          // Candor's own source codes never show as codes.
          for (const code of ['portal', 'import', 'api']) expect(e.text).not.toContain(t.quote(code));
          expect(e.text).not.toContain('question:');
        },
      ),
      { numRuns: 500 },
    );
  }, 30_000);

  it('joins several reasons the way the language lists things', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXPLANATION_LOCALES), fc.array(contributionArb, { minLength: 2, maxLength: 4 }), (locale, because) => {
        const one = because.map((c) => explain([c], locale).text.slice(0, -1));
        const all = explain(because, locale).text;
        const lower = (s: string) => s.charAt(0).toLocaleLowerCase(EXPLANATION_TABLES[locale].intl) + s.slice(1);
        const expected = new Intl.ListFormat(EXPLANATION_TABLES[locale].intl, { type: 'conjunction' }).format([one[0], ...one.slice(1).map(lower)]);
        expect(all).toBe(`${expected}.`);
      }),
      { numRuns: 200 },
    );
  }, 30_000);
});

describe('explanations', () => {
  const fact: ScoringFact = {
    id: 'f1',
    subjectId: SUBJECT,
    key: 'motivation',
    value: 'sleep_better',
    category: 'motivations',
    provenance: 'declared',
    source: 'question:why_meditate',
    collectedAt: new Date('2026-03-02T10:00:00Z'),
    disputed: false,
    expiresAt: null,
  };
  const now = new Date('2026-03-10T12:00:00Z');
  const because = (over: Partial<ScoringFact> = {}): Contribution[] => [{ fact: { ...fact, ...over }, tag: { factKey: 'motivation', value: 'sleep_better', weight: 1 }, points: 1 }];
  const labeller = questionLabeller(QUESTIONS);

  it('says what the customer told us and when, in the language asked', () => {
    expect(explain(because(), 'en', undefined, { now }).text).toBe('Because you told us on 2 March that your answer is “sleep better”.');
    expect(explain(because(), 'en', labeller, { now }).text).toBe('Because you told us on 2 March that your answer is “To sleep better”.');
    expect(explain(because(), 'nb', labeller, { now }).text).toBe('Fordi du fortalte oss den 2. mars at svaret ditt er «Å sove bedre».');
    expect(explain(because(), 'da', labeller, { now }).text).toBe('Fordi du fortalte os den 2. marts, at dit svar er »At sove bedre«.');
    expect(explain(because(), 'pl', labeller, { now }).text).toBe('Ponieważ 2 marca Twoja odpowiedź brzmiała: „Chcę lepiej spać”.');
    expect(explain(because(), 'hu', labeller, { now }).text).toBe('Mert március 2-án azt mondtad nekünk: „Hogy jobban aludjak”.');
    expect(explain(because(), 'de-AT').locale).toBe('en');
    expect(explain(because(), 'nb-NO').locale).toBe('nb');
  });

  it('names sources in the reader’s words: the question asked, Candor’s own sources, and a brand’s free text quoted as it is', () => {
    const observed = (source: string, locale: ExplanationLocale) =>
      explain(because({ provenance: 'observed', source, key: 'owns', value: 'espresso_machine' }), locale, labeller, { now }).text;
    expect(observed('order #10442', 'en')).toBe('Because we noticed “An espresso machine” (source: “order #10442”, 2 March).');
    expect(observed('content you played', 'nb')).toBe('Fordi vi så «En espressomaskin» (kilde: «content you played», 2. mars).');
    expect(observed('question:why_meditate', 'pl')).toBe('Ponieważ zauważyliśmy: „Ekspres do kawy” (źródło: Twoja odpowiedź na pytanie „Co skłania Cię do medytacji?”, 2 marca).');
    expect(observed('import', 'hu')).toBe('Mert ezt láttuk: „Eszpresszógép” (forrás: korábbi rendszerből importált adatok, március 2.).');
    expect(observed('question:retired', 'da')).toBe('Fordi vi bemærkede »En espressomaskine« (kilde: dit svar på et af vores spørgsmål, 2. marts).');
    const inferred = explain(because({ provenance: 'inferred', source: 'purchase history' }), 'en', labeller, { now }).text;
    expect(inferred).toBe('Because we guessed “To sleep better” (source: “purchase history”, 2 March) — tell us if that\'s wrong.');
  });

  it('uses a brand’s label only in its own language, never another’s', () => {
    const onlyEnglish = questionLabeller([{ ...QUESTIONS[0], options: [{ value: 'sleep_better', label: { en: 'To sleep better' } as Texts }] }]);
    const e = explain(because(), 'pl', onlyEnglish, { now });
    expect(e.text).toBe('Ponieważ 2 marca Twoja odpowiedź brzmiała: „sleep better”.');
    expect(e.reasons[0].label).toBe('sleep better');
  });

  it('names the year when it is not this year, and the day in the customer’s time zone', () => {
    expect(explain(because({ collectedAt: new Date('2025-03-02T10:00:00Z') }), 'en', labeller, { now }).text).toContain('on 2 March 2025 that');
    expect(explain(because({ collectedAt: new Date('2025-03-02T10:00:00Z') }), 'hu', labeller, { now }).text).toBe('Mert 2025. március 2-án azt mondtad nekünk: „Hogy jobban aludjak”.');
    // 23:30 UTC on 1 March is already 2 March in Oslo.
    const late = because({ collectedAt: new Date('2026-03-01T23:30:00Z') });
    expect(explain(late, 'nb', labeller, { now, timeZone: 'Europe/Oslo' }).text).toContain('den 2. mars');
    expect(explain(late, 'nb', labeller, { now, timeZone: 'UTC' }).text).toContain('den 1. mars');
    expect(explain(late, 'nb', labeller, { now, timeZone: 'Not/AZone' }).text).toContain('den 1. mars');
  });

  it('says so when nothing the customer shared bears on the item', () => {
    for (const locale of EXPLANATION_LOCALES) {
      const e = explain([], locale);
      expect(e.text).toBe(EXPLANATION_TABLES[locale].none);
      expect(e.reasons).toEqual([]);
    }
  });
});

describe('Hungarian dates', () => {
  /** "On the Nth" written out: the suffix of the number follows the ordinal's own ending. */
  const ON_THE_NTH = [
    'elsején', 'másodikán', 'harmadikán', 'negyedikén', 'ötödikén', 'hatodikán', 'hetedikén', 'nyolcadikán', 'kilencedikén', 'tizedikén',
    'tizenegyedikén', 'tizenkettedikén', 'tizenharmadikán', 'tizennegyedikén', 'tizenötödikén', 'tizenhatodikán', 'tizenhetedikén', 'tizennyolcadikán', 'tizenkilencedikén', 'huszadikán',
    'huszonegyedikén', 'huszonkettedikén', 'huszonharmadikán', 'huszonnegyedikén', 'huszonötödikén', 'huszonhatodikán', 'huszonhetedikén', 'huszonnyolcadikán', 'huszonkilencedikén', 'harmincadikán',
    'harmincegyedikén',
  ];

  it('gives each day the suffix its ordinal takes: -án or -én by vowel harmony, -jén after elseje', () => {
    ON_THE_NTH.forEach((word, i) => {
      const suffix = hungarianDaySuffix(i + 1);
      expect(word.endsWith(suffix), `${i + 1}-${suffix} vs ${word}`).toBe(true);
      expect(suffix === 'jén').toBe(word === 'elsején');
    });
  });

  it('writes "március 2-án" inside a sentence and "március 2." on its own', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(explanationDate(new Date('2026-03-02T10:00:00Z'), 'hu', { now })).toEqual({ on: 'március 2-án', date: 'március 2.' });
    expect(explanationDate(new Date('2026-03-01T10:00:00Z'), 'hu', { now }).on).toBe('március 1-jén');
    expect(explanationDate(new Date('2026-03-04T10:00:00Z'), 'hu', { now }).on).toBe('március 4-én');
    expect(explanationDate(new Date('2026-03-12T10:00:00Z'), 'hu', { now }).on).toBe('március 12-én');
    expect(explanationDate(new Date('2026-03-20T10:00:00Z'), 'hu', { now }).on).toBe('március 20-án');
    expect(explanationDate(new Date('2025-12-31T10:00:00Z'), 'hu', { now })).toEqual({ on: '2025. december 31-én', date: '2025. december 31.' });
  });
});

import { describe, expect, it } from 'vitest';
import { Dictionary, DictionaryData } from './dictionary';
import { decodeFactValue, encodeFactValue, isFactValue, readTextAs, valueProblem } from './fact-values';
import { missingTranslations } from './missing';

const calmHarbor: DictionaryData = {
  defaultLocale: 'en',
  factKeys: [
    {
      key: 'motivation',
      category: 'motivations',
      label: { en: 'Motivation', nb: 'Motivasjon', pl: 'Motywacja' },
      type: 'choices',
      values: [{ value: 'sleep_better', label: { en: 'To sleep better', nb: 'For å sove bedre' } }],
    },
    { key: 'sessions_per_week', category: 'behavior', label: { en: 'Sessions per week', da: 'Sessioner om ugen' }, type: 'number', values: [] },
    { key: 'newsletter_reader', category: 'behavior', label: { en: 'Reads the newsletter' }, type: 'boolean', values: [{ value: 'true', label: { nb: 'Leser nyhetsbrevet' } }] },
  ],
  sources: [
    { key: 'welcome_question', label: { en: 'the welcome question', nb: 'velkomstspørsmålet' } },
    { key: 'order', label: { en: 'order #{ref}', da: 'ordre nr. {ref}' } },
  ],
  topics: [{ key: 'sleep', label: { en: 'Sleep', hu: 'Alvás' } }],
  questions: [
    {
      key: 'why_meditate',
      factKey: 'motivation',
      text: { en: 'What brings you to meditation?', pl: 'Co skłania Cię do medytacji?' },
      options: [
        { value: 'sleep_better', label: { en: 'Sleep better (question)', pl: 'Chcę lepiej spać' } },
        { value: 'ease_anxiety', label: { en: 'To ease anxiety', da: 'At dæmpe angst' } },
      ],
    },
  ],
};

describe('Dictionary', () => {
  const d = new Dictionary(calmHarbor);

  it('names a fact key in the page language, else the brand default, else the key in plain words', () => {
    expect(d.keyLabel('motivation', 'nb')).toBe('Motivasjon');
    expect(d.keyLabel('motivation', 'nb-NO')).toBe('Motivasjon');
    expect(d.keyLabel('motivation', 'hu')).toBe('Motivation');
    expect(d.keyLabel('practice_time', 'pl')).toBe('Practice time');
  });

  it('falls back to a brand default language that is not English', () => {
    const danish = new Dictionary({ ...calmHarbor, defaultLocale: 'da' });
    expect(danish.keyLabel('sessions_per_week', 'hu')).toBe('Sessioner om ugen');
    // Neither Hungarian nor Danish: the key in plain words, not the English label.
    expect(danish.keyLabel('practice_time', 'hu')).toBe('Practice time');
    expect(new Dictionary({ ...calmHarbor, defaultLocale: 'da', factKeys: [{ ...calmHarbor.factKeys![0], label: { nb: 'Motivasjon' } }] }).keyLabel('motivation', 'hu')).toBe(
      'Motivation',
    );
  });

  it('names a value from the dictionary first, then from question options, then in plain words', () => {
    expect(d.valueLabel('motivation', 'sleep_better', 'nb')).toBe('For å sove bedre');
    // The dictionary has no Polish word for it; the question option has.
    expect(d.valueLabel('motivation', 'sleep_better', 'pl')).toBe('Chcę lepiej spać');
    // Both have English: the dictionary wins.
    expect(d.valueLabel('motivation', 'sleep_better', 'en')).toBe('To sleep better');
    expect(d.valueLabel('motivation', 'ease_anxiety', 'da')).toBe('At dæmpe angst');
    expect(d.valueLabel('motivation', 'ease_anxiety', 'hu')).toBe('To ease anxiety');
    expect(d.valueLabel('motivation', 'new_age_lifestyle', 'nb')).toBe('New age lifestyle');
  });

  it('writes numbers, yes/no and lists the reader\'s way', () => {
    expect(d.factValueLabel('sessions_per_week', 1234.5, 'nb')).toBe(new Intl.NumberFormat('nb').format(1234.5));
    expect(d.factValueLabel('sessions_per_week', 1234.5, 'en')).toBe('1,234.5');
    expect(d.factValueLabel('newsletter_reader', true, 'nb')).toBe('Leser nyhetsbrevet');
    expect(d.factValueLabel('newsletter_reader', false, 'pl')).toBe('Nie');
    expect(d.factValueLabel('newsletter_reader', true, 'hu')).toBe('Igen');
    expect(d.factValueLabel('motivation', ['sleep_better', 'ease_anxiety'], 'en')).toBe('To sleep better and To ease anxiety');
    expect(d.factValueLabel('motivation', ['sleep_better', 'ease_anxiety'], 'pl')).toBe('Chcę lepiej spać i To ease anxiety');
  });

  it('names sources: registered ones, Candor\'s own codes, registered ones with a detail, free text as it is', () => {
    expect(d.sourceLabel('welcome_question', 'nb')).toBe('velkomstspørsmålet');
    expect(d.sourceLabel('welcome_question', 'hu')).toBe('the welcome question');
    expect(d.sourceLabel('question:why_meditate', 'pl')).toBe('Twoja odpowiedź na pytanie „Co skłania Cię do medytacji?”');
    expect(d.sourceLabel('question:why_meditate', 'nb')).toBe('svaret ditt på «What brings you to meditation?»');
    expect(d.sourceLabel('question:gone', 'da')).toBe('dit svar på et spørgsmål');
    expect(d.sourceLabel('portal', 'hu')).toBe('te, ezen a portálon');
    expect(d.sourceLabel('order:10442', 'da')).toBe('ordre nr. 10442');
    expect(d.sourceLabel('order:10442', 'pl')).toBe('order #10442');
    expect(d.sourceLabel('order #10442', 'pl')).toBe('order #10442');
    expect(d.sourceLabel('crm:export', 'pl')).toBe('crm:export');
  });

  it('names topics, readers and catalogue texts with the same fallbacks', () => {
    expect(d.topicLabel('sleep', 'hu')).toBe('Alvás');
    expect(d.topicLabel('sleep', 'da')).toBe('Sleep');
    expect(d.topicLabel('cleaning_tips', 'da')).toBe('Cleaning tips');
    expect(d.text('Barista Pro 870', 'pl', 'barista')).toBe('Barista Pro 870');
    expect(d.text({ en: 'Evening wind-down', nb: 'Kveldsro' }, 'nb', 'evening')).toBe('Kveldsro');
    expect(d.text({ en: 'Evening wind-down' }, 'hu', 'evening')).toBe('Evening wind-down');
    expect(d.text({ nb: 'Kveldsro' }, 'hu', 'evening-wind-down')).toBe('Evening wind down');
    expect(d.readerLabel({ actor: 'api-key:1', name: 'newsletter service', label: { nb: 'nyhetsbrevtjenesten' } }, 'nb')).toBe('nyhetsbrevtjenesten');
    expect(d.readerLabel({ actor: 'api-key:1', name: 'newsletter service', label: null }, 'nb')).toBe('newsletter service');
    expect(d.readerLabel({ actor: 'staff:2', name: 'Astrid Berg (staff)' }, 'da')).toBe('Astrid Berg (medarbejder)');
    // A brand's first key issued before it had a label per language is still named in the reader's language.
    expect(d.readerLabel({ actor: 'api-key:3', name: 'Kitchen Atelier (main key)', label: null }, 'hu')).toBe('Kitchen Atelier (főkulcs)');
    expect(d.readerLabel({ actor: 'api-key:3', name: 'Kitchen Atelier (main key)', label: null }, 'nb')).toBe('Kitchen Atelier (hovednøkkel)');
    expect(d.readerLabel({ actor: 'api-key:3', name: 'Kitchen Atelier (main key)', label: null }, 'en')).toBe('Kitchen Atelier (main key)');
  });

  it('serves an explanation the words for values and sources', () => {
    const words = d.labeller();
    expect(words.value('motivation', 'sleep_better', 'pl')).toBe('Chcę lepiej spać');
    expect(words.source('order:10442', 'da')).toBe('ordre nr. 10442');
    expect(words.source('question:why_meditate', 'en')).toBe('your answer to “What brings you to meditation?”');
  });

  it('writes a label map in every language of the brand', () => {
    expect(d.labels((l) => d.keyLabel('motivation', l))).toEqual({ en: 'Motivation', nb: 'Motivasjon', da: 'Motivation', pl: 'Motywacja', hu: 'Motivation' });
    expect(Object.keys(new Dictionary({ defaultLocale: 'de' }).labels(() => 'x'))).toEqual(['en', 'nb', 'da', 'pl', 'hu', 'de']);
  });
});

describe('fact values', () => {
  it('accepts text, numbers, yes/no and lists of different texts, and nothing else', () => {
    for (const ok of ['sleep_better', 5, 2.5, -1, true, false, ['a', 'b']]) expect(isFactValue(ok), JSON.stringify(ok)).toBe(true);
    for (const bad of ['', 'x'.repeat(501), Number.NaN, Infinity, [], ['a', 'a'], [1], [''], {}, null, { en: 'x' }]) expect(isFactValue(bad), JSON.stringify(bad)).toBe(false);
  });

  it('stores typed values as their JSON beside their kind, and reads them back as they were', () => {
    for (const value of ['5', 5, true, 'true', ['a', 'b'], '["a","b"]']) {
      const { text, kind } = encodeFactValue(value);
      expect(decodeFactValue(text, kind)).toEqual(value);
    }
    expect(encodeFactValue(5)).toEqual({ text: '5', kind: 'number' });
    expect(encodeFactValue('5')).toEqual({ text: '5', kind: null });
  });

  it('checks values against a declared type', () => {
    const choice = { type: 'choice' as const, values: [{ value: 'light' }, { value: 'dark' }] };
    const choices = { type: 'choices' as const, values: [{ value: 'sleep' }, { value: 'focus' }] };
    expect(valueProblem(null, 5)).toBeNull();
    expect(valueProblem({ type: null, values: [] }, ['x'])).toBeNull();
    expect(valueProblem({ type: 'number', values: [] }, 5)).toBeNull();
    expect(valueProblem({ type: 'number', values: [] }, '5')).toMatch(/number/);
    expect(valueProblem({ type: 'boolean', values: [] }, 'yes')).toMatch(/true or false/);
    expect(valueProblem({ type: 'text', values: [] }, 3)).toMatch(/text/);
    expect(valueProblem(choice, 'dark')).toBeNull();
    expect(valueProblem(choice, 'medium')).toMatch(/not one of the values/);
    expect(valueProblem(choice, ['dark'])).toMatch(/one of the values/);
    expect(valueProblem(choices, ['sleep', 'focus'])).toBeNull();
    expect(valueProblem(choices, 'sleep')).toBeNull();
    expect(valueProblem(choices, ['sleep', 'golf'])).toMatch(/not declared/);
  });

  it('reads a correction typed into a form as the declared type', () => {
    expect(readTextAs({ type: 'number', values: [] }, ' 6 ')).toBe(6);
    expect(readTextAs({ type: 'number', values: [] }, 'six')).toBe('six');
    expect(readTextAs({ type: 'boolean', values: [] }, 'false')).toBe(false);
    expect(readTextAs(null, '6')).toBe('6');
  });
});

describe('missing translations', () => {
  const data = {
    factKeys: calmHarbor.factKeys!,
    sources: calmHarbor.sources!,
    topics: calmHarbor.topics!,
    questions: calmHarbor.questions!,
    catalog: [
      { sku: 'barista', title: 'Barista Pro 870', description: null },
      { sku: 'evening', title: { en: 'Evening wind-down', pl: 'Wieczorne wyciszenie' }, description: { en: 'Twenty quiet minutes' } },
    ],
    purposes: [{ key: 'personalization', name: { en: 'Suggestions for you', pl: 'Propozycje dla Ciebie' } }],
    notices: [{ purpose: 'personalization', version: 2, text: { en: 'We use…' } }],
    usedFactKeys: ['motivation', 'practice_time'],
  };

  it('lists each text a Polish reader would not get in Polish', () => {
    const missing = missingTranslations(data, ['pl']);
    const ids = missing.map((m) => [m.kind, m.key, m.value ?? '', m.field].join(' '));
    expect(ids).toContain('fact-key sessions_per_week  label');
    expect(ids).toContain('fact-key practice_time  label');
    expect(missing.find((m) => m.key === 'practice_time')?.undeclared).toBe(true);
    expect(ids).toContain('source welcome_question  label');
    expect(ids).toContain('topic sleep  label');
    expect(ids).toContain('question-option why_meditate ease_anxiety label');
    expect(ids).toContain('catalog-item evening  description');
    expect(ids).toContain('notice personalization 2 text');
    // Translated (the value through its question option), or one text for every language: not listed.
    expect(ids).not.toContain('fact-key motivation  label');
    expect(ids).not.toContain('fact-value motivation sleep_better label');
    expect(ids).not.toContain('question why_meditate  text');
    expect(ids).not.toContain('catalog-item barista  title');
    expect(ids).not.toContain('catalog-item evening  title');
    expect(ids).not.toContain('purpose personalization  name');
    expect(missing.every((m) => m.locale === 'pl')).toBe(true);
  });

  it('stops listing a text once it is translated', () => {
    const translated = { ...data, topics: [{ key: 'sleep', label: { en: 'Sleep', pl: 'Sen' } }] };
    expect(missingTranslations(data, ['pl']).some((m) => m.kind === 'topic')).toBe(true);
    expect(missingTranslations(translated, ['pl']).some((m) => m.kind === 'topic')).toBe(false);
  });
});

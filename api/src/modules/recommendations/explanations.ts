import { supportedLocale, type SupportedLocale } from '../../common/http/locale';
import { SUPPORTED_LOCALES } from '../../common/http/validators';
import type { QuestionEntity } from '../questions/question.entity';
import { labelKey, valueLabels } from '../questions/value-labels';
import type { Contribution } from './recommender';

export const EXPLANATION_LOCALES = SUPPORTED_LOCALES;
export type ExplanationLocale = SupportedLocale;

/**
 * Where the brand's own words for values and sources come from. Each answers in exactly the
 * language asked, or not at all (undefined): a label in another language would put a foreign
 * word into the sentence, so the explanation falls back to words of its own instead.
 */
export interface ExplanationLabeller {
  /** `motivation` = `sleep_better` in `locale` ("For å sove bedre"). */
  value(key: string, value: string, locale: ExplanationLocale): string | undefined;
  /** A fact's source in `locale`, as a noun phrase ("svaret ditt på «Hva får deg til å meditere?»"). */
  source(source: string, locale: ExplanationLocale): string | undefined;
}

export const NO_LABELS: ExplanationLabeller = { value: () => undefined, source: () => undefined };

/**
 * The brand's own words from its questions: option labels name values, question texts name
 * `question:<key>` sources ("your answer to “…”"). Each only in the language asked: a missing
 * translation is left to the explanation's own fallback, never filled from another language.
 */
export function questionLabeller(questions: readonly Pick<QuestionEntity, 'key' | 'factKey' | 'text' | 'options'>[]): ExplanationLabeller {
  const values = valueLabels(questions);
  const texts = new Map(questions.map((q) => [q.key, q.text]));
  return {
    value: (key, value, locale) => ownText(values.get(labelKey(key, value)), locale),
    source: (source, locale) => {
      const question = questionKeyOf(source);
      const text = question === null ? undefined : ownText(texts.get(question), locale);
      return text ? answerTo(text, locale) : undefined;
    },
  };
}

/** A locale map's text in exactly `locale` (a blank text counts as none). */
function ownText(texts: Record<string, string> | undefined, locale: ExplanationLocale): string | undefined {
  const text = texts && Object.hasOwn(texts, locale) ? texts[locale] : undefined;
  return text?.trim() ? text : undefined;
}

/** The sources Candor itself writes on facts, besides `question:<key>` (see `builtInSource`). */
const BUILT_IN_SOURCES = ['portal', 'import', 'api'] as const;
type BuiltInSource = (typeof BUILT_IN_SOURCES)[number];

/**
 * Everything an explanation says in one language. Labels and sources arrive already quoted or
 * phrased; `on` is a date as it reads inside the sentence, `date` as it reads in parentheses.
 */
export interface ExplanationTable {
  /** The `Intl` locale for dates and lists. */
  intl: string;
  quote: (text: string) => string;
  declared: (label: string, on: string) => string;
  observed: (label: string, source: string, date: string) => string;
  inferred: (label: string, source: string, date: string) => string;
  counterfactual: string;
  /** When no fact of the customer's bears on the item (a brand's own recommender may cite such). */
  none: string;
  /** The customer's answer to a question the brand asked, named by its text in this language. */
  answerTo: (question: string) => string;
  /** The same, when the question has no text in this language. */
  anyQuestion: string;
  builtIn: Record<BuiltInSource, string>;
}

/** Plain words per language; the property tests check that no language borrows from another. */
export const EXPLANATION_TABLES: Record<ExplanationLocale, ExplanationTable> = {
  en: {
    // British English writes "2 March", as the brands in our journeys do.
    intl: 'en-GB',
    quote: (t) => `“${t}”`,
    declared: (l, on) => `because you told us on ${on} that your answer is ${l}`,
    observed: (l, s, d) => `because we noticed ${l} (source: ${s}, ${d})`,
    inferred: (l, s, d) => `because we guessed ${l} (source: ${s}, ${d}) — tell us if that's wrong`,
    counterfactual: 'Without this, we would not suggest it.',
    none: 'Nothing you have shared with us points to this.',
    answerTo: (q) => `your answer to ${q}`,
    anyQuestion: 'your answer to one of our questions',
    builtIn: { portal: 'what you entered yourself', import: 'records imported from an earlier system', api: 'our own systems' },
  },
  nb: {
    intl: 'nb',
    quote: (t) => `«${t}»`,
    declared: (l, on) => `fordi du fortalte oss den ${on} at svaret ditt er ${l}`,
    observed: (l, s, d) => `fordi vi så ${l} (kilde: ${s}, ${d})`,
    inferred: (l, s, d) => `fordi vi gjettet ${l} (kilde: ${s}, ${d}) – si fra hvis det er feil`,
    counterfactual: 'Uten dette ville vi ikke foreslått det.',
    none: 'Ingenting du har delt med oss, peker mot dette.',
    answerTo: (q) => `svaret ditt på ${q}`,
    anyQuestion: 'svaret ditt på et av spørsmålene våre',
    builtIn: { portal: 'det du selv skrev inn', import: 'opplysninger importert fra et tidligere system', api: 'våre egne systemer' },
  },
  da: {
    intl: 'da',
    quote: (t) => `»${t}«`,
    declared: (l, on) => `fordi du fortalte os den ${on}, at dit svar er ${l}`,
    observed: (l, s, d) => `fordi vi bemærkede ${l} (kilde: ${s}, ${d})`,
    inferred: (l, s, d) => `fordi vi gættede ${l} (kilde: ${s}, ${d}) – sig til, hvis det er forkert`,
    counterfactual: 'Uden dette ville vi ikke foreslå det.',
    none: 'Intet af det, du har delt med os, peger på dette.',
    answerTo: (q) => `dit svar på ${q}`,
    anyQuestion: 'dit svar på et af vores spørgsmål',
    builtIn: { portal: 'det, du selv har skrevet', import: 'oplysninger importeret fra et tidligere system', api: 'vores egne systemer' },
  },
  pl: {
    intl: 'pl',
    quote: (t) => `„${t}”`,
    // Impersonal where Polish would otherwise need the reader's grammatical gender.
    declared: (l, on) => `ponieważ ${on} Twoja odpowiedź brzmiała: ${l}`,
    observed: (l, s, d) => `ponieważ zauważyliśmy: ${l} (źródło: ${s}, ${d})`,
    inferred: (l, s, d) => `ponieważ wywnioskowaliśmy: ${l} (źródło: ${s}, ${d}) — daj znać, jeśli to nieprawda`,
    counterfactual: 'Bez tego nie zaproponowalibyśmy tego.',
    none: 'Nic z tego, co nam o sobie mówisz, nie wskazuje na tę propozycję.',
    answerTo: (q) => `Twoja odpowiedź na pytanie ${q}`,
    anyQuestion: 'Twoja odpowiedź na jedno z naszych pytań',
    builtIn: { portal: 'Twój własny wpis', import: 'dane zaimportowane z wcześniejszego systemu', api: 'nasze własne systemy' },
  },
  hu: {
    intl: 'hu',
    quote: (t) => `„${t}”`,
    // `on` carries its own suffix ("március 2-án"); a source follows "forrás:" so it needs no case ending.
    declared: (l, on) => `mert ${on} azt mondtad nekünk: ${l}`,
    observed: (l, s, d) => `mert ezt láttuk: ${l} (forrás: ${s}, ${d})`,
    inferred: (l, s, d) => `mert ezt feltételeztük: ${l} (forrás: ${s}, ${d}) – szólj, ha tévedünk`,
    counterfactual: 'Enélkül nem ajánlanánk.',
    none: 'Semmi, amit megosztottál velünk, nem utal erre.',
    answerTo: (q) => `a válaszod erre a kérdésre: ${q}`,
    anyQuestion: 'a válaszod az egyik kérdésünkre',
    builtIn: { portal: 'amit te magad adtál meg', import: 'korábbi rendszerből importált adatok', api: 'a saját rendszereink' },
  },
};

/** The language an explanation is written in: a supported one, else English. */
export function explanationLocale(locale: string | null | undefined): ExplanationLocale {
  return supportedLocale(locale) ?? 'en';
}

/** `sleep_better` → `sleep better`, when the brand has no label for the value in this language. */
export function humanise(value: string): string {
  return value.replace(/[_-]+/g, ' ').trim();
}

/** The question a `question:<key>` source names, or null for any other source. */
export function questionKeyOf(source: string): string | null {
  return source.startsWith('question:') && source.length > 'question:'.length ? source.slice('question:'.length) : null;
}

/**
 * A source Candor writes itself, in words: `question:<key>` (a question's answer, when the labeller
 * has no words for that question), `portal` (the customer's own entry), `import`, `api`.
 */
export function builtInSource(source: string, locale: ExplanationLocale): string | undefined {
  const table = EXPLANATION_TABLES[locale];
  if (questionKeyOf(source)) return table.anyQuestion;
  return (BUILT_IN_SOURCES as readonly string[]).includes(source) ? table.builtIn[source as BuiltInSource] : undefined;
}

/** "your answer to “What brings you to meditation?”", given the question's text in `locale`. */
export function answerTo(questionText: string, locale: ExplanationLocale): string {
  const table = EXPLANATION_TABLES[locale];
  return table.answerTo(table.quote(questionText));
}

/**
 * The suffix "on day N" takes in Hungarian, read off the ordinal the number stands for: `-án`/`-én`
 * by vowel harmony with its last vowel (harmadikán, negyedikén, tizedikén, huszadikán), `-jén`
 * after elseje (the 1st only: 11th, 21st and 31st are -egyedikén). The 2nd is másodikán, but the
 * 12th and 22nd are -kettedikén.
 */
export function hungarianDaySuffix(day: number): 'án' | 'én' | 'jén' {
  if (day === 1) return 'jén';
  if (day === 2) return 'án';
  if (day === 10) return 'én';
  if (day === 20 || day === 30) return 'án';
  return [3, 6, 8].includes(day % 10) ? 'án' : 'én';
}

/** A date in the reader's language and time zone, with the year only when it is not this year's. */
export function explanationDate(at: Date, locale: ExplanationLocale, options: { timeZone?: string | null; now?: Date } = {}): { date: string; on: string } {
  const timeZone = validTimeZone(options.timeZone);
  const table = EXPLANATION_TABLES[locale];
  const yearOf = (d: Date) => formatter('en', timeZone, 'year').format(d);
  const withYear = yearOf(at) !== yearOf(options.now ?? new Date());
  const format = formatter(table.intl, timeZone, withYear ? 'day-month-year' : 'day-month');
  if (locale !== 'hu') {
    const date = format.format(at);
    return { date, on: date };
  }
  // Hungarian writes "március 2." alone but "március 2-án" for "on 2 March": the day's closing
  // period gives way to a hyphen and the suffix.
  const parts = format.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const day = Number(part('day'));
  const head = `${withYear ? `${part('year')}. ` : ''}${part('month')}`;
  return { date: `${head} ${day}.`, on: `${head} ${day}-${hungarianDaySuffix(day)}` };
}

/**
 * Intl formatters are costly to build (a list of ten recommendations formats dozens of dates), and
 * their inputs are few: five languages, the subjects' time zones, three shapes.
 */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const SHAPES = {
  year: { year: 'numeric' },
  'day-month': { day: 'numeric', month: 'long' },
  'day-month-year': { day: 'numeric', month: 'long', year: 'numeric' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;

function formatter(intl: string, timeZone: string, shape: keyof typeof SHAPES): Intl.DateTimeFormat {
  const key = `${intl}|${timeZone}|${shape}`;
  let format = FORMATTERS.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(intl, { ...SHAPES[shape], timeZone });
    // Bounded: time zones are IANA names, so this stays small; the guard is for the unexpected.
    if (FORMATTERS.size > 2000) FORMATTERS.clear();
    FORMATTERS.set(key, format);
  }
  return format;
}

const LISTS = new Map<string, Intl.ListFormat>();

function listFormat(intl: string): Intl.ListFormat {
  let list = LISTS.get(intl);
  if (!list) LISTS.set(intl, (list = new Intl.ListFormat(intl, { type: 'conjunction' })));
  return list;
}

function validTimeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    formatter('en', timeZone, 'year');
    return timeZone;
  } catch {
    return 'UTC';
  }
}

export interface Explanation {
  text: string;
  counterfactual: string;
  locale: ExplanationLocale;
  /** Per cited fact, in the same order: its value and its source in words, in `locale`. */
  reasons: Array<{ label: string; source: string }>;
}

/**
 * The sentence that says which facts an item came from, with provenance, source and date, wholly in
 * one language: the brand's labels in that language (else the value's own code, as data), sources
 * as the labeller phrases them, else Candor's words for its own sources, else the brand's free text
 * quoted as a name; dates and list joining from `Intl` in that language.
 */
export function explain(
  because: readonly Contribution[],
  locale: string | null | undefined,
  labeller: ExplanationLabeller = NO_LABELS,
  options: { timeZone?: string | null; now?: Date } = {},
): Explanation {
  const lang = explanationLocale(locale);
  const table = EXPLANATION_TABLES[lang];
  const reasons = because.map(({ fact }) => ({
    label: labeller.value(fact.key, fact.value, lang) ?? humanise(fact.value),
    source: labeller.source(fact.source, lang) ?? builtInSource(fact.source, lang) ?? table.quote(fact.source),
  }));
  const clauses = because.map(({ fact }, i) => {
    const { date, on } = explanationDate(fact.collectedAt, lang, options);
    const label = table.quote(reasons[i].label);
    return fact.provenance === 'declared' ? table.declared(label, on) : table[fact.provenance](label, reasons[i].source, date);
  });
  const sentence = listFormat(table.intl).format(clauses);
  return {
    text: clauses.length ? sentence.charAt(0).toLocaleUpperCase(table.intl) + sentence.slice(1) + '.' : table.none,
    counterfactual: table.counterfactual,
    locale: lang,
    reasons,
  };
}

import { SUPPORTED_LOCALES } from '../../common/http/validators';
import type { FactType, FactValue } from './fact-values';

/** `{ "en": "Motivation", "nb": "Motivasjon" }` */
export type LocaleText = Record<string, string>;

export interface FactKeyEntry {
  key: string;
  category: string;
  label: LocaleText;
  type: FactType | null;
  values: Array<{ value: string; label: LocaleText }>;
}

export interface LabelEntry {
  key: string;
  label: LocaleText;
}

export interface QuestionEntry {
  key: string;
  factKey: string;
  text: LocaleText;
  options: Array<{ value: string; label: LocaleText }>;
}

/** Everything a brand has said about its words, as plain data (from the database or a test). */
export interface DictionaryData {
  defaultLocale: string;
  factKeys?: FactKeyEntry[];
  sources?: LabelEntry[];
  topics?: LabelEntry[];
  questions?: QuestionEntry[];
}

/** Where a source's detail goes in its label: `order:10442` with `order` = "order #{ref}" → "order #10442". */
const REF = '{ref}';

/** Words Candor itself supplies, per language, for sources it writes and for yes/no values. */
const BUILT_IN: Record<
  string,
  {
    portal: string;
    answer: (question: string) => string;
    anyAnswer: string;
    yes: string;
    no: string;
    staff: (name: string) => string;
    /** The brand's first API key, which Candor issues and names itself when the brand is created. */
    mainKey: (brand: string) => string;
  }
> = {
  en: { portal: 'you, in this portal', answer: (q) => `your answer to “${q}”`, anyAnswer: 'your answer to a question', yes: 'Yes', no: 'No', staff: (n) => `${n} (staff)`, mainKey: (b) => `${b} (main key)` },
  nb: { portal: 'deg, i denne portalen', answer: (q) => `svaret ditt på «${q}»`, anyAnswer: 'svaret ditt på et spørsmål', yes: 'Ja', no: 'Nei', staff: (n) => `${n} (ansatt)`, mainKey: (b) => `${b} (hovednøkkel)` },
  da: { portal: 'dig, i denne portal', answer: (q) => `dit svar på »${q}«`, anyAnswer: 'dit svar på et spørgsmål', yes: 'Ja', no: 'Nej', staff: (n) => `${n} (medarbejder)`, mainKey: (b) => `${b} (hovednøgle)` },
  pl: { portal: 'Ty, w tym portalu', answer: (q) => `Twoja odpowiedź na pytanie „${q}”`, anyAnswer: 'Twoja odpowiedź na pytanie', yes: 'Tak', no: 'Nie', staff: (n) => `${n} (pracownik)`, mainKey: (b) => `${b} (klucz główny)` },
  hu: { portal: 'te, ezen a portálon', answer: (q) => `a válaszod erre a kérdésre: „${q}”`, anyAnswer: 'egy kérdésre adott válaszod', yes: 'Igen', no: 'Nem', staff: (n) => `${n} (munkatárs)`, mainKey: (b) => `${b} (főkulcs)` },
};

/** How the access log writes a staff member's name (before the portal said it in other languages). */
const STAFF_SUFFIX = ' (staff)';
/** How a brand's first key was named before its name had a label per language. */
const MAIN_KEY_SUFFIX = ' (main key)';

/** The name (English, the key's own) and the label per language of a brand's first API key. */
export function mainKeyName(brand: string): { name: string; label: LocaleText } {
  return { name: BUILT_IN.en.mainKey(brand), label: Object.fromEntries(Object.entries(BUILT_IN).map(([lang, words]) => [lang, words.mainKey(brand)])) };
}

/** The source code the portal writes for a fact the customer entered there. */
export const PORTAL_SOURCE = 'portal';
/** The source code of an answer to a question: `question:<question key>`. */
export const QUESTION_SOURCE_PREFIX = 'question:';

/** `sleep_better` → "Sleep better": the last resort when the brand has no word for a code. */
export function humanise(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A brand's data dictionary: the customer-facing words for its fact keys, fact values, sources,
 * topics and catalogue texts, per language. Every lookup falls back the same way — the reader's
 * language (or its base language: `nb-NO` → `nb`), then the brand's default language, then the code
 * in plain words — so a customer never meets a raw code, and the brand sees what is missing in its
 * missing-translations report (`missingTranslations`). Built from plain data; pure.
 */
export class Dictionary {
  readonly defaultLocale: string;
  /** The languages a label map is written out in: Candor's own and the brand's default. */
  readonly locales: readonly string[];
  private readonly keys: Map<string, FactKeyEntry>;
  private readonly values = new Map<string, LocaleText>();
  private readonly sources: Map<string, LocaleText>;
  private readonly topics: Map<string, LocaleText>;
  private readonly questions: Map<string, LocaleText>;

  constructor(data: DictionaryData) {
    this.defaultLocale = data.defaultLocale;
    this.locales = [...new Set<string>([...SUPPORTED_LOCALES, data.defaultLocale])];
    this.keys = new Map((data.factKeys ?? []).map((k) => [k.key, k]));
    // Question options name values too; the dictionary's own word wins where both have one.
    for (const q of data.questions ?? []) for (const o of q.options) this.addValue(q.factKey, o.value, o.label, false);
    for (const k of data.factKeys ?? []) for (const v of k.values) this.addValue(k.key, v.value, v.label, true);
    this.sources = new Map((data.sources ?? []).map((s) => [s.key, s.label]));
    this.topics = new Map((data.topics ?? []).map((t) => [t.key, t.label]));
    this.questions = new Map((data.questions ?? []).map((q) => [q.key, q.text]));
  }

  /** The declaration of a fact key, if the brand made one. */
  factKey(key: string): FactKeyEntry | undefined {
    return this.keys.get(key);
  }

  /**
   * The text of `texts` for `locale`: the locale, its base language, the brand's default language
   * (and its base language); undefined when none of them is there.
   */
  pick(texts: LocaleText | null | undefined, locale: string | null | undefined): string | undefined {
    if (!texts) return undefined;
    for (const candidate of [locale, locale?.split('-')[0], this.defaultLocale, this.defaultLocale.split('-')[0]]) {
      if (candidate && texts[candidate]?.trim()) return texts[candidate];
    }
    return undefined;
  }

  /** "Motivation" for `motivation`. */
  keyLabel(key: string, locale: string | null | undefined): string {
    return this.pick(this.keys.get(key)?.label, locale) ?? humanise(key);
  }

  /** "To sleep better" for `motivation` = `sleep_better`: from the dictionary, else the brand's question options. */
  valueLabel(key: string, value: string, locale: string | null | undefined): string {
    return this.ownValueLabel(key, value, locale) ?? humanise(value);
  }

  /** The brand's label for a value in `locale` (or its default language); undefined when it has none. */
  ownValueLabel(key: string, value: string, locale: string | null | undefined): string | undefined {
    return this.pick(this.values.get(valueId(key, value)), locale);
  }

  /**
   * A source the brand registered, in words, also with a detail (`order:10442` with the label
   * "order #{ref}" → "order #10442"); undefined for Candor's own codes and free text.
   */
  registeredSourceLabel(source: string, locale: string | null | undefined): string | undefined {
    const registered = this.pick(this.sources.get(source), locale);
    if (registered) return registered;
    const colon = source.indexOf(':');
    if (colon > 0 && !source.startsWith(QUESTION_SOURCE_PREFIX)) {
      const template = this.pick(this.sources.get(source.slice(0, colon)), locale);
      const detail = source.slice(colon + 1);
      if (template && detail) return template.includes(REF) ? template.split(REF).join(detail) : `${template} ${detail}`;
    }
    return undefined;
  }

  /**
   * Any fact value in words: text through `valueLabel`, a number written the reader's way, yes/no
   * (or the brand's words for `true`/`false`), a list as "A, B and C" in the reader's language.
   */
  factValueLabel(key: string, value: FactValue, locale: string | null | undefined): string {
    const lang = this.language(locale);
    if (typeof value === 'number') return new Intl.NumberFormat(lang).format(value);
    if (typeof value === 'boolean') {
      const own = this.pick(this.values.get(valueId(key, String(value))), locale);
      const words = BUILT_IN[lang] ?? BUILT_IN.en;
      return own ?? (value ? words.yes : words.no);
    }
    if (Array.isArray(value)) {
      return new Intl.ListFormat(lang, { type: 'conjunction' }).format(value.map((v) => this.valueLabel(key, v, locale)));
    }
    return this.valueLabel(key, value, locale);
  }

  /**
   * Where a fact came from, in words: a source the brand registered ("welcome_question" → "the
   * welcome question"); Candor's own codes (`portal`, `question:<key>` → "your answer to “…”"); a
   * registered source with a detail (`order:10442`, the label "order #{ref}" → "order #10442");
   * anything else is the brand's free text, shown as it is.
   */
  sourceLabel(source: string, locale: string | null | undefined): string {
    const registered = this.registeredSourceLabel(source, locale);
    if (registered) return registered;
    const words = BUILT_IN[this.language(locale)] ?? BUILT_IN.en;
    if (source === PORTAL_SOURCE) return words.portal;
    if (source.startsWith(QUESTION_SOURCE_PREFIX)) {
      const text = this.pick(this.questions.get(source.slice(QUESTION_SOURCE_PREFIX.length)), locale);
      return text ? words.answer(text.trim()) : words.anyAnswer;
    }
    return source;
  }

  /**
   * Who read a customer's data, in words: a brand system by the name its key carries per language
   * (else its name as it is; the brand's first key, "… (main key)", in the reader's language), a
   * staff member by name with "(staff)" in the reader's language.
   */
  readerLabel(reader: { actor: string; name: string | null; label?: LocaleText | null }, locale: string | null | undefined): string {
    const name = reader.name ?? reader.actor;
    if (reader.actor.startsWith('staff:')) {
      const person = name.endsWith(STAFF_SUFFIX) ? name.slice(0, -STAFF_SUFFIX.length) : name;
      return (BUILT_IN[this.language(locale)] ?? BUILT_IN.en).staff(person);
    }
    const labelled = this.pick(reader.label, locale);
    if (labelled) return labelled;
    // A brand's first key issued before it had a label per language: said in the reader's language.
    if (reader.actor.startsWith('api-key:') && name.endsWith(MAIN_KEY_SUFFIX)) {
      return (BUILT_IN[this.language(locale)] ?? BUILT_IN.en).mainKey(name.slice(0, -MAIN_KEY_SUFFIX.length));
    }
    return name;
  }

  /** A preference topic in words ("sleep" → "Søvn"). */
  topicLabel(topic: string, locale: string | null | undefined): string {
    return this.pick(this.topics.get(topic), locale) ?? humanise(topic);
  }

  /** A catalogue text that is one string for every language, or one per language; `code` when it has neither. */
  text(value: string | LocaleText | null | undefined, locale: string | null | undefined, code: string): string {
    if (typeof value === 'string') return value;
    return this.pick(value, locale) ?? humanise(code);
  }

  /** The words an explanation sentence needs: fact values and sources, in one language at a time. */
  labeller(): { value: (key: string, value: string, locale: string) => string; source: (source: string, locale: string) => string } {
    return { value: (key, value, locale) => this.valueLabel(key, value, locale), source: (source, locale) => this.sourceLabel(source, locale) };
  }

  /** One text per language of the dictionary (`locales`), each resolved as `resolve` does. */
  labels(resolve: (locale: string) => string): LocaleText {
    return Object.fromEntries(this.locales.map((locale) => [locale, resolve(locale)]));
  }

  /** The built-in words' language for `locale` (Candor's own languages; English otherwise). */
  private language(locale: string | null | undefined): string {
    for (const candidate of [locale, locale?.split('-')[0], this.defaultLocale, this.defaultLocale.split('-')[0]]) {
      if (candidate && BUILT_IN[candidate]) return candidate;
    }
    return 'en';
  }

  private addValue(key: string, value: string, label: LocaleText, override: boolean): void {
    const id = valueId(key, value);
    const current = this.values.get(id) ?? {};
    this.values.set(id, override ? { ...current, ...label } : { ...label, ...current });
  }
}

function valueId(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

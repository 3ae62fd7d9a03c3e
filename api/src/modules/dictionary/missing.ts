import type { FactKeyEntry, LabelEntry, LocaleText, QuestionEntry } from './dictionary';

export const MISSING_KINDS = ['fact-key', 'fact-value', 'source', 'topic', 'question', 'question-option', 'catalog-item', 'purpose', 'notice'] as const;
export type MissingKind = (typeof MISSING_KINDS)[number];

/** One text a customer reading in `locale` does not get in their language. */
export interface MissingTranslation {
  locale: string;
  kind: MissingKind;
  /** The fact key, source, topic, question, SKU or purpose. */
  key: string;
  /** The value (fact values, question options) or the notice version. */
  value?: string;
  /** Which text: `label`, `title`, `description`, `name`, `text`. */
  field: string;
  /** True for a fact key that facts use but the dictionary does not declare at all. */
  undeclared?: true;
}

/** What the missing-translations report looks at, as plain data. */
export interface TranslatableData {
  factKeys: FactKeyEntry[];
  sources: LabelEntry[];
  topics: LabelEntry[];
  questions: QuestionEntry[];
  catalog: Array<{ sku: string; title: string | LocaleText; description: string | LocaleText | null }>;
  purposes: Array<{ key: string; name: LocaleText }>;
  /** The latest notice of each purpose: the one customers are asked to agree to now. */
  notices: Array<{ purpose: string; version: number; text: LocaleText }>;
  /** Fact keys that facts of the brand's customers hold now. */
  usedFactKeys: string[];
}

const has = (texts: LocaleText | null | undefined, locale: string) => Boolean(texts?.[locale]?.trim());

/**
 * Every text a customer reading in one of `locales` would meet in another language (or as a code
 * in plain words): fact keys and their declared values, sources, topics, questions and their
 * options, catalogue texts given per language, purpose names and current notices. A catalogue text
 * given as one string is meant for every language and is never listed. A value named by a question
 * option counts as translated for the fact key too (the portal uses either).
 */
export function missingTranslations(data: TranslatableData, locales: readonly string[]): MissingTranslation[] {
  const out: MissingTranslation[] = [];
  const optionLabels = new Map<string, LocaleText[]>();
  for (const q of data.questions) {
    for (const o of q.options) optionLabels.set(`${q.factKey}\u0000${o.value}`, [...(optionLabels.get(`${q.factKey}\u0000${o.value}`) ?? []), o.label]);
  }
  const declared = new Set(data.factKeys.map((k) => k.key));
  for (const locale of locales) {
    for (const k of data.factKeys) {
      if (!has(k.label, locale)) out.push({ locale, kind: 'fact-key', key: k.key, field: 'label' });
      for (const v of k.values) {
        const fromQuestions = optionLabels.get(`${k.key}\u0000${v.value}`) ?? [];
        if (!has(v.label, locale) && !fromQuestions.some((l) => has(l, locale))) {
          out.push({ locale, kind: 'fact-value', key: k.key, value: v.value, field: 'label' });
        }
      }
    }
    for (const key of [...new Set(data.usedFactKeys)].sort()) {
      if (!declared.has(key)) out.push({ locale, kind: 'fact-key', key, field: 'label', undeclared: true });
    }
    for (const s of data.sources) if (!has(s.label, locale)) out.push({ locale, kind: 'source', key: s.key, field: 'label' });
    for (const t of data.topics) if (!has(t.label, locale)) out.push({ locale, kind: 'topic', key: t.key, field: 'label' });
    for (const q of data.questions) {
      if (!has(q.text, locale)) out.push({ locale, kind: 'question', key: q.key, field: 'text' });
      for (const o of q.options) if (!has(o.label, locale)) out.push({ locale, kind: 'question-option', key: q.key, value: o.value, field: 'label' });
    }
    for (const item of data.catalog) {
      if (typeof item.title !== 'string' && !has(item.title, locale)) out.push({ locale, kind: 'catalog-item', key: item.sku, field: 'title' });
      if (item.description && typeof item.description !== 'string' && !has(item.description, locale)) {
        out.push({ locale, kind: 'catalog-item', key: item.sku, field: 'description' });
      }
    }
    for (const p of data.purposes) if (!has(p.name, locale)) out.push({ locale, kind: 'purpose', key: p.key, field: 'name' });
    for (const n of data.notices) if (!has(n.text, locale)) out.push({ locale, kind: 'notice', key: n.purpose, value: String(n.version), field: 'text' });
  }
  return out;
}

/**
 * "What we know about you": the customer's facts grouped by theme, in plain words, plus the
 * numbers behind the at-a-glance overview.
 */
import { ok, type ApiClient, type Schemas } from './api';
import { formatDate, humanize, localized, type Locale, type Messages } from './i18n';

export type Me = Schemas['MeResponse'];
export type Provenance = Schemas['MyFactResponse']['provenance'];
export const PROVENANCES: Provenance[] = ['declared', 'observed', 'inferred'];

export interface FactView {
  id: string;
  /** "Motivation" */
  label: string;
  /** "Sleep better" */
  value: string;
  /** The stored value, to prefill the correction field. */
  rawValue: string;
  provenance: Provenance;
  source: string;
  collected: string;
  expires: string | null;
  /** Names of the purposes that may use this fact now, in the reader's language. */
  usedFor: string[];
  disputed: boolean;
}

export interface ThemeView {
  category: string;
  title: string;
  facts: FactView[];
}

export interface HomeView {
  me: Me;
  themes: ThemeView[];
  total: number;
  inUse: number;
  byProvenance: Record<Provenance, number>;
  /** Purposes switched off because the browser sent GPC, with their names. */
  conflicts: Array<{ purpose: string; detectedAt: string }>;
}

/**
 * A fact's value in words: the brand's own word in the reader's language ("Å sove bedre"), from
 * its data dictionary and question options; the API falls back to the brand's default language,
 * then to the value in plain words ("Sleep better"), and writes numbers the language's way.
 */
export function factValue(fact: Pick<Schemas['MyFactResponse'], 'value' | 'valueLabel'>, locale: Locale): string {
  return localized(fact.valueLabel, locale) || humanize(rawValue(fact.value));
}

/** What the fact key is about, in the reader's language ("Motivasjon"). */
export function factLabel(fact: Pick<Schemas['MyFactResponse'], 'key' | 'keyLabel'>, locale: Locale): string {
  return localized(fact.keyLabel, locale) || humanize(fact.key);
}

/** Where the fact came from, in the reader's language ("velkomstspørsmålet"); the brand's free text as it is. */
export function factSource(fact: Pick<Schemas['MyFactResponse'], 'source' | 'sourceLabel'>, locale: Locale): string {
  return localized(fact.sourceLabel, locale) || fact.source;
}

/** A stored value as the text a correction field starts from (a list as "a, b"). */
export function rawValue(value: Schemas['MyFactResponse']['value']): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export async function loadMe(api: ApiClient): Promise<Me> {
  return ok(await api.GET('/v1/me'));
}

/** Purpose key → its name in the reader's language. */
export function purposeNames(me: Me, locale: Locale): Map<string, string> {
  return new Map(me.consents.map((c) => [c.purpose, localized(c.name, locale) || humanize(c.purpose)]));
}

export function categoryTitle(category: string, t: Messages): string {
  return t.categories[category] ?? humanize(category);
}

export async function loadHome(api: ApiClient, locale: Locale, t: Messages): Promise<HomeView> {
  const me = await loadMe(api);
  const names = purposeNames(me, locale);
  const tz = me.subject.timezone;
  const themes = new Map<string, ThemeView>();
  for (const fact of me.facts) {
    const theme = themes.get(fact.category) ?? { category: fact.category, title: categoryTitle(fact.category, t), facts: [] };
    theme.facts.push({
      id: fact.id,
      label: factLabel(fact, locale),
      value: factValue(fact, locale),
      rawValue: rawValue(fact.value),
      provenance: fact.provenance,
      source: factSource(fact, locale),
      collected: formatDate(fact.collectedAt, locale, tz),
      expires: fact.expiresAt ? formatDate(fact.expiresAt, locale, tz) : null,
      usedFor: fact.usedFor.map((p) => names.get(p) ?? humanize(p)),
      disputed: fact.disputed,
    });
    themes.set(fact.category, theme);
  }
  const byProvenance = { declared: 0, observed: 0, inferred: 0 };
  for (const fact of me.facts) byProvenance[fact.provenance] += 1;
  return {
    me,
    // Biggest themes first, so the overview and the list read in the same order.
    themes: [...themes.values()].sort((a, b) => b.facts.length - a.facts.length || a.title.localeCompare(b.title)),
    total: me.facts.length,
    inUse: me.facts.filter((f) => f.usedFor.length > 0).length,
    byProvenance,
    conflicts: me.conflicts.map((c) => ({ purpose: names.get(c.purpose) ?? humanize(c.purpose), detectedAt: c.detectedAt })),
  };
}

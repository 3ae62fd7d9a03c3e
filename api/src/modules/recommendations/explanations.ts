import type { Contribution } from './recommender';

export const EXPLANATION_LOCALES = ['en', 'nb', 'da', 'pl', 'hu'] as const;
type Locale = (typeof EXPLANATION_LOCALES)[number];

interface Phrases {
  declared: (label: string, date: string) => string;
  observed: (label: string, date: string, source: string) => string;
  inferred: (label: string, date: string, source: string) => string;
  joiner: string;
  counterfactual: string;
}

/** Plain words per language. A brand's question labels give the value its customer-facing name. */
const PHRASES: Record<Locale, Phrases> = {
  en: {
    declared: (l, d) => `because you told us on ${d} that your answer is “${l}”`,
    observed: (l, d, s) => `because we noticed “${l}” (${s}, ${d})`,
    inferred: (l, d, s) => `because we guessed “${l}” from ${s} on ${d} — tell us if that's wrong`,
    joiner: ', and ',
    counterfactual: 'Without this, we would not suggest it.',
  },
  nb: {
    declared: (l, d) => `fordi du fortalte oss ${d} at svaret ditt er «${l}»`,
    observed: (l, d, s) => `fordi vi så «${l}» (${s}, ${d})`,
    inferred: (l, d, s) => `fordi vi gjettet «${l}» ut fra ${s} ${d} – si fra hvis det er feil`,
    joiner: ', og ',
    counterfactual: 'Uten dette ville vi ikke foreslått det.',
  },
  da: {
    declared: (l, d) => `fordi du fortalte os den ${d}, at dit svar er »${l}«`,
    observed: (l, d, s) => `fordi vi bemærkede »${l}« (${s}, ${d})`,
    inferred: (l, d, s) => `fordi vi gættede »${l}« ud fra ${s} den ${d} – sig til, hvis det er forkert`,
    joiner: ', og ',
    counterfactual: 'Uden dette ville vi ikke foreslå det.',
  },
  pl: {
    declared: (l, d) => `ponieważ ${d} powiedziałeś nam, że Twoja odpowiedź to „${l}”`,
    observed: (l, d, s) => `ponieważ zauważyliśmy „${l}” (${s}, ${d})`,
    inferred: (l, d, s) => `ponieważ na podstawie ${s} (${d}) przypuszczamy „${l}” — daj znać, jeśli to nieprawda`,
    joiner: ' oraz ',
    counterfactual: 'Bez tego nie zaproponowalibyśmy tego.',
  },
  hu: {
    declared: (l, d) => `mert ${d}-án azt mondtad nekünk: „${l}”`,
    observed: (l, d, s) => `mert ezt láttuk: „${l}” (${s}, ${d})`,
    inferred: (l, d, s) => `mert ${s} alapján ezt feltételeztük: „${l}” (${d}) – szólj, ha tévedünk`,
    joiner: ', és ',
    counterfactual: 'Enélkül nem ajánlanánk.',
  },
};

export function explanationLocale(locale: string | null | undefined): Locale {
  const language = (locale ?? 'en').split('-')[0] as Locale;
  return EXPLANATION_LOCALES.includes(language) ? language : 'en';
}

/** `sleep_better` → `sleep better`, when the brand has no label for the value. */
export function humanise(value: string): string {
  return value.replace(/[_-]+/g, ' ').trim();
}

/** The sentence that says which facts an item came from, with provenance, source and date. */
export function explain(
  because: readonly Contribution[],
  locale: string | null | undefined,
  labelFor: (key: string, value: string, locale: Locale) => string | undefined = () => undefined,
): { text: string; counterfactual: string; locale: Locale } {
  const lang = explanationLocale(locale);
  const phrases = PHRASES[lang];
  // British English writes "2 March", as the brands in our journeys do.
  const date = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, { day: 'numeric', month: 'long', timeZone: 'UTC' });
  const parts = because.map(({ fact }) => {
    const label = labelFor(fact.key, fact.value, lang) ?? humanise(fact.value);
    const when = date.format(fact.collectedAt);
    return fact.provenance === 'declared'
      ? phrases.declared(label, when)
      : phrases[fact.provenance](label, when, fact.source);
  });
  const sentence = parts.join(phrases.joiner);
  return { text: sentence.charAt(0).toUpperCase() + sentence.slice(1) + '.', counterfactual: phrases.counterfactual, locale: lang };
}

import type { QuestionEntity } from './question.entity';

/**
 * Customer-facing names for fact values, per locale, taken from the brand's question options
 * (`motivation` = `sleep_better` → { en: 'To sleep better', nb: 'For å sove bedre' }).
 */
export function valueLabels(questions: readonly Pick<QuestionEntity, 'factKey' | 'options'>[]): Map<string, Record<string, string>> {
  return new Map(questions.flatMap((q) => q.options.map((o) => [labelKey(q.factKey, o.value), o.label] as const)));
}

export function labelKey(factKey: string, value: string): string {
  return `${factKey}\u0000${value}`;
}

/**
 * The value a customer's correction stands for. People correct what they read — the option's
 * label in their language ("To lower my stress", "Chcę zmniejszyć stres") — so a text that is one
 * of the options of a question asking for `factKey` (its value, or its label in any language,
 * ignoring case and spacing) becomes that option's value (`reduce_stress`), and the fact keeps
 * meaning what the brand's questions, audiences and suggestions expect. Anything else — free
 * text, or a label two options share — is kept as the customer wrote it.
 */
export function valueForText(questions: ReadonlyArray<Pick<QuestionEntity, 'factKey' | 'options'>>, factKey: string, text: string): string {
  const options = questions.filter((q) => q.factKey === factKey).flatMap((q) => q.options);
  if (options.some((o) => o.value === text)) return text;
  const wanted = comparable(text);
  const matches = new Set(options.filter((o) => Object.values(o.label).some((label) => comparable(label) === wanted)).map((o) => o.value));
  return matches.size === 1 ? [...matches][0]! : text;
}

/** A label as a person may type it back: any case, any runs of spaces, composed or not. */
function comparable(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ').toLocaleLowerCase('und');
}

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

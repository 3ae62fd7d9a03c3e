/** Word forms by plural category; `#` stands for the number. `other` is required: every language has it. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<string, Intl.PluralRules>();

/**
 * `count` in the form its language needs, chosen by `Intl.PluralRules` (CLDR) for the `Intl` tag
 * given ("en", "nb-NO", "pl"), never by `count === 1`: Polish has one/few/many ("1 minuty",
 * "2 minut", "5 minut"). `#` becomes the number, written the language's way.
 */
export function plural(intlTag: string, count: number, forms: PluralForms): string {
  let rule = rules.get(intlTag);
  if (!rule) rules.set(intlTag, (rule = new Intl.PluralRules(intlTag)));
  const form = forms[rule.select(count)] ?? forms.other;
  return form.replaceAll('#', new Intl.NumberFormat(intlTag).format(count));
}

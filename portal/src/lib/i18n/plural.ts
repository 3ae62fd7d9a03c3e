/**
 * Plurals through `Intl.PluralRules` (CLDR), never `count === 1 ? … : …`: Polish has one, few and
 * many ("1 informacja", "2 informacje", "5 informacji", "22 informacje"), and every language
 * decides for itself which numbers take which form.
 */

/** The languages of the portal, as `Intl` knows them (kept here so the message files can use it without a cycle). */
export type PluralLocale = 'en' | 'nb' | 'da' | 'pl' | 'hu';

/** The tag `Intl` formats with: bokmål as `nb-NO`, English the European way ("3 March 2026"). */
export function intlLocale(locale: PluralLocale): string {
  // English dates the European way ("3 March 2026"): Candor's brands and customers are mostly in Europe.
  return locale === 'nb' ? 'nb-NO' : locale === 'en' ? 'en-GB' : locale;
}

/** Word forms by plural category; `#` stands for the number, written the language's way. `other` is always there. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<PluralLocale, Intl.PluralRules>();

/** `count` in the form its language needs: `plural('pl', 22, { one: '# informacja', few: '# informacje', many: '# informacji', other: '# informacji' })` → "22 informacje". */
export function plural(locale: PluralLocale, count: number, forms: PluralForms): string {
  let rule = rules.get(locale);
  if (!rule) rules.set(locale, (rule = new Intl.PluralRules(intlLocale(locale))));
  const form = forms[rule.select(count)] ?? forms.other;
  return form.replaceAll('#', new Intl.NumberFormat(intlLocale(locale)).format(count));
}

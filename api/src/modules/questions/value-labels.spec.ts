import { describe, expect, it } from 'vitest';
import { valueForText } from './value-labels';

const motivation = {
  factKey: 'motivation',
  options: [
    { value: 'reduce_stress', label: { en: 'To lower my stress', nb: 'Å senke stressnivået', pl: 'Chcę zmniejszyć stres', hu: 'Hogy csökkentsem a stresszt' } },
    { value: 'sleep_better', label: { en: 'To sleep better', da: 'At sove bedre', nb: 'Å sove bedre' } },
  ],
};
const roast = { factKey: 'coffee_roast', options: [{ value: 'light', label: { en: 'Light', nb: 'Lys', da: 'Lys' } }] };

describe('valueForText: a corrected label back to its value', () => {
  it('maps the label the person read, in any of the languages, to the option’s value', () => {
    expect(valueForText([motivation], 'motivation', 'To lower my stress')).toBe('reduce_stress');
    expect(valueForText([motivation], 'motivation', 'Chcę zmniejszyć stres')).toBe('reduce_stress');
    expect(valueForText([motivation, roast], 'motivation', 'At sove bedre')).toBe('sleep_better');
    // The same label in two languages is one option, not an ambiguity.
    expect(valueForText([roast], 'coffee_roast', 'Lys')).toBe('light');
  });

  it('ignores case, spacing and how the letters were composed', () => {
    expect(valueForText([motivation], 'motivation', '  to LOWER   my stress ')).toBe('reduce_stress');
    expect(valueForText([motivation], 'motivation', 'A\u030A sove bedre')).toBe('sleep_better');
    expect(valueForText([motivation], 'motivation', 'HOGY CSÖKKENTSEM A STRESSZT')).toBe('reduce_stress');
  });

  it('keeps a value that is already an option’s value', () => {
    expect(valueForText([motivation], 'motivation', 'sleep_better')).toBe('sleep_better');
  });

  it('keeps free text as written', () => {
    expect(valueForText([motivation], 'motivation', 'To find some quiet before work')).toBe('To find some quiet before work');
    expect(valueForText([], 'motivation', 'To lower my stress')).toBe('To lower my stress');
  });

  it('only matches options of questions about the same fact', () => {
    expect(valueForText([roast], 'motivation', 'Lys')).toBe('Lys');
    expect(valueForText([motivation], 'coffee_roast', 'To sleep better')).toBe('To sleep better');
  });

  it('keeps the text when two different options share the label', () => {
    const twins = { factKey: 'motivation', options: [...motivation.options, { value: 'rest', label: { en: 'To sleep better' } }] };
    expect(valueForText([twins], 'motivation', 'To sleep better')).toBe('To sleep better');
  });
});

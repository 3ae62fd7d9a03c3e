import { describe, expect, it } from 'vitest';
import { plural } from './plural';

describe('plural', () => {
  it('takes the form CLDR gives the number in each language', () => {
    const fields = (n: number) => plural('en', n, { one: '# field', other: '# fields' });
    expect([0, 1, 2, 1000].map(fields)).toEqual(['0 fields', '1 field', '2 fields', '1,000 fields']);
    const pl = (n: number) => plural('pl', n, { one: '# informacja', few: '# informacje', many: '# informacji', other: '# informacji' });
    expect([1, 2, 4, 5, 12, 14, 22, 25, 102, 112].map(pl)).toEqual([
      '1 informacja', '2 informacje', '4 informacje', '5 informacji', '12 informacji', '14 informacji', '22 informacje', '25 informacji', '102 informacje', '112 informacji',
    ]);
    // A form the language does not name falls back to `other`.
    expect(plural('pl', 3, { other: '# x' })).toBe('3 x');
  });
});

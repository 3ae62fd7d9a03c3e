import { describe, expect, it } from 'vitest';
// The benchmark suite's pure helpers (bench/lib/stats.mjs); the benchmarks themselves never run in tests.
// @ts-expect-error — plain ESM JavaScript without type declarations
import { fmt, markdownTable, median, meets, ratio, summarise } from '../../bench/lib/stats.mjs';

describe('benchmark statistics', () => {
  it('takes the median of odd and even counts, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('compares with the baseline and checks goals in either direction', () => {
    expect(ratio(7, 10)).toBeCloseTo(0.7);
    expect(Number.isNaN(ratio(7, 0))).toBe(true);
    expect(meets(0.7, { op: '>=', value: 0.7 })).toBe(true);
    expect(meets(0.69, { op: '>=', value: 0.7 })).toBe(false);
    expect(meets(10, { op: '<=', value: 10 })).toBe(true);
    expect(meets(NaN, { op: '<=', value: 10 })).toBe(false);
  });

  it('summarises runs field by field and renders a table', () => {
    expect(summarise([{ rps: 1, p99: 9, name: 'a' }, { rps: 3, p99: 7, name: 'b' }, { rps: 2, p99: 8, name: 'c' }])).toEqual({ rps: 2, p99: 8 });
    expect(fmt(12345.678, 1)).toBe('12,345.7');
    expect(fmt(NaN)).toBe('—');
    expect(markdownTable(['a', 'b'], [['x|y', 1]])).toBe('| a | b |\n| --- | --- |\n| x\\|y | 1 |');
  });
});

import { describe, expect, it } from 'vitest';
import { workerCount } from './cluster';

describe('workerCount', () => {
  it('runs one process unless told otherwise', () => {
    expect(workerCount(undefined, 8)).toBe(1);
    expect(workerCount(' ', 8)).toBe(1);
  });

  it('takes a count or one per core', () => {
    expect(workerCount('3', 8)).toBe(3);
    expect(workerCount('auto', 2)).toBe(2);
    expect(workerCount('AUTO', 0)).toBe(1);
  });

  it('refuses nonsense', () => {
    for (const bad of ['0', '-1', '1.5', 'many', '65']) expect(() => workerCount(bad, 2)).toThrow(/CANDOR_WORKERS/);
  });
});

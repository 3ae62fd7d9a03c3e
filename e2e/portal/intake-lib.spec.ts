import { describe, expect, it } from 'vitest';
import { receivedAtOf } from '../../portal/src/lib/staff';

/** The console's receipt day, without a browser. */
describe('console: the day a request was received', () => {
  const now = new Date('2026-12-03T23:30:00Z');

  it('is the start of that day (UTC) for an earlier day, "now" for today or no day', () => {
    expect(receivedAtOf('2026-11-20', now)).toBe('2026-11-20T00:00:00.000Z');
    expect(receivedAtOf('2026-12-03', now)).toBeUndefined();
    expect(receivedAtOf('', now)).toBeUndefined();
  });

  it('counts the next UTC day as now for staff east of Greenwich just after midnight, and leaves later days for the API to refuse', () => {
    expect(receivedAtOf('2026-12-04', now)).toBeUndefined();
    expect(receivedAtOf('2026-12-06', now)).toBe('2026-12-06T00:00:00.000Z');
  });

  it('is null for anything that is not a calendar date', () => {
    for (const bad of ['2026-02-30', '03/12/2026', '2026-1-5', 'yesterday', '2026-12-03T00:00:00Z']) expect(receivedAtOf(bad, now), bad).toBeNull();
  });
});

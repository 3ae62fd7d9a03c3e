import { describe, expect, it } from 'vitest';
import { byDueSince, followUpDue, hasTriggerValue, type DueContext, type TriggerFact } from './follow-ups';

const DAY = 86_400_000;
const bought = new Date('2026-03-02T10:00:00.000Z');
const at = (days: number, ms = 0) => new Date(bought.getTime() + days * DAY + ms);
const machine = (over: Partial<TriggerFact> = {}): TriggerFact => ({
  key: 'owns',
  value: 'espresso_machine',
  valueKind: null,
  category: 'behavior',
  provenance: 'observed',
  collectedAt: bought,
  disputedAt: null,
  ...over,
});
const ctx = (now: Date, over: Partial<DueContext> = {}): DueContext => ({ now, askBeforeUse: new Set(), readable: null, ...over });
const weekAfter = { factKey: 'owns', value: 'espresso_machine', days: 7 };

describe('a follow-up is due once its fact has been known for its number of days', () => {
  it('is not due before, and is due from the exact moment the days are up', () => {
    expect(followUpDue(weekAfter, [machine()], ctx(at(0)))).toBeNull();
    expect(followUpDue(weekAfter, [machine()], ctx(at(7, -1)))).toBeNull();
    expect(followUpDue(weekAfter, [machine()], ctx(at(7)))).toEqual({ dueSince: at(7), because: machine() });
    expect(followUpDue(weekAfter, [machine()], ctx(at(400)))?.dueSince).toEqual(at(7));
  });

  it('with 0 days is due as soon as the fact is there', () => {
    expect(followUpDue({ ...weekAfter, days: 0 }, [machine()], ctx(bought))?.dueSince).toEqual(bought);
    expect(followUpDue({ ...weekAfter, days: 0 }, [], ctx(at(30)))).toBeNull();
  });

  it('needs the fact key, and the value when one is given', () => {
    expect(followUpDue(weekAfter, [machine({ key: 'wants' })], ctx(at(30)))).toBeNull();
    expect(followUpDue(weekAfter, [machine({ value: 'moka_pot' })], ctx(at(30)))).toBeNull();
    expect(followUpDue({ ...weekAfter, value: null }, [machine({ value: 'moka_pot' })], ctx(at(30)))?.because.value).toBe('moka_pot');
  });

  it('counts from the earliest matching fact when there are several', () => {
    const older = machine({ collectedAt: at(-3) });
    const other = machine({ value: 'grinder', collectedAt: at(-20) });
    expect(followUpDue(weekAfter, [machine(), older, other], ctx(at(5)))).toEqual({ dueSince: at(4), because: older });
  });

  it('ignores a fact the customer disputed', () => {
    expect(followUpDue(weekAfter, [machine({ disputedAt: at(1) })], ctx(at(30)))).toBeNull();
  });

  it('uses only a declared fact under a key an askBeforeUse question asks about', () => {
    const asked = { askBeforeUse: new Set(['owns']) };
    expect(followUpDue(weekAfter, [machine()], ctx(at(30), asked))).toBeNull();
    expect(followUpDue(weekAfter, [machine({ provenance: 'inferred' })], ctx(at(30), asked))).toBeNull();
    expect(followUpDue(weekAfter, [machine({ provenance: 'declared' })], ctx(at(30), asked))?.dueSince).toEqual(at(7));
  });

  it('for a caller limited to some facts (its purposes\' categories and fact use), counts only those', () => {
    expect(followUpDue(weekAfter, [machine()], ctx(at(30), { readable: (f) => f.category === 'interests' }))).toBeNull();
    expect(followUpDue(weekAfter, [machine()], ctx(at(30), { readable: (f) => f.category === 'behavior' }))).not.toBeNull();
  });
});

describe('the value a follow-up waits for', () => {
  it('matches the stored text (numbers and true/false as text) or an item of a list', () => {
    expect(hasTriggerValue({ value: '5', valueKind: 'number' }, '5')).toBe(true);
    expect(hasTriggerValue({ value: 'true', valueKind: 'boolean' }, 'true')).toBe(true);
    expect(hasTriggerValue({ value: '["espresso_machine","grinder"]', valueKind: 'list' }, 'grinder')).toBe(true);
    expect(hasTriggerValue({ value: '["espresso_machine","grinder"]', valueKind: 'list' }, 'kettle')).toBe(false);
    expect(hasTriggerValue({ value: 'espresso_machine,grinder', valueKind: null }, 'grinder')).toBe(false);
    expect(hasTriggerValue({ value: 'anything', valueKind: null }, null)).toBe(true);
  });
});

describe('the order of due follow-ups', () => {
  it('asks the one waiting longest first, then in the brand\'s order', () => {
    const items = [
      { key: 'c', position: 1, dueSince: at(9) },
      { key: 'b', position: 3, dueSince: at(2) },
      { key: 'a', position: 2, dueSince: at(2) },
    ];
    expect([...items].sort(byDueSince).map((i) => i.key)).toEqual(['a', 'b', 'c']);
  });
});

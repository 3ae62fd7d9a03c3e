import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreItems, ScoringItem } from '../recommendations/recommender';
import { defaultFactUse, FACT_USES, factUseOf, mayUseFact, usableFor } from './fact-use';

const PROVENANCES = ['declared', 'observed', 'inferred'] as const;
const none = new Set<string>();

describe('which facts a purpose may use', () => {
  it('uses only declared facts for a purpose that rests on consent, until the customer says otherwise', () => {
    expect(defaultFactUse({ legalBasis: 'consent' })).toBe('declared-only');
    for (const legalBasis of ['contract', 'legitimate_interest', 'legal_obligation']) expect(defaultFactUse({ legalBasis })).toBe('all');
    // The customer's choice wins over the default, both ways.
    expect(factUseOf({ legalBasis: 'consent' }, 'all')).toBe('all');
    expect(factUseOf({ legalBasis: 'legitimate_interest' }, 'declared-only')).toBe('declared-only');
    expect(factUseOf({ legalBasis: 'consent' }, null)).toBe('declared-only');
  });

  it('"use only what I told you": declared facts only', () => {
    const rules = { use: 'declared-only' as const, askBeforeUse: none };
    expect(mayUseFact({ key: 'motivation', provenance: 'declared' }, rules)).toBe(true);
    expect(mayUseFact({ key: 'owns', provenance: 'observed' }, rules)).toBe(false);
    expect(mayUseFact({ key: 'lifestyle', provenance: 'inferred' }, rules)).toBe(false);
  });

  it('"also what you observed or inferred": every provenance, except guesses a question asks about first', () => {
    const rules = { use: 'all' as const, askBeforeUse: new Set(['purchase_for']) };
    expect(mayUseFact({ key: 'owns', provenance: 'observed' }, rules)).toBe(true);
    expect(mayUseFact({ key: 'lifestyle', provenance: 'inferred' }, rules)).toBe(true);
    // "For you, or a gift?": the guess waits for the answer, and the answer counts.
    expect(mayUseFact({ key: 'purchase_for', provenance: 'inferred' }, rules)).toBe(false);
    expect(mayUseFact({ key: 'purchase_for', provenance: 'observed' }, rules)).toBe(false);
    expect(mayUseFact({ key: 'purchase_for', provenance: 'declared' }, rules)).toBe(true);
  });

  const factArb = fc.record({
    id: fc.uuid(),
    key: fc.constantFrom('motivation', 'owns', 'purchase_for', 'interest'),
    provenance: fc.constantFrom(...PROVENANCES),
  });
  const rulesArb = fc.record({ use: fc.constantFrom(...FACT_USES), askBeforeUse: fc.subarray(['motivation', 'owns', 'purchase_for', 'interest']).map((k) => new Set(k)) });

  it('never lets an observation or guess through "use only what I told you", never drops a declared fact, and keeps order', () => {
    fc.assert(
      fc.property(fc.array(factArb, { maxLength: 30 }), rulesArb, (facts, rules) => {
        const usable = usableFor(facts, rules);
        expect(usable).toEqual(facts.filter((f) => usable.includes(f)));
        expect(usable.filter((f) => f.provenance === 'declared')).toEqual(facts.filter((f) => f.provenance === 'declared'));
        if (rules.use === 'declared-only') expect(usable.every((f) => f.provenance === 'declared')).toBe(true);
        expect(usable.some((f) => f.provenance !== 'declared' && rules.askBeforeUse.has(f.key))).toBe(false);
        // "All" without questions uses everything; adding questions or narrowing the use only takes away.
        if (rules.use === 'all' && rules.askBeforeUse.size === 0) expect(usable).toEqual(facts);
        expect(usableFor(facts, { use: 'declared-only', askBeforeUse: rules.askBeforeUse }).every((f) => usable.includes(f))).toBe(true);
      }),
    );
  });

  it('no recommendation reason is an observation or a guess under "use only what I told you"', () => {
    const item: ScoringItem = { sku: 'descaling-kit', title: 'Descaling kit', url: null, tags: [{ factKey: 'owns', value: 'espresso_machine', weight: 3 }] };
    const fact = (provenance: (typeof PROVENANCES)[number]) => ({
      id: `00000000-0000-4000-8000-00000000000${PROVENANCES.indexOf(provenance)}`,
      subjectId: 's',
      key: 'owns',
      value: 'espresso_machine',
      category: 'behavior',
      provenance,
      source: 'order:10442',
      collectedAt: new Date('2026-03-01T00:00:00Z'),
      disputed: false,
      expiresAt: null,
    });
    const observed = [fact('observed'), fact('inferred')];
    expect(scoreItems(usableFor(observed, { use: 'all', askBeforeUse: none }), [item])).toHaveLength(1);
    expect(scoreItems(usableFor(observed, { use: 'declared-only', askBeforeUse: none }), [item])).toEqual([]);
    const [scored] = scoreItems(usableFor([...observed, fact('declared')], { use: 'declared-only', askBeforeUse: none }), [item]);
    expect(scored.because.map((c) => c.fact.provenance)).toEqual(['declared']);
  });
});

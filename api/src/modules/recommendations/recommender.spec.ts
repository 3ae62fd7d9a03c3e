import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreItems, ScoringFact, ScoringItem, usableFacts } from './recommender';

const SUBJECT = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const personalization = { dataCategories: ['motivations', 'interests', 'preferences', 'behavior'], channels: [] as string[] };
const now = new Date('2026-03-10T12:00:00Z');

const keys = ['motivation', 'interest', 'owns', 'health_note'];
const values = ['sleep_better', 'reduce_stress', 'espresso_machine', 'dark_roast'];

const factArb = fc.record({
  id: fc.uuid(),
  subjectId: fc.constantFrom(SUBJECT, SUBJECT, SUBJECT, OTHER),
  key: fc.constantFrom(...keys),
  value: fc.constantFrom(...values),
  category: fc.constantFrom('motivations', 'interests', 'behavior', 'health', 'contact'),
  provenance: fc.constantFrom('declared' as const, 'observed' as const, 'inferred' as const),
  source: fc.constantFrom('welcome question', 'order #10442', 'content you played'),
  collectedAt: fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2026-03-01T00:00:00Z'), noInvalidDate: true }),
  disputed: fc.boolean(),
  expiresAt: fc.option(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }), { nil: null }),
}) satisfies fc.Arbitrary<ScoringFact>;

const itemArb = fc.record({
  sku: fc.stringMatching(/^[a-z]{1,6}-[0-9]{1,3}$/),
  title: fc.string({ minLength: 1, maxLength: 20 }),
  url: fc.constant(null),
  tags: fc.array(
    fc.record({ factKey: fc.constantFrom(...keys), value: fc.constantFrom(...values), weight: fc.double({ min: 0.01, max: 100, noNaN: true }) }),
    { minLength: 1, maxLength: 4 },
  ),
}) satisfies fc.Arbitrary<ScoringItem>;

const world = fc.record({
  facts: fc.uniqueArray(factArb, { minLength: 0, maxLength: 25, selector: (f) => f.id }),
  items: fc.uniqueArray(itemArb, { minLength: 1, maxLength: 15, selector: (i) => i.sku }),
});

describe('recommender (property tests over generated profiles and catalogs)', () => {
  it('cites only facts that exist, are the subject’s, consented for personalization, undisputed and current', () => {
    fc.assert(
      fc.property(world, ({ facts, items }) => {
        const scored = scoreItems(usableFacts(facts, SUBJECT, personalization, now), items);
        for (const s of scored) {
          for (const { fact } of s.because) {
            expect(facts).toContain(fact);
            expect(fact.subjectId).toBe(SUBJECT);
            expect(personalization.dataCategories).toContain(fact.category);
            expect(fact.disputed).toBe(false);
            expect(fact.expiresAt === null || fact.expiresAt > now).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is faithful: removing any cited fact lowers that item’s score', () => {
    fc.assert(
      fc.property(world, ({ facts, items }) => {
        const usable = usableFacts(facts, SUBJECT, personalization, now);
        for (const s of scoreItems(usable, items)) {
          for (const { fact } of s.because) {
            const [without] = scoreItems(usable.filter((f) => f !== fact), [s.item]);
            expect(without?.score ?? 0).toBeLessThan(s.score);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives no item any score from an unconsented, disputed, expired or foreign fact', () => {
    fc.assert(
      fc.property(world, ({ facts, items }) => {
        const usable = usableFacts(facts, SUBJECT, personalization, now);
        const unusable = facts.filter((f) => !usable.includes(f));
        expect(scoreItems(usableFacts(unusable, SUBJECT, personalization, now), items)).toEqual([]);
        // Adding unusable facts to the input never changes any score.
        expect(scoreItems(usableFacts([...usable, ...unusable], SUBJECT, personalization, now), items)).toEqual(scoreItems(usable, items));
      }),
      { numRuns: 300 },
    );
  });

  it('orders deterministically, whatever the input order', () => {
    fc.assert(
      fc.property(world, fc.integer(), ({ facts, items }, seed) => {
        const usable = usableFacts(facts, SUBJECT, personalization, now);
        const shuffled = [...items].sort((a, b) => ((a.sku.charCodeAt(0) * seed) % 7) - ((b.sku.charCodeAt(0) * seed) % 7));
        const a = scoreItems(usable, items).map((s) => [s.item.sku, s.score]);
        const b = scoreItems(usable, shuffled).map((s) => [s.item.sku, s.score]);
        expect(b).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('weighs declared facts over observed over inferred', () => {
    const base = { subjectId: SUBJECT, key: 'motivation', value: 'sleep_better', category: 'motivations', source: 's', collectedAt: now, disputed: false, expiresAt: null };
    const item: ScoringItem = { sku: 'sleep-stories', title: 'Sleep stories', url: null, tags: [{ factKey: 'motivation', value: 'sleep_better', weight: 2 }] };
    const score = (provenance: ScoringFact['provenance']) => scoreItems([{ ...base, id: provenance, provenance }], [item])[0].score;
    expect(score('declared')).toBeGreaterThan(score('observed'));
    expect(score('observed')).toBeGreaterThan(score('inferred'));
  });
});

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, TestBrand } from '../support/factories';

/**
 * Property (issue 17): whatever two records of one person decided, in whatever order, the merged
 * person's contact decision (GET /v1/decisions/contact, the call brands make before every send)
 * never allows what either record forbade — a withdrawal, or an objection to a legitimate
 * interest — and allows what both allowed; the ledger verifies after every merge.
 */

const RUNS = Number(process.env.MERGE_RUNS ?? 25);
/** A consent purpose and a legitimate-interest one, both sent by email. */
const PURPOSES = ['email_marketing', 'customer_care'] as const;
type Purpose = (typeof PURPOSES)[number];

let api: TestApi;
let brand: TestBrand;

beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_POLL_MS: '0' } });
  brand = await createBrand(api, 'Merge Property');
  for (const p of PURPOSES) await adoptPurpose(api, brand, p);
});
afterAll(async () => {
  await api?.close();
});

/** One record's decisions, oldest first: per purpose a run of grants and withdrawals (objections). */
const historyArb = fc.array(fc.record({ purpose: fc.constantFrom(...PURPOSES), granted: fc.boolean() }), { maxLength: 5 });

/** What a record's own history allows on its own: its last decision, or the purpose's default. */
function allows(history: ReadonlyArray<{ purpose: Purpose; granted: boolean }>, purpose: Purpose): boolean {
  const last = history.filter((d) => d.purpose === purpose).at(-1);
  return purpose === 'email_marketing' ? last?.granted === true : last?.granted !== false;
}
const forbids = (history: ReadonlyArray<{ purpose: Purpose; granted: boolean }>, purpose: Purpose) => history.filter((d) => d.purpose === purpose).at(-1)?.granted === false;

describe('merging consent histories, property-based', () => {
  it('never allows what either record forbade, for random pairs of histories', async () => {
    let merges = 0;
    await fc.assert(
      fc.asyncProperty(historyArb, historyArb, fc.boolean(), async (survivorHistory, mergedHistory, mergedFirst) => {
        const survivor = await createSubject(api, brand);
        const merged = await createSubject(api, brand);
        // Either record may have heard from the person last; each record's own decisions stay in order.
        const [first, then] = [survivorHistory.map((d) => ({ ...d, subjectId: survivor.id })), mergedHistory.map((d) => ({ ...d, subjectId: merged.id }))];
        const steps = mergedFirst ? [...then, ...first] : [...first, ...then];
        for (const step of steps) {
          const res = await api.http.post(`/v1/subjects/${step.subjectId}/consents`).set(bearer(brand.key)).send({ purpose: step.purpose, granted: step.granted });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
        }
        const res = await api.http.post(`/v1/subjects/${survivor.id}/merge`).set(bearer(brand.key)).send({ fromSubjectId: merged.id });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        merges++;
        for (const purpose of PURPOSES) {
          const decision = await api.http.get('/v1/decisions/contact').query({ subjectId: survivor.id, purpose, channel: 'email' }).set(bearer(brand.key));
          expect(decision.status, JSON.stringify(decision.body)).toBe(200);
          const context = `${purpose}: survivor ${JSON.stringify(survivorHistory)}, merged ${JSON.stringify(mergedHistory)} → ${JSON.stringify(decision.body)}`;
          if (forbids(survivorHistory, purpose) || forbids(mergedHistory, purpose)) expect(decision.body.allowed, context).toBe(false);
          else expect(decision.body.allowed, context).toBe(allows(survivorHistory, purpose) || allows(mergedHistory, purpose));
        }
        const gone = await api.http.get('/v1/decisions/contact').query({ subjectId: merged.id, purpose: 'customer_care', channel: 'email' }).set(bearer(brand.key));
        expect(gone.body).toMatchObject({ code: 'subject-merged', mergedInto: survivor.id });
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(merges).toBe(RUNS);
    expect((await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body).toMatchObject({ ok: true });
  }, 300_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { bearer, createBrand, createSubject, signInCustomer, TestBrand } from '../support/factories';

/**
 * Several "forget me"s for one person at the same moment (a double click, a retrying integration,
 * the brand and the customer at once) are carried out once; the others find the person gone. None
 * may end in a 5xx: the red team saw four of five parallel erasure requests answer 500 (a deadlock
 * between their audit and ledger locks).
 */
let api: TestApi;
let brand: TestBrand;

beforeAll(async () => {
  api = await startApi();
  brand = await createBrand(api, 'Erasure Races');
});
afterAll(() => api?.close());

const PARALLEL = 5;
const ROUNDS = 4;

function fileErasure(subjectId: string) {
  return api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId, type: 'erasure' });
}

function expectOneCarriedOut(statuses: number[], ok: number): void {
  expect(statuses.filter((s) => s >= 500), `5xx among ${statuses.join(' ')}`).toEqual([]);
  expect(statuses.filter((s) => s === ok), `exactly one ${ok} among ${statuses.join(' ')}`).toHaveLength(1);
  // The others found the subject (or the session) gone: a clean refusal, nothing else.
  for (const s of statuses) if (s !== ok) expect([401, 404, 409, 410]).toContain(s);
}

describe('concurrent erasures of one person', () => {
  it(`carries out one of ${PARALLEL} parallel erasure requests from the brand; the rest find the person gone`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const subject = await createSubject(api, brand, { email: `race-${round}-${Date.now()}@example.com` });
      const answers = await Promise.all(Array.from({ length: PARALLEL }, () => fileErasure(subject.id)));
      for (const a of answers) expect(a.headers['content-type']).toMatch(/^application\/problem\+json|^application\/json/);
      expectOneCarriedOut(answers.map((a) => a.status), 201);
      expect((await api.http.get(`/v1/subjects/${subject.id}`).set(bearer(brand.key))).status).toBe(410);
    }
  });

  it(`carries out one of ${PARALLEL} parallel "forget me"s from one session`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const subject = await createSubject(api, brand);
      const session = await signInCustomer(api, brand, subject.id);
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => api.http.post('/v1/me/erasure').set(bearer(session)).send({ confirm: true })),
      );
      expectOneCarriedOut(answers.map((a) => a.status), 202);
    }
  });

  it('carries out one when the brand and the customer ask at the same moment', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const subject = await createSubject(api, brand);
      const session = await signInCustomer(api, brand, subject.id);
      const [fromBrand, fromCustomer] = await Promise.all([
        fileErasure(subject.id),
        api.http.post('/v1/me/erasure').set(bearer(session)).send({ confirm: true }),
      ]);
      const statuses = [fromBrand.status, fromCustomer.status];
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(Number(fromBrand.status === 201) + Number(fromCustomer.status === 202), statuses.join(' ')).toBe(1);
    }
    const verdict = await api.http.get('/v1/ledger/verify').set(bearer(brand.key));
    expect(verdict.body.ok).toBe(true);
  });
});

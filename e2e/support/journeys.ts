import { expect } from 'vitest';
import type { TestApi } from './api';
import { adoptPurpose, bearer, createBrand, createSubject } from './factories';

/**
 * The consent journey every database must pass: a brand adopts a purpose, a customer grants it
 * and later withdraws it; state and history say so, an idempotent retry adds nothing, and the
 * ledger verifies.
 */
export async function consentJourney(api: TestApi): Promise<{ brandKey: string; subjectId: string }> {
  const brand = await createBrand(api, 'Calm Harbor');
  await adoptPurpose(api, brand, 'email_marketing');
  const subject = await createSubject(api, brand, { email: 'ingrid.solberg@example.com', locale: 'nb', timezone: 'Europe/Oslo' });
  const consents = `/v1/subjects/${subject.id}/consents`;

  const grant = await api.http
    .post(consents)
    .set(bearer(brand.key))
    .set('Idempotency-Key', 'signup-1042')
    .send({ purpose: 'email_marketing', granted: true, source: 'signup-form' });
  expect(grant.status, JSON.stringify(grant.body)).toBe(201);
  expect(grant.body).toMatchObject({ purpose: 'email_marketing', granted: true, noticeVersion: 1, source: 'signup-form', prevHash: null });
  expect(grant.body.hash).toMatch(/^[0-9a-f]{64}$/);

  const retry = await api.http
    .post(consents)
    .set(bearer(brand.key))
    .set('Idempotency-Key', 'signup-1042')
    .send({ purpose: 'email_marketing', granted: true, source: 'signup-form' });
  expect(retry.status).toBe(201);
  expect(retry.body).toEqual(grant.body);

  let state = await api.http.get(consents).set(bearer(brand.key));
  expect(state.status).toBe(200);
  expect(state.body.data).toEqual([expect.objectContaining({ purpose: 'email_marketing', granted: true, noticeVersion: 1, valid: true })]);
  expect(state.body.history).toHaveLength(1);

  const withdraw = await api.http
    .post(consents)
    .set(bearer(brand.key))
    .send({ purpose: 'email_marketing', granted: false, source: 'preference-center' });
  expect(withdraw.status).toBe(201);
  expect(withdraw.body.prevHash).toBe(grant.body.hash);

  state = await api.http.get(consents).set(bearer(brand.key));
  expect(state.body.data).toEqual([expect.objectContaining({ purpose: 'email_marketing', granted: false, valid: false })]);
  expect(state.body.history.map((e: { granted: boolean }) => e.granted)).toEqual([true, false]);
  expect(state.body.history[0]).toEqual(grant.body);

  const verify = await api.http.get('/v1/ledger/verify').set(bearer(brand.key));
  expect(verify.status).toBe(200);
  expect(verify.body).toEqual({ ok: true, events: 2 });
  return { brandKey: brand.key, subjectId: subject.id };
}

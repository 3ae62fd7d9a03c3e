import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApi } from './api';

export interface TestBrand {
  id: string;
  slug: string;
  /** The brand's first key, with every scope. */
  key: string;
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export async function createBrand(api: TestApi, name = 'Calm Harbor'): Promise<TestBrand> {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(3).toString('hex')}`;
  const res = await api.http.post('/v1/brands').set(bearer(api.adminKey)).send({ slug, name, defaultLocale: 'en' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, slug, key: res.body.apiKey.key };
}

export async function adoptPurpose(api: TestApi, brand: TestBrand, key: string): Promise<void> {
  const res = await api.http.post(`/v1/purpose-catalogue/${key}/adopt`).set(bearer(brand.key));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

export async function createSubject(
  api: TestApi,
  brand: TestBrand,
  body: Record<string, unknown> = {},
): Promise<{ id: string; externalId: string }> {
  const res = await api.http
    .post('/v1/subjects')
    .set(bearer(brand.key))
    .send({ externalId: `member-${randomBytes(4).toString('hex')}`, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function createKey(api: TestApi, brand: TestBrand, scopes: string[], purposes?: string[]): Promise<string> {
  const res = await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: `test ${scopes.join(',')}`, scopes, purposes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.key;
}

/** Signs a customer in the way a "manage your preferences" email does: portal link → session. */
export async function signInCustomer(api: TestApi, brand: TestBrand, subjectId: string): Promise<string> {
  const link = await api.http.post(`/v1/subjects/${subjectId}/portal-links`).set(bearer(brand.key));
  expect(link.status, JSON.stringify(link.body)).toBe(201);
  const session = await api.http.post('/v1/auth/sessions').send({ token: link.body.token });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  return session.body.sessionToken;
}

export async function recordFact(
  api: TestApi,
  brand: TestBrand,
  subjectId: string,
  fact: { key: string; value: string; category: string; provenance?: string; source?: string; expiresAt?: string; collectedAt?: string },
): Promise<{ id: string }> {
  const res = await api.http
    .post(`/v1/subjects/${subjectId}/facts`)
    .set(bearer(brand.key))
    .send({ provenance: 'declared', source: 'welcome survey', ...fact });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function grant(api: TestApi, brand: TestBrand, subjectId: string, purpose: string, granted = true): Promise<void> {
  const res = await api.http.post(`/v1/subjects/${subjectId}/consents`).set(bearer(brand.key)).send({ purpose, granted });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, grant, recordFact, signInCustomer } from '../support/factories';

/**
 * Candor issues a brand's first API key itself and names it after the brand. Customers see that
 * name in their access log and their export: in their own language, not in English.
 */
let api: TestApi;

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const EXPECTED = {
  en: 'Kitchen Atelier (main key)',
  nb: 'Kitchen Atelier (hovednøkkel)',
  da: 'Kitchen Atelier (hovednøgle)',
  pl: 'Kitchen Atelier (klucz główny)',
  hu: 'Kitchen Atelier (főkulcs)',
};

describe('the brand\'s first API key, as customers read its name', () => {
  it('is named in each of the five languages in the access log and in the export', async () => {
    const brand = await createBrand(api, 'Kitchen Atelier');
    await adoptPurpose(api, brand, 'personalization');
    const { id } = await createSubject(api, brand, { locale: 'hu' });
    await grant(api, brand, id, 'personalization');
    await recordFact(api, brand, id, { key: 'motivation', value: 'sleep_better', category: 'motivations' });
    const read = await api.http.get(`/v1/subjects/${id}/profile`).query({ purpose: 'personalization' }).set(bearer(brand.key));
    expect(read.status, JSON.stringify(read.body)).toBe(200);

    const session = await signInCustomer(api, brand, id);
    const log = await api.http.get('/v1/me/access-log').query({ limit: 1 }).set(bearer(session));
    expect(log.status, JSON.stringify(log.body)).toBe(200);
    expect(log.body.data[0]).toMatchObject({ kind: 'profile', readerLabel: EXPECTED });

    const exported = await api.http.get('/v1/me/export').set(bearer(session));
    expect(exported.status).toBe(200);
    const readers = JSON.stringify(exported.body);
    for (const words of Object.values(EXPECTED)) expect(readers).toContain(JSON.stringify(words));
    // Each language has its own words: no label in nb, da, pl or hu falls back to the English one.
    expect(readers.split('(main key)').length - 1).toBe(readers.split(JSON.stringify(EXPECTED.en)).length - 1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { bearer, createBrand, TestBrand } from '../support/factories';

/** The SSRF guard as a brand meets it: `POST /v1/webhooks` refuses non-public targets with 422. */
let api: TestApi;
let brand: TestBrand;
beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_POLL_MS: '0' } });
  brand = await createBrand(api);
});
afterAll(async () => {
  await api?.close();
});

describe('webhook URLs', () => {
  it('refuses loopback and private targets however they are written, and names that resolve to them', async () => {
    for (const url of ['http://[::127.0.0.1]/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://[64:ff9b::a9fe:a9fe]/hook', 'http://[2002:a00:1::1]/hook', 'http://2130706433/hook', 'http://0x7f.1/hook', 'http://0.0.0.0/hook', 'http://localhost:9/hook']) {
      const res = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url, events: ['consent.changed'] });
      expect(res.status, url).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'url' })]);
    }
    const ok = await api.http.post('/v1/webhooks').set(bearer(brand.key)).send({ url: 'http://[::ffff:8.8.8.8]/hook', events: ['consent.changed'] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });
});

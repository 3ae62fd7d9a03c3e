import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/src/config/config';
import { startApi, TestApi } from '../support/api';

/**
 * `/metrics` shows platform-wide traffic: with `CANDOR_METRICS_TOKEN` it needs that bearer token,
 * and without one it is closed in production (404) and open only in development and tests.
 */
let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const TOKEN = 'metrics-token-0123456789abcdef';

describe('GET /metrics', () => {
  it('needs the metrics token when one is configured: 401 problem without it or with another', async () => {
    api = await startApi({ env: { CANDOR_METRICS_TOKEN: TOKEN } });
    for (const auth of [undefined, 'Bearer wrong-token', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer ${api.adminKey}`]) {
      const req = api.http.get('/metrics');
      const res = await (auth ? req.set('Authorization', auth) : req);
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.text).not.toContain('candor_http_requests_total');
    }
    const ok = await api.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('candor_http_requests_total');
  });

  it('is closed (404 problem) in production without a token, and served there with one', async () => {
    api = await startApi({ env: { NODE_ENV: 'production' } });
    const closed = await api.http.get('/metrics');
    expect(closed.status).toBe(404);
    expect(closed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(closed.text).not.toContain('candor_');
    await api.close();
    api = await startApi({ env: { NODE_ENV: 'production', CANDOR_METRICS_TOKEN: TOKEN } });
    expect((await api.http.get('/metrics')).status).toBe(401);
    expect((await api.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(200);
  });

  it('refuses a metrics token too short to be a secret', async () => {
    const env = { NODE_ENV: 'production', CANDOR_ADMIN_KEY: 'op_'.padEnd(30, 'k'), CANDOR_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };
    expect(() => loadConfig({ ...env, CANDOR_METRICS_TOKEN: 'short' })).toThrow(/CANDOR_METRICS_TOKEN/);
    expect(loadConfig({ ...env, CANDOR_METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
  });
});

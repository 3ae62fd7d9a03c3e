import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCommand, waitForOk } from '../support/processes';

/**
 * `npm start` on a fresh data directory: embedded database, demo data, API and portal, URLs and
 * the operator key printed; a restart keeps the data.
 */
describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'candor-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves /healthz, /docs and the portal within a minute, and keeps its data across a restart', async () => {
    const [port, portalPort] = [await freePort(), await freePort()];
    const env: Record<string, string> = { PORT: String(port), PORTAL_PORT: String(portalPort), CANDOR_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete process.env.DATABASE_URL;
    const api = `http://127.0.0.1:${port}`;

    const first = runCommand(['scripts/candor.mjs', 'start'], env);
    let operatorKey: string;
    let demoKey: string;
    try {
      await waitForOk(`${api}/healthz`, 60_000, first);
      await waitForOk(`http://127.0.0.1:${portalPort}/healthz`, 30_000, first);
      const docs = await fetch(`${api}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');

      const banner = first.output();
      expect(banner).toContain(`http://localhost:${port}/docs`);
      expect(banner).toContain('Portal');
      operatorKey = /Operator key (op_\S+)/.exec(banner)![1];
      demoKey = /Calm Harbor \(calm-harbor\) API key (cnd_\S+)/.exec(banner)![1];
      const auth = { headers: { Authorization: `Bearer ${demoKey}` } };
      const subjects = (await (await fetch(`${api}/v1/subjects`, auth)).json()).data as Array<{ id: string; externalId: string }>;
      expect(subjects).toHaveLength(4);
      // The demo customers come with facts, preferences and questions to answer.
      const ingrid = subjects.find((s) => s.externalId === 'ch-member-1001')!;
      const profile = await (await fetch(`${api}/v1/subjects/${ingrid.id}/profile?purpose=personalization`, auth)).json();
      expect(profile.facts.map((f: { value: string }) => f.value)).toContain('sleep_better');
      expect(profile.preferences.quietHours).toEqual({ start: '21:00', end: '07:00' });
      const questions = await (await fetch(`${api}/v1/questions`, auth)).json();
      expect(questions.data.map((q: { key: string }) => q.key)).toEqual(['why_meditate', 'practice_time']);
      // ...and explained recommendations from what they told us.
      const recs = await (await fetch(`${api}/v1/recommendations`, { method: 'POST', headers: { ...auth.headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ subjectId: ingrid.id }) })).json();
      expect(recs.data[0]).toMatchObject({ sku: 'sleep-stories', explanation: { locale: 'nb', purpose: 'personalization' } });
      expect(recs.data[0].explanation.text).toContain('«Å sove bedre»');

      // The portal secret is generated with the other secrets and given to the API (and the portal):
      // with it, a forwarded visitor address gets a bucket of its own; with a wrong one, it does not.
      const secret = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).portalSecret as string;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const left = async (headers: Record<string, string>) => Number(/r=(\d+)/.exec((await fetch(`${api}/v1/brand`, { headers })).headers.get('ratelimit') ?? '')?.[1]);
      expect(await left({ 'X-Candor-Portal-Secret': secret, 'X-Candor-Client-Address': '203.0.113.9' })).toBe(99_999);
      expect(await left({ 'X-Candor-Portal-Secret': secret, 'X-Candor-Client-Address': '203.0.113.9' })).toBe(99_998);
      const wrong = await left({ 'X-Candor-Portal-Secret': `${secret}x`, 'X-Candor-Client-Address': '203.0.113.10' });
      expect(await left({ 'X-Candor-Portal-Secret': `${secret}x`, 'X-Candor-Client-Address': '203.0.113.11' })).toBe(wrong - 1);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const second = runCommand(['scripts/candor.mjs', 'start'], env);
    try {
      await waitForOk(`${api}/healthz`, 60_000, second);
      expect(second.output()).toContain(`Operator key ${operatorKey}`);
      const subjects = await fetch(`${api}/v1/subjects`, { headers: { Authorization: `Bearer ${demoKey}` } });
      expect((await subjects.json()).data).toHaveLength(4);
      const again = await fetch(`${api}/v1/brands`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${operatorKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ slug: 'calm-harbor', name: 'Calm Harbor', defaultLocale: 'en' }),
      });
      expect(again.status).toBe(409);
    } finally {
      await second.stop();
    }
  });
});

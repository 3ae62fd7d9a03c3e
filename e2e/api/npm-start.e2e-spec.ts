import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, RunningCommand, runCommand, waitForOk } from '../support/processes';

/** What `running` has printed once `marker` appears (within 30 s). */
async function printed(running: RunningCommand, marker: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (!running.output().includes(marker)) {
    if (Date.now() > deadline) throw new Error(`"${marker}" was not printed:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  // The rest of the banner is written at once with it.
  await new Promise((r) => setTimeout(r, 200));
  return running.output();
}

/**
 * `npm start` on a fresh data directory, as a newcomer runs it (development): embedded database,
 * demo data, API and portal; readable logs without Nest's start-up chatter, and a banner that comes
 * last with the URLs, the operator key, the demo keys, a portal link per demo brand and a curl to
 * paste; a restart keeps the data.
 */
describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'candor-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves /healthz, /docs and the portal within a minute, and keeps its data across a restart', async () => {
    const [port, portalPort] = [await freePort(), await freePort()];
    // Development and the default log level, as `npm start` runs for a newcomer.
    const env: Record<string, string> = { PORT: String(port), PORTAL_PORT: String(portalPort), CANDOR_DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'info' };
    delete process.env.PORTAL_URL;
    delete process.env.DATABASE_URL;
    const api = `http://127.0.0.1:${port}`;

    const first = runCommand(['scripts/candor.mjs', 'start'], env);
    let operatorKey: string;
    let demoKey: string;
    try {
      await waitForOk(`${api}/healthz`, 60_000, first);
      await waitForOk(`http://127.0.0.1:${portalPort}/healthz`, 30_000, first);
      // The banner is the last thing start-up prints (the portal starts first; Nest's module and
      // route lines are debug, not info), and nothing in start-up is a raw JSON log line.
      const startup = await printed(first, 'Try the API:');
      const banner = startup.slice(startup.lastIndexOf('Candor is running'));
      // It ends with the curl to paste; no log line (`[12:00:00] INFO …`) and not the portal's "listening" comes after it begins.
      expect(banner.trimEnd().split('\n').pop()).toMatch(/^  curl -s /);
      expect(banner).not.toMatch(/^\[\d\d:\d\d:\d\d/m);
      expect(banner).not.toMatch(/listening/i);
      expect(startup.indexOf('Server listening')).toBeLessThan(startup.indexOf('Candor is running'));
      expect(startup).not.toMatch(/^\{"level"/m);
      expect(startup).not.toContain('Mapped {');
      expect(startup).not.toContain('dependencies initialized');
      // A ready-to-open portal link for one demo customer of each brand, and a curl to paste.
      const links = [...banner.matchAll(/(http:\/\/localhost:\d+)\/(calm-harbor|kitchen-atelier)\/link\/(cpl_[A-Za-z0-9_-]+)/g)];
      expect(links.map((l) => l[2])).toEqual(['calm-harbor', 'kitchen-atelier']);
      expect(links[0][1]).toBe(`http://localhost:${portalPort}`);
      const landed = await fetch(`http://127.0.0.1:${portalPort}/calm-harbor/link/${links[0][3]}`, { redirect: 'manual' });
      expect(landed.status).toBeLessThan(400);
      const curl = /curl -s (http:\/\/localhost:\d+\/v1\/subjects) -H "Authorization: Bearer (cnd_[A-Za-z0-9_-]+)"/.exec(banner)!;
      expect(curl).not.toBeNull();
      const pasted = await fetch(curl[1].replace('localhost', '127.0.0.1'), { headers: { Authorization: `Bearer ${curl[2]}` } });
      expect(pasted.status).toBe(200);
      expect((await pasted.json()).data).toHaveLength(4);

      const docs = await fetch(`${api}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');

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
      const sleep = recs.data.find((r: { sku: string }) => r.sku === 'sleep-stories');
      expect(sleep).toMatchObject({ explanation: { locale: 'nb', purpose: 'personalization' } });
      expect(sleep.explanation.text).toContain('«Å sove bedre»');
      // Only from what she told us: personalization uses declared facts until she lets it use more.
      for (const r of recs.data) expect(r.explanation.text, r.sku).toMatch(/^Fordi du fortalte oss/);

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
      const again = await printed(second, 'Try the API:');
      expect(again).toContain(`Operator key ${operatorKey}`);
      // The keys were shown once; the curl reads the demo key back from demo-keys.txt, and fresh portal links are made.
      expect(again).toContain(`$(awk '/calm-harbor/ {print $NF}' ${join(dataDir, 'demo-keys.txt')})`);
      expect(again).toMatch(/\/calm-harbor\/link\/cpl_/);
      const subjects = await fetch(`${api}/v1/subjects`, { headers: { Authorization: `Bearer ${demoKey}` } });
      expect((await subjects.json()).data).toHaveLength(4);
      const duplicate = await fetch(`${api}/v1/brands`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${operatorKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ slug: 'calm-harbor', name: 'Calm Harbor', defaultLocale: 'en' }),
      });
      expect(duplicate.status).toBe(409);
    } finally {
      await second.stop();
    }
    // Two cold starts of the API, the portal and an embedded PostgreSQL, each given a minute above.
  }, 180_000);
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { cloneTemplate } from '../support/database';
import { ApiProcess, buildApi, jsonCall, newSecrets, spawnApi } from '../support/reliability-process';

/**
 * No personal data and no secrets in logs: the API runs as its own process in production mode at
 * LOG_LEVEL=info, a whole journey goes through it (brands, keys, subjects with email and phone,
 * facts, consents with evidence, customers signing in by portal and magic link, errors), and the
 * captured stdout and stderr are searched for every seeded value.
 */

let database: Awaited<ReturnType<typeof cloneTemplate>>;
let proc: ApiProcess;
const secrets = newSecrets();

beforeAll(async () => {
  buildApi();
  database = await cloneTemplate(inject('templateDatabase'));
  proc = await spawnApi(database.url, secrets, { NODE_ENV: 'production', LOG_LEVEL: 'info', PORTAL_URL: 'https://portal.example' });
}, 120_000);
afterAll(async () => {
  await proc?.stop();
  await database?.drop();
});

describe('logs', () => {
  it('hold no email, phone, fact value, evidence, key or token after a full journey', async () => {
    const url = (p: string) => proc.url + p;
    const tag = randomBytes(3).toString('hex');
    const needles: string[] = [secrets.adminKey, secrets.masterKey];
    const brand = await jsonCall(url('/v1/brands'), 'POST', secrets.adminKey, { slug: `logs-${tag}`, name: 'Quiet Logs', defaultLocale: 'en' });
    expect(brand.status).toBe(201);
    const key = brand.body.apiKey.key as string;
    needles.push(key);
    for (const p of ['email_marketing', 'personalization']) expect((await jsonCall(url(`/v1/purpose-catalogue/${p}/adopt`), 'POST', key)).status).toBe(201);
    const extra = await jsonCall(url('/v1/api-keys'), 'POST', key, { name: 'reader', scopes: ['subjects:read'] });
    needles.push(extra.body.key);

    for (let i = 0; i < 5; i++) {
      const email = `logcheck.${tag}.${i}@example.com`;
      const phone = `+47915${tag.replace(/\D/g, '0').slice(0, 3)}${i}${i}`;
      const externalId = `crm-${tag}-${i}`;
      needles.push(email, phone, externalId);
      const subject = await jsonCall(url('/v1/subjects'), 'POST', key, { externalId, email, phone, timezone: 'Europe/Oslo' });
      expect(subject.status).toBe(201);
      const id = subject.body.id;
      const ip = `198.51.100.${10 + i}`;
      needles.push(ip);
      expect((await jsonCall(url(`/v1/subjects/${id}/consents`), 'POST', key, { purpose: 'personalization', granted: true, evidence: { ip, form: `signup-${tag}` } })).status).toBe(201);
      const value = `secret-motivation-${tag}-${i}`;
      needles.push(value);
      expect((await jsonCall(url(`/v1/subjects/${id}/facts`), 'POST', key, { key: 'motivation', value, category: 'motivations', provenance: 'declared', source: 'survey' })).status).toBe(201);
      await jsonCall(url(`/v1/subjects/${id}/profile?purpose=personalization`), 'GET', key);
      const link = await jsonCall(url(`/v1/subjects/${id}/portal-links`), 'POST', key);
      needles.push(link.body.token);
      const session = await jsonCall(url('/v1/auth/sessions'), 'POST', null, { token: link.body.token });
      expect(session.status).toBe(201);
      needles.push(session.body.sessionToken);
      const token = session.body.sessionToken;
      await jsonCall(url('/v1/me'), 'GET', token);
      const correction = `corrected-${tag}-${i}`;
      needles.push(correction);
      const me = await jsonCall(url('/v1/me'), 'GET', token);
      await jsonCall(url(`/v1/me/facts/${me.body.facts[0].id}`), 'PATCH', token, { value: correction });
      await jsonCall(url('/v1/me/preferences'), 'PUT', token, { channels: { email: { optedIn: false, frequency: 'weekly' } } }, { 'If-Match': '"prefs-v0"' });
      // Magic links: the email is sent (or, without SMTP, logged with the link redacted in production).
      expect((await jsonCall(url('/v1/auth/magic-links'), 'POST', null, { brand: `logs-${tag}`, email })).status).toBe(202);
      // Errors whose requests carry personal data.
      expect((await jsonCall(url('/v1/subjects'), 'POST', key, { externalId: externalId, email: `not an email ${email}` })).status).toBe(422);
      expect((await jsonCall(url(`/v1/subjects?email=${encodeURIComponent(email)}&externalId=${externalId}`), 'GET', key)).status).toBeLessThan(500);
      expect((await jsonCall(url('/v1/me'), 'GET', `${token}x`)).status).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 1500)); // magic-link work happens after the response
    const logs = proc.output();
    const lines = logs.split('\n').filter(Boolean).length;
    const hits = needles.filter((n) => logs.includes(n));
    console.log(`logs: ${lines} log lines captured at LOG_LEVEL=info, searched for ${needles.length} seeded values and secrets: ${hits.length} hits`);
    expect(lines).toBeGreaterThan(50);
    expect(logs).toContain('"statusCode":422'); // the errors were logged, just without their data
    expect(hits).toEqual([]);
  });
});

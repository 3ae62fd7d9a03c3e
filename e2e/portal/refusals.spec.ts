import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAND, openLink, startPortalStack, type PortalStack } from '../support/portal-stack';

/**
 * Forms whose values the API refuses answer a page that says so in the visitor's language, with a
 * 4xx status, never a 500 (red team: a sign-in with `a@b.c`, a correction over 500 characters or
 * with a NUL, a preferences form whose version carried a line break all answered 500).
 */
describe('values the API refuses, sent through the portal', () => {
  let stack: PortalStack;

  beforeAll(async () => {
    stack = await startPortalStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers a 4xx page in the visitor’s language, never a 500, and changes nothing', async () => {
    const context = await stack.newContext({ locale: 'nb-NO', extraHTTPHeaders: { 'Accept-Language': 'nb-NO,nb;q=0.9' } });
    try {
      const page = await context.newPage();
      const origin = { Origin: stack.portalUrl };

      // Anonymous: a sign-in with addresses the API refuses.
      await page.goto(`/${BRAND}/sign-in`);
      const anonymousCsrf = await page.locator('input[name="_csrf"]').first().inputValue();
      for (const email of ['a@b.c', 'a..b@example.com', '%ff@example.com', 'a%00@example.com']) {
        const res = await page.request.post(`/${BRAND}/actions/sign-in`, { form: { _csrf: anonymousCsrf, email }, headers: origin, maxRedirects: 0 });
        expect(res.status(), `sign-in with ${email}`).toBeLessThan(500);
      }

      // Signed in as Ingrid: a correction the API refuses, and a tampered version on preferences.
      const ingrid = await stack.subjectId('ch-member-1001');
      await openLink(page, await stack.portalLink(ingrid));
      const session = await stack.customerSession(ingrid);
      const before = (await stack.api.http.get('/v1/me').set({ Authorization: `Bearer ${session}` })).body;
      const fact = before.facts[0];
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      for (const value of ['x'.repeat(600), 'a\u0000b']) {
        const res = await page.request.post(`/${BRAND}/actions/facts/${fact.id}`, { form: { _csrf: csrf, value }, headers: origin, maxRedirects: 0 });
        expect(res.status(), `correction of ${value.length} characters`).toBeGreaterThanOrEqual(400);
        expect(res.status()).toBeLessThan(500);
        const body = await res.text();
        expect(body).toContain('Vi kunne ikke ta imot det');
        expect(body).toContain('<html lang="nb"');
      }
      const res = await page.request.post(`/${BRAND}/actions/preferences`, {
        form: { _csrf: csrf, etag: '"prefs-v1"\r\nX-Injected: 1' },
        headers: origin,
        maxRedirects: 0,
      });
      expect(res.status()).toBeLessThan(500);
      expect(res.headers()['x-injected']).toBeUndefined();

      const after = (await stack.api.http.get('/v1/me').set({ Authorization: `Bearer ${session}` })).body;
      expect(after.facts.find((f: { id: string }) => f.id === fact.id).value).toBe(fact.value);
      expect(after.preferences).toEqual(before.preferences);
    } finally {
      await context.close();
    }
  });
});

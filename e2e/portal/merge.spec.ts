import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCALES, messagesFor } from '../../portal/src/lib/i18n';
import { bearer } from '../support/factories';
import { BRAND, checkPage, openLink, startPortalStack, type PortalStack } from '../support/portal-stack';

/**
 * Issue 17 from the person's side: the brand found two records of them and joined them; the
 * Activity page says so, when, and where the records disagreed (the more private choice was kept),
 * in each of the five languages.
 */
describe('portal: records joined', () => {
  let stack: PortalStack;

  beforeAll(async () => {
    stack = await startPortalStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('shows the merge on the Activity page, in every language', async () => {
    const key = bearer(stack.brandKey);
    const create = async (body: object) => {
      const res = await stack.api.http.post('/v1/subjects').set(key).send({ externalId: `merge-${randomBytes(4).toString('hex')}`, ...body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const shop = await create({ email: `anna.${randomBytes(3).toString('hex')}@example.com`, locale: 'en', timezone: 'Europe/Oslo' });
    const loyalty = await create({});
    for (const [subjectId, granted] of [[shop, true], [loyalty, false]] as const) {
      const res = await stack.api.http.post(`/v1/subjects/${subjectId}/consents`).set(key).send({ purpose: 'email_marketing', granted });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    // The loyalty record also asked for quiet evenings: a disagreement the page names too.
    const current = await stack.api.http.get(`/v1/subjects/${loyalty}/preferences`).set(key);
    const quiet = await stack.api.http.put(`/v1/subjects/${loyalty}/preferences`).set(key).set('If-Match', current.headers.etag).send({ quietHours: { start: '20:00', end: '07:00' } });
    expect(quiet.status, JSON.stringify(quiet.body)).toBe(200);
    const merged = await stack.api.http.post(`/v1/subjects/${shop}/merge`).set(key).send({ fromSubjectId: loyalty });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);

    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(shop));
    await page.goto(`/${BRAND}/activity`);
    const section = page.locator('section[aria-labelledby="merges-title"]');
    expect(await section.locator('h2').textContent()).toBe('Your records, joined');
    const entry = section.locator(`li[data-merged-subject-id="${loyalty}"]`);
    expect(await entry.locator('p').first().textContent()).toMatch(/^We found two records of you and joined them on \d{1,2} \w+ \d{4}\. Where they disagreed, we kept the more private choice\.$/);
    expect(await entry.locator('p.small').textContent()).toMatch(/^Where they disagreed: “.+” and quiet hours\.$/);
    await checkPage(page, 'activity-merged', 'Activity');

    for (const locale of LOCALES.filter((l) => l !== 'en')) {
      const t = messagesFor(locale);
      await page.goto(`/${BRAND}/activity?lang=${locale}`);
      expect(await section.locator('h2').textContent(), locale).toBe(t.activity.mergesTitle);
      const line = (await entry.locator('p').first().textContent()) ?? '';
      const [before, after] = t.activity.merged('\u0000').split('\u0000');
      expect(line.startsWith(before) && line.endsWith(after), `${locale}: ${line}`).toBe(true);
      expect(line.length).toBeGreaterThan(before.length + after.length);
    }
    await context.close();
  });
});

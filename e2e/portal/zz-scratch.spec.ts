import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { BRAND, startPortalStack, openLink, type PortalStack } from '../support/portal-stack';

describe('scratch', () => {
  let stack: PortalStack;
  beforeAll(async () => { stack = await startPortalStack(); });
  afterAll(async () => { await stack?.close(); });
  it('looks', async () => {
    const id = await stack.subjectId('ch-member-1002');
    const context = await stack.newContext();
    const page = await context.newPage();
    await openLink(page, await stack.portalLink(id));
    await page.goto(`/${BRAND}/my-data/readable?lang=pl`);
    writeFileSync('/tmp/readable-pl.txt', await page.locator('main').innerText());
    await page.screenshot({ path: '/tmp/readable-pl.png', fullPage: true });
  });
});

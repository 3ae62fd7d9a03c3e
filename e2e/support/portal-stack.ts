// checkPage evaluates in the browser, hence the DOM types.
/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DemoSeeder } from '../../api/src/modules/demo/demo.seeder';
import { startApi, type TestApi } from './api';
import { bearer } from './factories';
import { REPO_ROOT, freePort, runCommand, waitForOk, type RunningCommand } from './processes';

/** Where the portal tests write their screenshots; CI keeps the folder as an artifact. */
export const ARTIFACTS = join(REPO_ROOT, 'e2e', '.artifacts', 'portal');

/** The demo brand the portal tests use (seeded by the API's DemoSeeder). */
export const BRAND = 'calm-harbor';

/** Debian's Chromium; tests never download a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface PortalStack {
  api: TestApi;
  /** The secret the portal sends the API with each visitor's address. */
  portalSecret: string;
  /** The API key of the demo brand (every scope). */
  brandKey: string;
  portalUrl: string;
  browser: Browser;
  /** A browser context in English on a desktop-sized window unless told otherwise. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  subjectId(externalId: string): Promise<string>;
  /** A one-time portal link, as a brand puts in a "manage your preferences" email. */
  portalLink(subjectId: string): Promise<string>;
  /** An API session of the customer's own, to check the API state the portal left behind. */
  customerSession(subjectId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The whole stack the portal runs on: the real API (in-process, on a fresh clone of the migrated
 * real-Postgres template) listening on a free port with the demo data seeded, the *built* portal
 * (portal/dist, as `npm start` runs it) as a child process pointing at it, and Debian's Chromium.
 */
export async function startPortalStack(options: { env?: Record<string, string> } = {}): Promise<PortalStack> {
  const portalPort = await freePort();
  const portalUrl = `http://127.0.0.1:${portalPort}`;
  // Extra API configuration: SMTP_URL of a mail catcher (staff sign-in), webhook settings…
  // The portal and the API share a secret, as with `npm start`: the API then limits each visitor
  // (the address the portal forwards) on their own.
  const portalSecret = randomBytes(24).toString('base64url');
  const api = await startApi({ env: { CANDOR_PORTAL_SECRET: portalSecret, ...options.env, PORTAL_URL: portalUrl } });
  let portal: RunningCommand | undefined;
  let browser: Browser | undefined;
  try {
    const banner = await api.app.get(DemoSeeder).seed();
    const brandKey = banner.join('\n').match(/\(calm-harbor\) API key (cnd_\S+)/)?.[1];
    if (!brandKey) throw new Error(`the demo seeder printed no key for calm-harbor:\n${banner.join('\n')}`);
    await api.app.listen(0, '127.0.0.1');
    const apiUrl = (await api.app.getUrl()).replace('[::1]', '127.0.0.1');

    portal = runCommand([join('portal', 'server.mjs')], {
      HOST: '127.0.0.1',
      PORT: String(portalPort),
      API_URL: apiUrl,
      PORTAL_URL: portalUrl,
      CANDOR_PORTAL_SECRET: options.env?.CANDOR_PORTAL_SECRET ?? portalSecret,
    });
    await waitForOk(`${portalUrl}/healthz`, 20_000, portal);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    mkdirSync(ARTIFACTS, { recursive: true });

    const stack: PortalStack = {
      api,
      portalSecret: options.env?.CANDOR_PORTAL_SECRET ?? portalSecret,
      brandKey,
      portalUrl,
      browser,
      newContext: (options = {}) =>
        browser!.newContext({ baseURL: portalUrl, locale: 'en-GB', viewport: { width: 1280, height: 900 }, ...options }),
      async subjectId(externalId) {
        const res = await api.http.get('/v1/subjects').query({ externalId }).set(bearer(brandKey));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return res.body.data[0].id;
      },
      async portalLink(subjectId) {
        const res = await api.http.post(`/v1/subjects/${subjectId}/portal-links`).set(bearer(brandKey));
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body.url).toBe(`${portalUrl}/${BRAND}/link/${res.body.token}`);
        return res.body.url;
      },
      async customerSession(subjectId) {
        const link = await api.http.post(`/v1/subjects/${subjectId}/portal-links`).set(bearer(brandKey));
        const session = await api.http.post('/v1/auth/sessions').send({ token: link.body.token });
        expect(session.status, JSON.stringify(session.body)).toBe(201);
        return session.body.sessionToken;
      },
      async close() {
        await browser?.close();
        await portal?.stop();
        await api.close();
      },
    };
    return stack;
  } catch (error) {
    await browser?.close();
    await portal?.stop();
    await api.close();
    throw error;
  }
}

/**
 * Follows a sign-in link as a person does: the link page (which spends nothing), then its
 * Continue button, which signs in. Resolves once the browser has left the link page.
 */
export async function openLink(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('form[action$="/actions/link"] button[type="submit"]').click();
  await page.waitForURL((u) => !u.pathname.includes('/link/') && !u.pathname.endsWith('/actions/link'));
}

/** `GET /v1/me` with a customer session: what the API holds now. */
export async function apiState(stack: PortalStack, session: string) {
  const res = await stack.api.http.get('/v1/me').set(bearer(session));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    facts: Array<{ id: string; key: string; value: string; provenance: string; source: string }>;
    consents: Array<{ purpose: string; granted: boolean | null; valid: boolean; source: string | null }>;
    preferences: { channels: Record<string, { optedIn: boolean; frequency: string }>; quietHours: { start: string; end: string } | null; topics: string[]; version: number };
  };
}

/** Runs axe-core (WCAG 2.0–2.2 A and AA rules) on the page and expects no violations. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  expect(await axeViolations(page), `axe violations on ${label}`).toEqual([]);
}

/** axe-core's violations on the page, one line per rule with the elements it names. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Legacy mode runs axe.run() in the page itself; the default opens a blank page per analysis to
  // merge results across frames (the portal has none), and listing only violations skips
  // collecting every passing node: together about three times faster, with the same rules.
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .options({ resultTypes: ['violations'] })
    .setLegacyMode()
    .analyze();
  const summary = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  // Guard against a vacuous pass (axe not injected, empty page).
  if (result.passes.length <= 10) summary.push(`axe checked only ${result.passes.length} rules: was it injected?`);
  return summary;
}

/**
 * WCAG 1.4.10 (reflow): nothing scrolls sideways. The document is no wider than the window, no
 * element reaches past its edges, and no box cuts off or scrolls its content sideways (form fields,
 * which scroll their own text, and visually hidden text aside). Names the culprits when one fails.
 */
export async function expectReflows(page: Page, label: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  expect(await sidewaysCulprits(page), `${label} scrolls sideways at ${width} px`).toEqual([]);
}

/** What makes the page scroll sideways (see expectReflows); empty when nothing does. */
export function sidewaysCulprits(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    const limit = document.documentElement.clientWidth;
    const name = (e: Element) => {
      const text = (e.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${[...e.classList].map((c) => `.${c}`).join('')} "${text}"`;
    };
    const found: string[] = [];
    if (root.scrollWidth > root.clientWidth) found.push(`the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
    for (const e of document.body.querySelectorAll('*')) {
      if (e.closest('.visually-hidden, .skip-link, script, style, template')) continue;
      const box = e.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.right > limit + 0.5 || box.left < -0.5) found.push(`${name(e)} spans ${Math.round(box.left)}–${Math.round(box.right)} px`);
      else if (!/^(INPUT|TEXTAREA|SELECT)$/.test(e.tagName) && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') {
        found.push(`${name(e)} hides or scrolls ${e.scrollWidth - e.clientWidth} px sideways`);
      }
    }
    return found.slice(0, 8);
  });
}

/**
 * The checks every page gets at every width: its heading, nothing scrolling sideways, axe-core
 * clean, and a full-page screenshot named after the page.
 */
export async function checkPage(page: Page, name: string, heading: string | RegExp): Promise<void> {
  const h1 = (await page.locator('h1').textContent()) ?? '';
  if (typeof heading === 'string') expect(h1).toBe(heading);
  else expect(h1).toMatch(heading);
  const width = page.viewportSize()?.width ?? 0;
  await expectReflows(page, name);
  await expectAccessible(page, `${name} at ${width} px`);
  await screenshot(page, name);
}

/** A full-page screenshot in the artifacts folder, named after the page and the window width. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const width = page.viewportSize()?.width ?? 0;
  const path = join(ARTIFACTS, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

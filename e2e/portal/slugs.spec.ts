import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAND, startPortalStack, type PortalStack } from '../support/portal-stack';
import { portalRoutes } from '../support/portal-routes';

/**
 * A first path segment that is not a brand (red team: `/CALM-HARBOR/sign-in`, `/calm_harbor/`,
 * a 70-character slug… answered 500): every route of the portal's page tree, under generated odd
 * slugs — case, punctuation, percent-encodings, long, unicode — answers the portal's 404 page in the
 * visitor's language, never a 5xx.
 */

/** A small seeded generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261203;

/** Odd slugs, written as they go in the URL path (percent-encoded where a browser would). */
function oddSlugs(): string[] {
  const fixed = [
    'CALM-HARBOR', 'Calm-Harbor', 'cALM-harbor', 'calm_harbor', 'a.b', '-', '--', 'calm-harbor-', '-calm-harbor', 'calm--harbor',
    'calm-harbor%20', '%20calm-harbor', 'calm%2Fharbor', 'calm-harbor%00', '%E2%80%8Bcalm-harbor', 'calm%25harbor', '%ZZ', 'calm-harbor%',
    'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(70), 'calm-harbor'.repeat(12), 'x'.repeat(300),
    encodeURIComponent('cälm-harbor'), encodeURIComponent('калм-харбор'), encodeURIComponent('calm-harbor🌊'), encodeURIComponent('ｃａｌｍ'), encodeURIComponent('İ'),
    '~calm', "calm'harbor", 'calm"harbor', 'calm(harbor)', 'calm+harbor', 'calm,harbor', 'calm;harbor', 'calm=harbor', 'calm@harbor', 'calm!', '.well-known',
  ];
  const random = prng(SEED);
  const alphabet = ['a', 'z', '0', '9', '-', '_', '.', 'A', 'Z', '~', '%20', '%2F', '%00', '%FF', '%C3%A4', '%F0%9F%8C%8A', '!', '$', '*', "'", '(', ':', '@'];
  const generated = Array.from({ length: 20 }, () => {
    const length = 1 + Math.floor(random() * 80);
    return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  });
  return [...fixed, ...generated];
}

describe('odd brand slugs: the 404 page, never a 5xx', () => {
  let stack: PortalStack;

  beforeAll(async () => {
    stack = await startPortalStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers every route of the page tree under every odd slug with the 404 page (seeded)', async () => {
    const routes = portalRoutes();
    expect(routes.length).toBeGreaterThan(30);
    const slugs = oddSlugs();
    const failures: string[] = [];
    let requests = 0;
    for (const [i, slug] of slugs.entries()) {
      // None of them is the brand, however the portal or a browser reads it.
      let decoded: string | null = null;
      try {
        decoded = decodeURIComponent(slug);
      } catch {
        /* not decodable: not a brand either */
      }
      expect(decoded, slug).not.toBe(BRAND);
      for (const route of routes) {
        const url = `${stack.portalUrl}/${slug}/${route.path}`;
        const res = await fetch(url, {
          method: route.method,
          redirect: 'manual',
          headers: { 'accept-language': 'en', origin: stack.portalUrl, ...(route.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
          body: route.method === 'POST' ? 'email=someone%40example.com&_csrf=x' : undefined,
        });
        requests++;
        const text = await res.text();
        const label = `${route.method} /${slug}/${route.path} (seed ${SEED}, slug #${i})`;
        if (res.status >= 500) failures.push(`${label} → ${res.status}`);
        // A malformed percent-encoding is not an address at all: 400, with the page that says so.
        else if (decoded === null) {
          if (res.status !== 400) failures.push(`${label} → ${res.status}, not 400`);
          else if (!text.includes('This address is damaged')) failures.push(`${label} → 400 without the damaged-address page`);
        }
        else if (res.status !== 404) failures.push(`${label} → ${res.status}, not 404`);
        else if (!text.includes('We could not find that')) failures.push(`${label} → 404 without the 404 page`);
      }
    }
    console.log(`odd slugs: ${slugs.length} slugs × ${routes.length} routes = ${requests} requests, ${failures.length} failures`);
    expect(failures.slice(0, 60)).toEqual([]);
  }, 120_000);

  it('shows the 404 page in the visitor’s language', async () => {
    for (const [language, lang, heading] of [
      ['en', 'en', 'We could not find that'],
      ['nb-NO', 'nb', 'Vi fant det ikke'],
      ['da-DK', 'da', 'Vi kunne ikke finde det'],
      ['pl-PL', 'pl', 'Nie znaleźliśmy tego'],
      ['hu-HU', 'hu', 'Ezt nem találjuk'],
    ] as const) {
      for (const path of ['/CALM-HARBOR/sign-in', '/calm_harbor/', `/${'a'.repeat(70)}/admin/`, '/Calm-Harbor/link/x']) {
        const res = await fetch(`${stack.portalUrl}${path}`, { redirect: 'manual', headers: { 'accept-language': language } });
        expect(res.status, `${language} ${path}`).toBe(404);
        const text = await res.text();
        expect(text, `${language} ${path}`).toContain(`lang="${lang}"`);
        expect(text, `${language} ${path}`).toContain(heading);
      }
    }
  });

  it('answers a damaged address (a malformed percent-encoding) with a 400 page in the visitor’s language, not the server’s English', async () => {
    for (const [language, lang, heading] of [
      ['en', 'en', 'This address is damaged'],
      ['nb-NO', 'nb', 'Denne adressen er skadet'],
      ['da-DK', 'da', 'Denne adresse er beskadiget'],
      ['pl-PL', 'pl', 'Ten adres jest uszkodzony'],
      ['hu-HU', 'hu', 'Ez a cím sérült'],
    ] as const) {
      // Whether the language comes from ?lang= (the link's) or from the browser's Accept-Language.
      for (const [path, headers] of [
        [`/${BRAND}/%E0%A4%A?lang=${lang}`, { 'accept-language': 'en' }],
        [`/${BRAND}/%E0%A4%A`, { 'accept-language': language }],
        ['/%ZZ/sign-in', { 'accept-language': language }],
      ] as const) {
        const res = await fetch(`${stack.portalUrl}${path}`, { redirect: 'manual', headers });
        expect(res.status, `${language} ${path}`).toBe(400);
        expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
        const text = await res.text();
        expect(text, `${language} ${path}`).toContain(`lang="${lang}"`);
        expect(text, `${language} ${path}`).toContain(heading);
        expect(text, `${language} ${path}`).not.toContain('Bad request');
      }
      // The brand's start page is one click away.
      const under = await (await fetch(`${stack.portalUrl}/${BRAND}/%E0%A4%A?lang=${lang}`, { redirect: 'manual' })).text();
      expect(under).toContain(`href="/${BRAND}/"`);
    }
  });
});

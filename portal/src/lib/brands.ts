import { ApiProblem, ok, publicApi, type Schemas } from './api';

export type PublicBrand = Schemas['PublicBrandResponse'];

/** Slugs are lower-case words and hyphens; anything else can never be a brand. */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** First path segments that are the portal's own, never a brand. */
const RESERVED = new Set(['_astro', '.well-known', 'healthz', 'forbidden', 'too-many-requests', 'not-accepted', 'favicon.svg', 'favicon.ico', '404', '500']);

export function brandSlugOf(pathname: string): string | null {
  const first = pathname.split('/')[1] ?? '';
  return SLUG.test(first) && !RESERVED.has(first) ? first : null;
}

/**
 * Whether a path lies under a first segment that can never be a brand (upper case, punctuation,
 * percent-encodings, too long…): such a path reaches the `[brand]` pages without a brand, so it is
 * answered with the 404 page before any page runs.
 */
export function cannotBeBrand(pathname: string): boolean {
  const first = pathname.split('/')[1] ?? '';
  return first !== '' && !RESERVED.has(first) && !SLUG.test(first);
}

/**
 * Brand names change rarely and every page shows one, so lookups are kept for a minute (unknown
 * slugs for ten seconds, so a brand created a moment ago soon appears).
 */
const cache = new Map<string, { brand: PublicBrand | null; until: number }>();

export async function findBrand(slug: string): Promise<PublicBrand | null> {
  const hit = cache.get(slug);
  if (hit && hit.until > Date.now()) return hit.brand;
  const result = await publicApi().GET('/v1/brands/by-slug/{slug}', { params: { path: { slug } } });
  let brand: PublicBrand | null;
  try {
    brand = ok(result);
  } catch (error) {
    // 404: no such brand; 422: the API's own slug rules refuse it (it can never be a brand).
    if (!(error instanceof ApiProblem) || (error.status !== 404 && error.status !== 422)) throw error;
    brand = null;
  }
  if (cache.size > 1000) cache.clear();
  cache.set(slug, { brand, until: Date.now() + (brand ? 60_000 : 10_000) });
  return brand;
}

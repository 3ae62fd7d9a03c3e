import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './processes';

/** The portal's pages and endpoints under /{brand}/. */
export const BRAND_PAGES = join(REPO_ROOT, 'portal', 'src', 'pages', '[brand]');

export interface PortalRoute {
  file: string;
  method: 'GET' | 'POST';
  /** The URL path under the brand, with its parameters filled in. */
  path: string;
}

/** Every page and endpoint under /{brand}/, from the portal's own file tree (so a new page is covered). */
export function portalRoutes(): PortalRoute[] {
  const files = (readdirSync(BRAND_PAGES, { recursive: true }) as string[]).filter((f) => /\.(astro|ts)$/.test(f));
  const fill: Record<string, string> = { id: '00000000-0000-4000-8000-000000000000', purpose: 'email_marketing', key: 'goal', sku: 'sku-1', token: 'cpl_not_a_real_token' };
  return files.flatMap((file) => {
    const route = file
      .replace(/\\/g, '/')
      .replace(/\.(astro|ts)$/, '')
      .replace(/(^|\/)index$/, '$1')
      .replace(/\[(\w+)\]/g, (_, name: string) => fill[name] ?? name);
    if (file.endsWith('.astro')) return [{ file, method: 'GET' as const, path: route }];
    const source = readFileSync(join(BRAND_PAGES, file), 'utf8');
    return (['GET', 'POST'] as const).filter((m) => new RegExp(`export const ${m}\\b`).test(source)).map((method) => ({ file, method, path: route }));
  });
}

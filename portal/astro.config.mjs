import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// The portal is server-rendered on every request: it shows personal data, so nothing is
// prerendered or cached. HOST and PORT (read by @astrojs/node at runtime) override `server`.
export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  server: { host: '127.0.0.1', port: 4321 },
  telemetry: false,
  // Never inline styles: the Content-Security-Policy (src/lib/security.ts) allows style sheets
  // from this origin only, with no 'unsafe-inline'.
  build: { inlineStylesheets: 'never' },
  // Our own Origin check (src/middleware.ts) also accepts PORTAL_URL's origin behind a proxy and
  // renders a friendly, translated page; Astro's built-in one would answer with bare text.
  security: { checkOrigin: false },
  devToolbar: { enabled: false },
});

/**
 * Serves the built portal (dist/server/entry.mjs) as @astrojs/node's standalone server does, with
 * one difference: an address that cannot be decoded (`/kitchen-atelier/%E0%A4%A`) is not answered
 * with the adapter's bare English "Bad request." but with the portal's "this address is damaged"
 * page, status 400, in the visitor's language (their `?lang=`, cookie or Accept-Language, as every
 * other page). HOST and PORT override the configured host and port, as before.
 */
import { createServer } from 'node:http';

process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const { handler, options } = await import('./dist/server/entry.mjs');

/** Whether the adapter (and Astro) can decode this request target. */
function decodable(target) {
  try {
    decodeURI(target);
    return true;
  } catch {
    return false;
  }
}

/** A language asked for in the raw query (`?lang=hu`), if it reads as one. */
function requestedLanguage(target) {
  const match = /[?&]lang=([a-z]{2}(?:-[A-Za-z]{2})?)(?:&|$)/.exec(target);
  return match ? match[1] : null;
}

/** The brand the damaged address was under, if its first segment reads as a slug. */
function brandOf(target) {
  const match = /^\/([a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)(?:[/?]|$)/.exec(target);
  return match ? match[1] : null;
}

const server = createServer((req, res) => {
  const target = req.url ?? '/';
  if (!decodable(target)) {
    const page = new URLSearchParams({ status: '400', reason: 'address' });
    const brand = brandOf(target);
    if (brand) page.set('brand', brand);
    const lang = requestedLanguage(target);
    // Not `lang`: that would set the visitor's cookie and redirect; the page reads `in` for itself.
    if (lang) page.set('in', lang);
    req.url = `/not-accepted?${page}`;
  }
  handler(req, res);
});
const host = process.env.HOST ?? (typeof options.host === 'string' ? options.host : options.host ? '0.0.0.0' : 'localhost');
const port = process.env.PORT ? Number(process.env.PORT) : options.port;
server.listen(port, host, () => console.log(`Server listening on http://${host}:${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));

import type { APIRoute } from 'astro';

/**
 * The Global Privacy Control support resource (https://privacycg.github.io/gpc-spec/, "GPC Support
 * Resource"): the portal is the origin customers visit, and it honours `Sec-GPC: 1` — a signed-in
 * customer's browser signal withdraws every sale-or-share purpose. `lastUpdate` is when that
 * support last changed (the API serves the same resource).
 */
export const GPC_SUPPORT = { gpc: true, lastUpdate: '2026-11-28' } as const;

export const GET: APIRoute = () =>
  new Response(JSON.stringify(GPC_SUPPORT), {
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=86400' },
  });

import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface SsrfPolicy {
  /** Production: only https URLs. */
  httpsOnly: boolean;
  /** Host names or addresses that may resolve to private addresses (development and tests). */
  allowHosts: ReadonlySet<string>;
}

/** Why a URL may not be called, or null when it may. Checks the form only; addresses are checked at connect time. */
export function urlProblem(raw: string, policy: SsrfPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !policy.httpsOnly)) {
    return policy.httpsOnly ? 'must use https' : 'must use http or https';
  }
  if (url.username || url.password) return 'must not contain credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // The URL parser has already turned decimal, octal and hex IPv4 forms (`2130706433`, `0x7f.1`)
  // into dotted quads and IPv6 into its canonical form.
  if (ipaddr.isValid(host) && !isPublicAddress(host) && !policy.allowHosts.has(host)) return PRIVATE;
  return null;
}

const PRIVATE = 'points at a private, loopback, link-local or reserved address; add its host to CANDOR_WEBHOOK_ALLOW_HOSTS for development';

/**
 * Why a URL's host name may not be called because it resolves to a non-public address, or null.
 * Checked when a webhook is registered; delivery checks again at connect time ({@link guardedLookup}).
 * A name that does not resolve now is left to that later check.
 */
export async function resolvedProblem(raw: string, policy: SsrfPolicy): Promise<string | null> {
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host) || policy.allowHosts.has(host)) return null;
  const addresses = await new Promise<Array<{ address: string }>>((done) =>
    dnsLookup(host, { all: true }, (error, list) => done(error ? [] : (list as Array<{ address: string }>))),
  );
  return addresses.some((a) => !isPublicAddress(a.address)) ? PRIVATE : null;
}

/** The deprecated IPv4-compatible IPv6 block (RFC 4291 §2.5.5.1), which ipaddr.js calls unicast. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96') as [ipaddr.IPv6, number];

/**
 * Only globally routable unicast addresses are public. IPv6 forms that carry an IPv4 address
 * (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4) are judged by that address; Teredo tunnels and
 * the local-use NAT64 prefix are never public.
 */
export function isPublicAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return false;
  }
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast';
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  const parts = v6.parts;
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return v4(parts[6], parts[7]).range() === 'unicast';
    case 'rfc6052':
      // 64:ff9b::/96 embeds the IPv4 address; 64:ff9b:1::/48 is for local use only.
      return parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0 && v4(parts[6], parts[7]).range() === 'unicast';
    case '6to4':
      return v4(parts[1], parts[2]).range() === 'unicast';
    case 'unicast':
      if (v6.match(IPV4_COMPATIBLE)) return v4(parts[6], parts[7]).range() === 'unicast';
      return true;
    default:
      return false;
  }
}

/**
 * A DNS lookup for the HTTP client that refuses private, loopback and link-local results unless
 * the host is allow-listed. Checking the address the socket actually connects to (not an earlier
 * resolution) closes the DNS-rebinding gap.
 */
export function guardedLookup(host: string, policy: SsrfPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as Array<{ address: string; family: number }>;
      const allowed = policy.allowHosts.has(host) || policy.allowHosts.has(hostname);
      const bad = list.find((a) => !isPublicAddress(a.address));
      if (bad && !allowed) {
        const refusal = Object.assign(new Error(`${hostname} resolves to a non-public address (${bad.address})`), { code: 'ESSRF' });
        return callback(refusal, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
}

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
  if (ipaddr.isValid(host) && !isPublicAddress(host) && !policy.allowHosts.has(host)) {
    return `points at a private, loopback or link-local address (${host}); add it to CANDOR_WEBHOOK_ALLOW_HOSTS for development`;
  }
  return null;
}

/** Only globally routable unicast addresses are public. */
export function isPublicAddress(address: string): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
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

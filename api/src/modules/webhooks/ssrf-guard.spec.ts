import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './delivery-worker.service';
import { isPublicAddress, resolvedProblem, urlProblem } from './ssrf-guard';

describe('webhook SSRF guard', () => {
  const dev = { httpsOnly: false, allowHosts: new Set(['127.0.0.1']) };
  const prod = { httpsOnly: true, allowHosts: new Set<string>() };

  it('knows which addresses are public', () => {
    for (const a of ['8.8.8.8', '2606:4700:4700::1111']) expect(isPublicAddress(a), a).toBe(true);
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', 'fc00::1', '0.0.0.0', '::ffff:127.0.0.1', '100.64.0.1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });

  it('refuses non-https in production, credentials in URLs and private literal addresses unless allow-listed', () => {
    expect(urlProblem('http://crm.example.com/hook', prod)).toMatch(/https/);
    expect(urlProblem('https://crm.example.com/hook', prod)).toBeNull();
    expect(urlProblem('https://user:pw@crm.example.com/hook', prod)).toMatch(/credentials/);
    expect(urlProblem('http://127.0.0.1:9000/hook', dev)).toBeNull();
    expect(urlProblem('http://127.0.0.2:9000/hook', dev)).toMatch(/private/);
    expect(urlProblem('http://[::1]/hook', dev)).toMatch(/private/);
    expect(urlProblem('not a url', dev)).toMatch(/not a URL/);
  });
});

describe('webhook retry backoff', () => {
  it('doubles per attempt with jitter between half and one and a half times, capped at an hour', () => {
    expect(retryDelayMs(1, 1000, () => 0.5)).toBe(1000);
    expect(retryDelayMs(3, 1000, () => 0.5)).toBe(4000);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(2000);
    expect(retryDelayMs(3, 1000, () => 0.999)).toBeLessThan(6000);
    expect(retryDelayMs(40, 1000, () => 0.5)).toBe(3600_000);
  });
});

/**
 * Property: every non-public IPv4 address, written in every form a URL parser accepts (dotted,
 * one number in decimal or hex, octal and hex parts, short forms, a trailing dot) or carried in
 * IPv6 (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4), and every non-public IPv6 address, is
 * refused; public addresses in the same forms are accepted. The oracle is the list of blocks
 * below, written from the IANA special-purpose registries, not the guard's own classification.
 */
describe('webhook SSRF guard over every textual form of an address', () => {
  const policy = { httpsOnly: false, allowHosts: new Set<string>() };
  const NON_PUBLIC_V4: Array<[number, number]> = [
    [0x00000000, 8], // this network, 0.0.0.0
    [0x0a000000, 8], // private
    [0x64400000, 10], // carrier-grade NAT
    [0x7f000000, 8], // loopback
    [0xa9fe0000, 16], // link-local (cloud metadata)
    [0xac100000, 12], // private
    [0xc0000000, 24], // IETF protocol assignments
    [0xc0000200, 24], // TEST-NET-1
    [0xc0a80000, 16], // private
    [0xc6120000, 15], // benchmarking
    [0xc6336400, 24], // TEST-NET-2
    [0xcb007100, 24], // TEST-NET-3
    [0xe0000000, 4], // multicast
    [0xf0000000, 4], // reserved, broadcast
  ];
  const PUBLIC_V4: Array<[number, number]> = [
    [0x01000000, 8],
    [0x08000000, 8],
    [0x22000000, 8],
    [0x34000000, 8],
    [0x5d000000, 8],
    [0xb9000000, 8],
  ];
  const NON_PUBLIC_V6 = ['::', '::1', 'fe80::1', 'febf:ffff::1', 'fc00::1', 'fdff:1:2::3', 'ff02::1', 'fec0::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:db8::1', '64:ff9b:1::a00:1', '100::1', '::ffff:0:0'];
  const PUBLIC_V6 = ['2606:4700:4700::1111', '2a00:1450:4001:81c::200e', '2001:4860:4860::8888', '2620:fe::fe'];

  const inBlock = ([base, bits]: [number, number]) => fc.nat().map((n) => (base + (bits === 0 ? n : n % 2 ** (32 - bits))) >>> 0);
  const octets = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const hex16 = (n: number) => `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  /** Every form a URL host may take for one IPv4 address. */
  const v4Forms = (n: number): string[] => {
    const [a, b, c, d] = octets(n);
    const dotted = `${a}.${b}.${c}.${d}`;
    return [
      dotted,
      `${dotted}.`,
      String(n),
      `0x${n.toString(16)}`,
      `0X${n.toString(16).toUpperCase()}`,
      `0${a.toString(8)}.0${b.toString(8)}.0${c.toString(8)}.0${d.toString(8)}`,
      `0x${a.toString(16)}.0x${b.toString(16)}.0x${c.toString(16)}.0x${d.toString(16)}`,
      `${a}.${(b << 16) | (c << 8) | d}`,
      `${a}.${b}.${(c << 8) | d}`,
      `[::ffff:${dotted}]`,
      `[::ffff:${hex16(n)}]`,
      `[::${dotted}]`,
      `[::ffff:0:${dotted}]`,
      `[64:ff9b::${dotted}]`,
      `[2002:${hex16(n)}::1]`,
    ];
  };
  const urlsOf = (host: string) => [`http://${host}/hook`, `https://${host}:8443/hook?x=1`];

  it('refuses non-public IPv4 addresses in every textual form', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NON_PUBLIC_V4).chain(inBlock), (n) => {
        for (const form of v4Forms(n)) for (const url of urlsOf(form)) expect(urlProblem(url, policy), url).toMatch(/private/);
      }),
      { numRuns: 300, seed: 20_261_203 },
    );
  });

  it('accepts public IPv4 addresses in every textual form', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PUBLIC_V4).chain(inBlock), (n) => {
        for (const form of v4Forms(n)) for (const url of urlsOf(form)) expect(urlProblem(url, policy), url).toBeNull();
      }),
      { numRuns: 300, seed: 20_261_203 },
    );
  });

  it('refuses non-public IPv6 addresses (any spelling) and accepts public ones', () => {
    const spellings = (address: string) => {
      const parsed = ipaddr.IPv6.parse(address);
      return [address, parsed.toNormalizedString(), parsed.toFixedLengthString(), address.toUpperCase()];
    };
    for (const address of NON_PUBLIC_V6) for (const s of spellings(address)) expect(urlProblem(`http://[${s}]/hook`, policy), s).toMatch(/private/);
    for (const address of PUBLIC_V6) for (const s of spellings(address)) expect(urlProblem(`http://[${s}]/hook`, policy), s).toBeNull();
  });

  it('refuses host names that resolve to non-public addresses, unless allow-listed', async () => {
    expect(await resolvedProblem('http://localhost:9/hook', policy)).toMatch(/private/);
    expect(await resolvedProblem('http://localhost:9/hook', { ...policy, allowHosts: new Set(['localhost']) })).toBeNull();
    // A name that does not resolve now is left to the check at connect time.
    expect(await resolvedProblem('http://name-that-does-not-exist.invalid/hook', policy)).toBeNull();
  });

  it('never echoes the address in its message', () => {
    expect(urlProblem('http://[::127.0.0.1]/hook', policy)).not.toMatch(/127|7f00/);
  });
});

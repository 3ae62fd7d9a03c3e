import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './delivery-worker.service';
import { isPublicAddress, urlProblem } from './ssrf-guard';

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

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, storedSecret } from './config';

describe('configuration', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const dir = mkdtempSync(join(tmpdir(), 'candor-config-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('generates the operator and master keys once in development and keeps them private', () => {
    const dir = scratch();
    const first = loadConfig({ CANDOR_DATA_DIR: dir });
    const second = loadConfig({ CANDOR_DATA_DIR: dir });
    expect(first.adminKeyGenerated).toBe(true);
    expect(second.adminKey).toBe(first.adminKey);
    expect(second.masterKey.equals(first.masterKey)).toBe(true);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).toContain(first.adminKey);
    expect(first.port).toBe(3000);
    expect(first.databaseUrl).toBeNull();
  });

  it("keeps the embedded database's password beside the keys, made once and kept across starts", () => {
    const dir = scratch();
    const keys = loadConfig({ CANDOR_DATA_DIR: dir });
    const password = storedSecret(dir, 'postgresPassword', () => 'first-password');
    expect(storedSecret(dir, 'postgresPassword', () => 'another')).toBe(password);
    const again = loadConfig({ CANDOR_DATA_DIR: dir });
    expect(again.adminKey).toBe(keys.adminKey);
    expect(again.masterKey.equals(keys.masterKey)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toMatchObject({ postgresPassword: 'first-password', adminKey: keys.adminKey });
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('requires both keys in production and lists every problem at once', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PORT: 'eighty', DATABASE_URL: 'mysql://x' })).toThrowError(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ['PORT', 'DATABASE_URL', 'CANDOR_ADMIN_KEY', 'CANDOR_MASTER_KEY']) expect(message).toContain(name);
    }
  });

  it('reads the upload limits, with defaults sized for the product, and refuses nonsense', () => {
    const base = { CANDOR_ADMIN_KEY: 'a'.repeat(32), CANDOR_MASTER_KEY: 'ab'.repeat(32), CANDOR_DATA_DIR: scratch() };
    expect(loadConfig(base)).toMatchObject({ uploadLimitBytes: 512 * 1024 ** 2, uploadConcurrency: 2, uploadIdleTimeoutMs: 30_000 });
    expect(loadConfig({ ...base, CANDOR_UPLOAD_LIMIT: '64kb', CANDOR_UPLOAD_CONCURRENCY: '5', CANDOR_UPLOAD_IDLE_TIMEOUT_MS: '0' })).toMatchObject({
      uploadLimitBytes: 64 * 1024,
      uploadConcurrency: 5,
      uploadIdleTimeoutMs: 0,
    });
    expect(() => loadConfig({ ...base, CANDOR_UPLOAD_LIMIT: 'lots' })).toThrow(/CANDOR_UPLOAD_LIMIT/);
    expect(() => loadConfig({ ...base, CANDOR_UPLOAD_CONCURRENCY: '-1' })).toThrow(/CANDOR_UPLOAD_CONCURRENCY/);
    expect(() => loadConfig({ ...base, CANDOR_UPLOAD_IDLE_TIMEOUT_MS: '1.5s' })).toThrow(/CANDOR_UPLOAD_IDLE_TIMEOUT_MS/);
  });

  it('reads the double opt-in lifetime and resend window, with defaults, and refuses a lifetime that cannot work', () => {
    const base = { CANDOR_ADMIN_KEY: 'a'.repeat(32), CANDOR_MASTER_KEY: 'ab'.repeat(32), CANDOR_DATA_DIR: scratch() };
    expect(loadConfig(base)).toMatchObject({ doubleOptInDays: 7, doubleOptInResendHours: 24 });
    expect(loadConfig({ ...base, CANDOR_DOUBLE_OPT_IN_DAYS: '14', CANDOR_DOUBLE_OPT_IN_RESEND_HOURS: '0' })).toMatchObject({ doubleOptInDays: 14, doubleOptInResendHours: 0 });
    for (const days of ['0', '400', 'a week']) expect(() => loadConfig({ ...base, CANDOR_DOUBLE_OPT_IN_DAYS: days })).toThrow(/CANDOR_DOUBLE_OPT_IN_DAYS/);
    expect(() => loadConfig({ ...base, CANDOR_DOUBLE_OPT_IN_RESEND_HOURS: '-2' })).toThrow(/CANDOR_DOUBLE_OPT_IN_RESEND_HOURS/);
  });

  it('accepts a master key as base64 or hex, and rejects one of the wrong length', () => {
    const base = { CANDOR_ADMIN_KEY: 'a'.repeat(32), CANDOR_DATA_DIR: scratch() };
    expect(loadConfig({ ...base, CANDOR_MASTER_KEY: 'ab'.repeat(32) }).masterKey).toHaveLength(32);
    expect(loadConfig({ ...base, CANDOR_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }).masterKey).toHaveLength(32);
    expect(() => loadConfig({ ...base, CANDOR_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(() => loadConfig({ ...base, CANDOR_ADMIN_KEY: 'short', CANDOR_MASTER_KEY: 'ab'.repeat(32) })).toThrow(/at least 24/);
  });

  it('keeps a generated portal secret with the other secrets in development, takes a configured one, and refuses a short one', () => {
    const dir = scratch();
    const first = loadConfig({ CANDOR_DATA_DIR: dir });
    expect(first.portalSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(loadConfig({ CANDOR_DATA_DIR: dir }).portalSecret).toBe(first.portalSecret);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')).portalSecret).toBe(first.portalSecret);
    // Keys from the environment, no secrets.json yet: the portal secret is still generated and kept.
    const keyed = { CANDOR_ADMIN_KEY: 'a'.repeat(32), CANDOR_MASTER_KEY: 'ab'.repeat(32) };
    const other = scratch();
    expect(loadConfig({ ...keyed, CANDOR_DATA_DIR: other }).portalSecret).toBe(JSON.parse(readFileSync(join(other, 'secrets.json'), 'utf8')).portalSecret);
    expect(loadConfig({ ...keyed, CANDOR_DATA_DIR: scratch(), CANDOR_PORTAL_SECRET: 'p'.repeat(24) }).portalSecret).toBe('p'.repeat(24));
    expect(() => loadConfig({ ...keyed, CANDOR_DATA_DIR: scratch(), CANDOR_PORTAL_SECRET: 'short' })).toThrow(/CANDOR_PORTAL_SECRET/);
    // Production never generates one: without it, forwarded addresses are simply not trusted.
    expect(loadConfig({ ...keyed, NODE_ENV: 'production', CANDOR_DATA_DIR: scratch() }).portalSecret).toBeNull();
    expect(loadConfig({ ...keyed, NODE_ENV: 'production', CANDOR_DATA_DIR: scratch() }).signInLimit).toBe(5);
  });
});

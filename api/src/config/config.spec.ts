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

  it('accepts a master key as base64 or hex, and rejects one of the wrong length', () => {
    const base = { CANDOR_ADMIN_KEY: 'a'.repeat(32), CANDOR_DATA_DIR: scratch() };
    expect(loadConfig({ ...base, CANDOR_MASTER_KEY: 'ab'.repeat(32) }).masterKey).toHaveLength(32);
    expect(loadConfig({ ...base, CANDOR_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }).masterKey).toHaveLength(32);
    expect(() => loadConfig({ ...base, CANDOR_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(() => loadConfig({ ...base, CANDOR_ADMIN_KEY: 'short', CANDOR_MASTER_KEY: 'ab'.repeat(32) })).toThrow(/at least 24/);
  });
});

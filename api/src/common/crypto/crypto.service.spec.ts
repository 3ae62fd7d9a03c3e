import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CandorConfig } from '../../config/config';
import { CryptoService, normaliseEmail, normalisePhone } from './crypto.service';

const service = (masterKey = randomBytes(32)) => new CryptoService({ masterKey } as CandorConfig);

describe('envelope encryption', () => {
  it('round-trips a value under a wrapped data key, bound to its context', () => {
    const crypto = service();
    const dataKey = crypto.newDataKey();
    const wrapped = crypto.wrapKey(dataKey, 'subject-key:b:s');
    const sealed = crypto.encrypt(crypto.unwrapKey(wrapped, 'subject-key:b:s'), 'ingrid@example.com', 'b:s:email');
    expect(sealed.toString('utf8')).not.toContain('ingrid');
    expect(crypto.decrypt(dataKey, sealed, 'b:s:email')).toBe('ingrid@example.com');
    expect(() => crypto.decrypt(dataKey, sealed, 'b:other:email')).toThrow();
    expect(() => crypto.unwrapKey(wrapped, 'subject-key:b:other')).toThrow();
  });

  it('cannot unwrap a data key with another master key', () => {
    const wrapped = service().wrapKey(randomBytes(32), 'ctx');
    expect(() => service().unwrapKey(wrapped, 'ctx')).toThrow();
  });

  it('hashes identifiers per brand so the same email in two brands does not link', () => {
    const crypto = service();
    expect(crypto.lookupHash('a', 'email', 'x@example.com')).toBe(crypto.lookupHash('a', 'email', 'x@example.com'));
    expect(crypto.lookupHash('a', 'email', 'x@example.com')).not.toBe(crypto.lookupHash('b', 'email', 'x@example.com'));
  });

  it('normalises emails and phone numbers before hashing', () => {
    expect(normaliseEmail('  Ingrid.Solberg@Example.COM ')).toBe('ingrid.solberg@example.com');
    expect(normalisePhone('+47 912-34 (567)')).toBe('+4791234567');
  });
});

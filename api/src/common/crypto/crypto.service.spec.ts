import { createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
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

  it('keeps its formats whatever form the keys are held in: HMAC-SHA256 lookups, version|iv|tag|ciphertext', () => {
    const masterKey = randomBytes(32);
    const crypto = service(masterKey);
    const lookupKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'candor/v1/lookup-hash', 32));
    expect(crypto.lookupHash('b', 'email', 'x@example.com')).toBe(createHmac('sha256', lookupKey).update('b\u0000email\u0000x@example.com').digest('hex'));
    const dataKey = crypto.newDataKey();
    const sealed = crypto.encrypt(dataKey, 'ingrid@example.com', 'b:s:email');
    expect(sealed[0]).toBe(1);
    const decipher = createDecipheriv('aes-256-gcm', dataKey, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from('b:s:email'));
    decipher.setAuthTag(sealed.subarray(13, 29));
    expect(Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8')).toBe('ingrid@example.com');
    const wrappingKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'candor/v1/key-wrapping', 32));
    const wrapped = crypto.wrapKey(dataKey, 'subject-key:b:s');
    const unwrap = createDecipheriv('aes-256-gcm', wrappingKey, wrapped.subarray(1, 13));
    unwrap.setAAD(Buffer.from('subject-key:b:s'));
    unwrap.setAuthTag(wrapped.subarray(13, 29));
    expect(Buffer.concat([unwrap.update(wrapped.subarray(29)), unwrap.final()])).toEqual(dataKey);
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

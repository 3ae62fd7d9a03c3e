import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CandorConfig } from '../../config/config';
import { CryptoService } from '../crypto/crypto.service';
import { idempotencyKeyHashes, LookupHasher } from './idempotency';

const hasher = (masterKey = randomBytes(32)): LookupHasher => {
  const crypto = new CryptoService({ masterKey } as CandorConfig);
  return (brandId, kind, value) => crypto.lookupHash(brandId, kind, value);
};

describe('idempotency keys at rest', () => {
  it('stores a keyed hash that names neither the key nor its owner, scoped to brand and operation', () => {
    const hash = hasher();
    const key = 'order-4711-ingrid.solberg@example.com';
    const [stored, legacy] = idempotencyKeyHashes(hash, { brandId: 'brand-a', scope: 'consent.capture', key });
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain('ingrid');
    expect(legacy).toBe(key); // rows written before hashing are still found by their raw key
    expect(idempotencyKeyHashes(hash, { brandId: 'brand-a', scope: 'consent.capture', key })[0]).toBe(stored);
    expect(idempotencyKeyHashes(hash, { brandId: 'brand-b', scope: 'consent.capture', key })[0]).not.toBe(stored);
    expect(idempotencyKeyHashes(hash, { brandId: 'brand-a', scope: 'other.operation', key })[0]).not.toBe(stored);
    // Without the master key the hash cannot be recomputed from a guessed key.
    expect(idempotencyKeyHashes(hasher(), { brandId: 'brand-a', scope: 'consent.capture', key })[0]).not.toBe(stored);
  });
});

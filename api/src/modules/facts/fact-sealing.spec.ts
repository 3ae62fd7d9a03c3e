import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoService } from '../../common/crypto/crypto.service';
import type { CandorConfig } from '../../config/config';
import { factValueHash, openFact, openFactField, sealFact } from './fact-sealing';

const crypto = new CryptoService({ masterKey: randomBytes(32) } as CandorConfig);
const brandId = randomUUID();
const subjectId = randomUUID();
const fact = { brandId, subjectId, id: randomUUID(), key: 'motivation', value: 'I meditate to sleep better', source: 'order #10442' };

describe('fact sealing', () => {
  it('seals value and source so neither is in the stored bytes, and opens them again', () => {
    const dataKey = crypto.newDataKey();
    const sealed = sealFact(crypto, dataKey, fact);
    expect(sealed.valueCt.includes(Buffer.from('meditate'))).toBe(false);
    expect(sealed.sourceCt.includes(Buffer.from('10442'))).toBe(false);
    expect(sealed.valueHash).not.toContain('meditate');
    expect(openFact(crypto, dataKey, { ...fact, ...sealed })).toEqual({ value: fact.value, source: fact.source });
    expect(openFactField(crypto, dataKey, fact, 'source', sealed.sourceCt)).toBe(fact.source);
  });

  it('binds each ciphertext to its fact, field and key: moved or under another key it does not open', () => {
    const dataKey = crypto.newDataKey();
    const sealed = sealFact(crypto, dataKey, fact);
    expect(() => openFactField(crypto, dataKey, { ...fact, id: randomUUID() }, 'value', sealed.valueCt)).toThrow();
    expect(() => openFactField(crypto, dataKey, { ...fact, subjectId: randomUUID() }, 'value', sealed.valueCt)).toThrow();
    expect(() => openFactField(crypto, dataKey, fact, 'source', sealed.valueCt)).toThrow();
    expect(() => openFactField(crypto, crypto.newDataKey(), fact, 'value', sealed.valueCt)).toThrow();
  });

  it('hashes values for equality per brand and fact key, whoever the subject, and never the same across brands or keys', () => {
    const a = sealFact(crypto, crypto.newDataKey(), fact);
    const b = sealFact(crypto, crypto.newDataKey(), { ...fact, subjectId: randomUUID(), id: randomUUID() });
    expect(a.valueHash).toBe(b.valueHash);
    expect(a.valueCt.equals(b.valueCt)).toBe(false);
    expect(a.valueHash).toBe(factValueHash(crypto, brandId, 'motivation', fact.value));
    expect(factValueHash(crypto, randomUUID(), 'motivation', fact.value)).not.toBe(a.valueHash);
    expect(factValueHash(crypto, brandId, 'goal', fact.value)).not.toBe(a.valueHash);
    expect(factValueHash(crypto, brandId, 'motivation', `${fact.value} `)).not.toBe(a.valueHash);
    // The key and value are separated: ("a", "b\u0000c") and ("a\u0000b", "c") differ.
    expect(factValueHash(crypto, brandId, 'a', 'b\u0000c')).not.toBe(factValueHash(crypto, brandId, 'a\u0000b', 'c'));
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openUnsubscribeToken, sealUnsubscribeToken, UnsubscribeClaims, unsubscribeKeys } from './unsubscribe-token';

const keys = unsubscribeKeys(randomBytes(32));
const claims = (over: Partial<UnsubscribeClaims> = {}): UnsubscribeClaims => ({
  brandId: randomUUID(),
  subjectId: randomUUID(),
  purpose: 'email_marketing',
  generation: 0,
  ...over,
});

describe('unsubscribe tokens', () => {
  it('open to exactly the claims they were sealed with', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/), fc.nat({ max: 0xffffffff }), (brandId, subjectId, purpose, generation) => {
        const c = { brandId, subjectId, purpose, generation };
        expect(openUnsubscribeToken(keys, sealUnsubscribeToken(keys, c))).toEqual(c);
      }),
    );
  });

  it('are URL-safe, deterministic, and name neither the subject nor the purpose in the clear', () => {
    const c = claims();
    const token = sealUnsubscribeToken(keys, c);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealUnsubscribeToken(keys, c)).toBe(token);
    const raw = Buffer.from(token, 'base64url');
    expect(raw.includes(Buffer.from(c.subjectId.replace(/-/g, ''), 'hex'))).toBe(false);
    expect(raw.includes(Buffer.from(c.purpose))).toBe(false);
  });

  it('differ for another generation, subject or purpose', () => {
    const c = claims();
    const token = sealUnsubscribeToken(keys, c);
    expect(sealUnsubscribeToken(keys, { ...c, generation: 1 })).not.toBe(token);
    expect(sealUnsubscribeToken(keys, { ...c, subjectId: randomUUID() })).not.toBe(token);
    expect(sealUnsubscribeToken(keys, { ...c, purpose: 'analytics' })).not.toBe(token);
  });

  it('refuse every single-bit change, a shorter or longer token, and another installation\'s token', () => {
    const token = sealUnsubscribeToken(keys, claims());
    const raw = Buffer.from(token, 'base64url');
    for (let byte = 0; byte < raw.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = Buffer.from(raw);
        tampered[byte] ^= 1 << bit;
        expect(openUnsubscribeToken(keys, tampered.toString('base64url'))).toBeNull();
      }
    }
    expect(openUnsubscribeToken(keys, raw.subarray(0, raw.length - 1).toString('base64url'))).toBeNull();
    expect(openUnsubscribeToken(keys, Buffer.concat([raw, Buffer.from('x')]).toString('base64url'))).toBeNull();
    expect(openUnsubscribeToken(unsubscribeKeys(randomBytes(32)), token)).toBeNull();
  });

  it('refuse text that is not a token at all', () => {
    for (const text of ['', 'abc', 'x'.repeat(500), `${sealUnsubscribeToken(keys, claims())}=`, '../../etc/passwd', '%00'.repeat(30)]) {
      expect(openUnsubscribeToken(keys, text)).toBeNull();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { isConsentValid } from './consent-validity';

describe('isConsentValid', () => {
  const now = new Date('2026-03-02T09:00:00Z');
  it('is valid only when granted and not expired', () => {
    expect(isConsentValid({ granted: true, expiresAt: null }, now)).toBe(true);
    expect(isConsentValid({ granted: true, expiresAt: new Date('2026-03-02T09:00:01Z') }, now)).toBe(true);
    expect(isConsentValid({ granted: true, expiresAt: new Date('2026-03-02T09:00:00Z') }, now)).toBe(false);
    expect(isConsentValid({ granted: false, expiresAt: null }, now)).toBe(false);
    expect(isConsentValid(null, now)).toBe(false);
    expect(isConsentValid(undefined, now)).toBe(false);
  });
});

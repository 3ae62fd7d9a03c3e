import { describe, expect, it } from 'vitest';
import { hasStanding, isConsentValid } from './consent-validity';

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

describe('hasStanding', () => {
  const now = new Date('2026-03-02T09:00:00Z');
  it('needs a valid consent on the consent basis, and only no objection on any other', () => {
    const consent = { legalBasis: 'consent' };
    const contract = { legalBasis: 'contract' };
    expect(hasStanding(consent, { granted: true, expiresAt: null }, now)).toBe(true);
    expect(hasStanding(consent, { granted: false, expiresAt: null }, now)).toBe(false);
    expect(hasStanding(consent, { granted: true, expiresAt: new Date('2026-03-01T00:00:00Z') }, now)).toBe(false);
    expect(hasStanding(consent, null, now)).toBe(false);
    expect(hasStanding(contract, null, now)).toBe(true);
    expect(hasStanding(contract, { granted: true, expiresAt: null }, now)).toBe(true);
    expect(hasStanding(contract, { granted: false, expiresAt: null }, now)).toBe(false);
  });
});

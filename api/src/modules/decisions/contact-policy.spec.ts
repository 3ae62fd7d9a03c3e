import { describe, expect, it } from 'vitest';
import { ContactFacts, decideContact } from './contact-policy';

const now = new Date('2026-03-02T20:30:00Z');
const base: ContactFacts = {
  subjectExists: true,
  erased: false,
  timezone: 'Europe/Oslo',
  purposeExists: true,
  legalBasis: 'consent',
  purposeChannels: ['email'],
  consent: { granted: true, expiresAt: null },
  channels: null,
  quietHours: null,
  lastMarketingContactAt: null,
  suppression: null,
};

describe('decideContact', () => {
  it('allows marketing with standing consent and nothing in the way', () => {
    expect(decideContact(base, 'email', now)).toEqual({ allowed: true, reasons: ['consent-granted'] });
  });

  it('names every obstacle at once', () => {
    const decision = decideContact(
      {
        ...base,
        consent: { granted: false, expiresAt: null },
        channels: { email: { optedIn: false, frequency: 'daily' } },
        lastMarketingContactAt: new Date(now.getTime() - 3600_000),
        quietHours: { start: '21:00', end: '07:00' },
        suppression: { reason: 'support_case', until: new Date(now.getTime() + 1) },
      },
      'email',
      now,
    );
    // 20:30 UTC is 21:30 in Oslo: inside the quiet hours that wrap past midnight.
    expect(decision).toEqual({
      allowed: false,
      reasons: ['channel-opted-out', 'consent-withdrawn', 'frequency-cap:daily', 'quiet-hours', 'suppressed:support_case'],
    });
  });

  it('distinguishes no consent, withdrawn and expired', () => {
    expect(decideContact({ ...base, consent: null }, 'email', now).reasons).toEqual(['no-consent']);
    expect(decideContact({ ...base, consent: { granted: true, expiresAt: now } }, 'email', now).reasons).toEqual(['consent-expired']);
  });

  it('says a double opt-in grant waits for the person until they confirm, whatever came before', () => {
    expect(decideContact({ ...base, consent: null, pendingConfirmation: true }, 'email', now)).toEqual({ allowed: false, reasons: ['pending-confirmation'] });
    expect(decideContact({ ...base, consent: { granted: false, expiresAt: null }, pendingConfirmation: true }, 'email', now).reasons).toEqual(['pending-confirmation']);
    // A confirmed grant that still stands is in force, even while a repeated request waits.
    expect(decideContact({ ...base, pendingConfirmation: true }, 'email', now)).toEqual({ allowed: true, reasons: ['consent-granted'] });
  });

  it('lets the frequency cap lapse once its window has passed', () => {
    const weekly = { ...base, channels: { email: { optedIn: true, frequency: 'weekly' as const } } };
    expect(decideContact({ ...weekly, lastMarketingContactAt: new Date(now.getTime() - 6 * 86400_000) }, 'email', now).allowed).toBe(false);
    expect(decideContact({ ...weekly, lastMarketingContactAt: new Date(now.getTime() - 8 * 86400_000) }, 'email', now).allowed).toBe(true);
  });

  it('lets contract messages through without consent, suppression or quiet hours, but not to a closed channel', () => {
    const order = { ...base, legalBasis: 'contract' as const, consent: null, quietHours: { start: '00:00', end: '23:59' }, suppression: { reason: 'open_cart', until: new Date(now.getTime() + 1) } };
    expect(decideContact(order, 'email', now)).toEqual({ allowed: true, reasons: ['service-message:contract'] });
    expect(decideContact({ ...order, channels: { email: { optedIn: false, frequency: 'immediately' } } }, 'email', now).reasons).toEqual(['channel-opted-out']);
  });

  it('stops legitimate-interest contact after an objection', () => {
    const care = { ...base, legalBasis: 'legitimate_interest' as const, consent: null };
    expect(decideContact(care, 'email', now)).toEqual({ allowed: true, reasons: ['legitimate-interest'] });
    expect(decideContact({ ...care, consent: { granted: false, expiresAt: null } }, 'email', now).reasons).toEqual(['objected']);
  });

  it('says no for erased and unknown subjects before anything else', () => {
    expect(decideContact({ ...base, erased: true }, 'email', now)).toEqual({ allowed: false, reasons: ['subject-erased'] });
    expect(decideContact({ ...base, subjectExists: false }, 'email', now)).toEqual({ allowed: false, reasons: ['subject-unknown'] });
  });
});

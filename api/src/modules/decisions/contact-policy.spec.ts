import { describe, expect, it } from 'vitest';
import { ContactFacts, decideContact, decideMention, decisionUntil } from './contact-policy';

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

  it('keeps to the channels the person chose for a purpose, contract purposes included', () => {
    const order = { ...base, legalBasis: 'contract' as const, consent: null, purposeChannels: ['email', 'sms'], chosenChannels: ['sms'] };
    expect(decideContact(order, 'sms', now)).toEqual({ allowed: true, reasons: ['service-message:contract'] });
    expect(decideContact(order, 'email', now)).toEqual({ allowed: false, reasons: ['channel-not-chosen'] });
    expect(decideContact({ ...base, chosenChannels: [] }, 'email', now).reasons).toEqual(['channel-not-chosen']);
  });

  it('says no on a channel the purpose does not use, and on every channel of a purpose that uses none', () => {
    expect(decideContact(base, 'sms', now)).toEqual({ allowed: false, reasons: ['channel-not-in-purpose'] });
    const personalization = { ...base, purposeChannels: [] };
    for (const channel of ['email', 'sms', 'push', 'messenger', 'post'] as const) {
      expect(decideContact(personalization, channel, now)).toEqual({ allowed: false, reasons: ['channel-not-in-purpose'] });
      expect(decideMention({ allowed: true, reasons: ['service-message:contract'] }, personalization, channel, now)).toEqual({ allowed: false, reasons: ['channel-not-in-purpose'] });
    }
  });

  it('lets suppressions and caps bind marketing only: customer care goes on', () => {
    const busy = { suppression: { reason: 'open_cart', until: new Date(now.getTime() + 60_000) }, channels: { email: { optedIn: true, frequency: 'weekly' as const } }, lastMarketingContactAt: new Date(now.getTime() - 60_000) };
    const care = { ...base, ...busy, legalBasis: 'legitimate_interest' as const, consent: null, marketing: false };
    expect(decideContact(care, 'email', now)).toEqual({ allowed: true, reasons: ['legitimate-interest'] });
    expect(decideContact({ ...base, ...busy }, 'email', now).reasons).toEqual(['frequency-cap:weekly', 'suppressed:open_cart']);
  });

  it('answers a marketing mention beside the service message, without quiet hours, and no when the message may not go', () => {
    const service = { allowed: true, reasons: ['service-message:contract'] };
    const quiet = { ...base, quietHours: { start: '00:00', end: '23:59' } };
    expect(decideMention(service, quiet, 'email', now)).toEqual({ allowed: true, reasons: ['consent-granted'] });
    expect(decideMention(service, { ...quiet, suppression: { reason: 'open_cart', until: new Date(now.getTime() + 1) } }, 'email', now).reasons).toEqual(['suppressed:open_cart']);
    expect(decideMention(service, { ...base, legalBasis: 'legitimate_interest', marketing: false }, 'email', now).reasons).toEqual(['not-marketing']);
    expect(decideMention({ allowed: false, reasons: ['channel-not-chosen'] }, base, 'email', now)).toEqual({ allowed: false, reasons: ['message-not-allowed'] });
  });

  it('says when a passing no lifts: the latest end among quiet hours, cap and suppression; never for a lasting one', () => {
    // 20:30 UTC is 21:30 in Oslo; quiet hours end at 07:00 Oslo = 06:00 UTC the next day.
    const quiet = { ...base, quietHours: { start: '21:00', end: '07:00' } };
    const q = decideContact(quiet, 'email', now);
    expect(decisionUntil(q, quiet, 'email', now)?.toISOString()).toBe('2026-03-03T06:00:00.000Z');
    const later = { ...quiet, suppression: { reason: 'support_case', until: new Date('2026-03-04T12:00:00Z') } };
    expect(decisionUntil(decideContact(later, 'email', now), later, 'email', now)?.toISOString()).toBe('2026-03-04T12:00:00.000Z');
    const lasting = { ...quiet, consent: null };
    expect(decisionUntil(decideContact(lasting, 'email', now), lasting, 'email', now)).toBeNull();
    expect(decisionUntil(decideContact(base, 'email', now), base, 'email', now)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { addBusinessDays, addDays, deadlinesFor, extensionRefusal, isOverdue, MAX_RECEIVED_AGE_DAYS, receivedAtRefusal } from './deadlines';

describe('privacy request deadlines', () => {
  const received = new Date('2026-03-02T09:00:00Z'); // a Monday

  it('gives GDPR requests 30 days and CCPA requests 10 business days to acknowledge and 45 to answer', () => {
    expect(deadlinesFor('gdpr', received)).toEqual({ acknowledgeBy: null, dueAt: new Date('2026-04-01T09:00:00Z') });
    expect(deadlinesFor('ccpa', received)).toEqual({ acknowledgeBy: new Date('2026-03-16T09:00:00Z'), dueAt: new Date('2026-04-16T09:00:00Z') });
  });

  it('skips weekends when counting business days', () => {
    expect(addBusinessDays(new Date('2026-03-06T09:00:00Z'), 1)).toEqual(new Date('2026-03-09T09:00:00Z')); // Friday → Monday
  });

  it('allows one extension, with a reason, before the first deadline, within the legal maximum', () => {
    const req = { jurisdiction: 'gdpr' as const, dueAt: new Date('2026-04-01T09:00:00Z'), extendedAt: null, open: true };
    expect(extensionRefusal(req, new Date('2026-03-20T00:00:00Z'), 60, 'complex request across three systems')).toBeNull();
    expect(extensionRefusal(req, new Date('2026-04-02T00:00:00Z'), 60, 'late')).toBe('too-late');
    expect(extensionRefusal(req, new Date('2026-03-20T00:00:00Z'), 61, 'long')).toBe('too-long');
    expect(extensionRefusal(req, new Date('2026-03-20T00:00:00Z'), 30, ' ')).toBe('reason-required');
    expect(extensionRefusal({ ...req, extendedAt: new Date() }, new Date('2026-03-20T00:00:00Z'), 30, 'again')).toBe('already-extended');
    expect(extensionRefusal({ ...req, jurisdiction: 'ccpa' }, new Date('2026-03-20T00:00:00Z'), 46, 'x')).toBe('too-long');
  });

  it('counts a request overdue only while open and past a deadline', () => {
    const req = { dueAt: new Date('2026-04-01T09:00:00Z'), acknowledgeBy: null, acknowledgedAt: null, open: true };
    expect(isOverdue(req, new Date('2026-04-01T09:00:00Z'))).toBe(false);
    expect(isOverdue(req, new Date('2026-04-01T09:00:01Z'))).toBe(true);
    expect(isOverdue({ ...req, open: false }, new Date('2027-01-01T00:00:00Z'))).toBe(false);
    const ccpa = { dueAt: new Date('2026-04-16T09:00:00Z'), acknowledgeBy: new Date('2026-03-16T09:00:00Z'), acknowledgedAt: null, open: true };
    expect(isOverdue(ccpa, new Date('2026-03-17T00:00:00Z'))).toBe(true);
    expect(isOverdue({ ...ccpa, acknowledgedAt: new Date('2026-03-03T00:00:00Z') }, new Date('2026-03-17T00:00:00Z'))).toBe(false);
  });

  it('accepts a receipt time from a year ago up to the clock skew ahead, and nothing outside', () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const skew = 5 * 60_000;
    expect(receivedAtRefusal(now, now, skew)).toBeNull();
    expect(receivedAtRefusal(new Date(now.getTime() + skew), now, skew)).toBeNull();
    expect(receivedAtRefusal(new Date(now.getTime() + skew + 1), now, skew)).toBe('must not be in the future');
    expect(receivedAtRefusal(addDays(now, -MAX_RECEIVED_AGE_DAYS), now, skew)).toBeNull();
    expect(receivedAtRefusal(new Date(addDays(now, -MAX_RECEIVED_AGE_DAYS).getTime() - 1), now, skew)).toMatch(/within the last 366 days/);
  });

  it('runs the deadlines of a request received earlier from its receipt, not its filing', () => {
    const received = new Date('2026-11-20T00:00:00Z');
    expect(deadlinesFor('gdpr', received).dueAt.toISOString()).toBe('2026-12-20T00:00:00.000Z');
    expect(deadlinesFor('ccpa', received).dueAt.toISOString()).toBe('2027-01-04T00:00:00.000Z');
  });
});

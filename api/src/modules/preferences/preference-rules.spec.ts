import { describe, expect, it } from 'vitest';
import { effectiveChannels, inQuietHours, localMinutes } from './preference-rules';

describe('quiet hours', () => {
  const at = (iso: string) => new Date(iso);
  it('reads the time in the subject\'s time zone', () => {
    expect(localMinutes(at('2026-03-02T20:30:00Z'), 'Europe/Oslo')).toBe(21 * 60 + 30);
    expect(localMinutes(at('2026-07-02T20:30:00Z'), 'Europe/Oslo')).toBe(22 * 60 + 30);
  });

  it('handles windows that wrap past midnight, start inclusive and end exclusive', () => {
    const night = { start: '21:00', end: '07:00' };
    expect(inQuietHours(night, at('2026-03-02T20:00:00Z'), 'Europe/Oslo')).toBe(true); // 21:00
    expect(inQuietHours(night, at('2026-03-02T19:59:00Z'), 'Europe/Oslo')).toBe(false); // 20:59
    expect(inQuietHours(night, at('2026-03-03T05:59:00Z'), 'Europe/Oslo')).toBe(true); // 06:59
    expect(inQuietHours(night, at('2026-03-03T06:00:00Z'), 'Europe/Oslo')).toBe(false); // 07:00
    expect(inQuietHours({ start: '12:00', end: '13:00' }, at('2026-03-02T12:30:00Z'), 'UTC')).toBe(true);
    expect(inQuietHours(null, at('2026-03-02T12:30:00Z'), 'UTC')).toBe(false);
  });

  it('fills channels the customer never set with the default', () => {
    expect(effectiveChannels({ sms: { optedIn: false, frequency: 'monthly' } })).toEqual({
      email: { optedIn: true, frequency: 'immediately' },
      sms: { optedIn: false, frequency: 'monthly' },
      push: { optedIn: true, frequency: 'immediately' },
      messenger: { optedIn: true, frequency: 'immediately' },
      post: { optedIn: true, frequency: 'immediately' },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { identifierErrors, identifierHashKind, normaliseIdentifier } from './identifiers';
import { collapseFacts, mergePreferences, quietMinutes } from './merge-rules';

describe('mergePreferences: the stricter setting per channel', () => {
  it('keeps a channel open only if both records left it open, at the less frequent frequency', () => {
    const { preferences, disagreed } = mergePreferences(
      { channels: { email: { optedIn: true, frequency: 'daily' }, push: { optedIn: true, frequency: 'monthly' } }, quietHours: null, topics: ['trails'] },
      { channels: { email: { optedIn: true, frequency: 'weekly' }, sms: { optedIn: false, frequency: 'immediately' } }, quietHours: null, topics: ['coffee', 'trails'] },
    );
    expect(preferences!.channels).toEqual({
      email: { optedIn: true, frequency: 'weekly' },
      // Unset on one side counts as that side's default: open, no cap.
      sms: { optedIn: false, frequency: 'immediately' },
      push: { optedIn: true, frequency: 'monthly' },
    });
    expect(preferences!.topics).toEqual(['coffee', 'trails']);
    expect(disagreed).toEqual(['email', 'sms', 'push']);
  });

  it('keeps the longer quiet hours, and one record\'s preferences when the other has none', () => {
    const night = { start: '22:00', end: '07:00' };
    const evening = { start: '20:00', end: '22:00' };
    expect(quietMinutes(night)).toBe(540);
    expect(quietMinutes(evening)).toBe(120);
    expect(quietMinutes({ start: '08:00', end: '08:00' })).toBe(0);
    expect(mergePreferences({ channels: {}, quietHours: evening, topics: [] }, { channels: {}, quietHours: night, topics: [] }).preferences!.quietHours).toEqual(night);
    expect(mergePreferences({ channels: {}, quietHours: night, topics: [] }, { channels: {}, quietHours: null, topics: [] }).preferences!.quietHours).toEqual(night);
    const only = { channels: { email: { optedIn: false, frequency: 'daily' as const } }, quietHours: null, topics: ['x'] };
    expect(mergePreferences(null, only)).toEqual({ preferences: only, disagreed: [] });
    expect(mergePreferences(only, null)).toEqual({ preferences: only, disagreed: [] });
  });
});

describe('collapseFacts: the same key and value is one fact, the earliest', () => {
  const at = (iso: string) => new Date(iso);
  it('keeps the earliest collected copy (the survivor\'s on a tie) and carries a dispute over', () => {
    const { dropped, disputed } = collapseFacts(
      [
        { id: 'shop-hobby', subjectId: 'shop', key: 'hobby', valueHash: 'h1', collectedAt: at('2025-03-01'), disputedAt: null },
        { id: 'loyal-hobby', subjectId: 'loyal', key: 'hobby', valueHash: 'h1', collectedAt: at('2024-06-01'), disputedAt: null },
        { id: 'shop-size', subjectId: 'shop', key: 'size', valueHash: 's', collectedAt: at('2025-01-01'), disputedAt: at('2025-02-01') },
        { id: 'loyal-size', subjectId: 'loyal', key: 'size', valueHash: 's', collectedAt: at('2025-01-01'), disputedAt: null },
        { id: 'loyal-drink', subjectId: 'loyal', key: 'drink', valueHash: 't', collectedAt: at('2025-01-01'), disputedAt: null },
        { id: 'loyal-other-hobby', subjectId: 'loyal', key: 'hobby', valueHash: 'h2', collectedAt: at('2020-01-01'), disputedAt: null },
      ],
      'shop',
    );
    expect(Object.fromEntries(dropped)).toEqual({ 'shop-hobby': 'loyal-hobby', 'loyal-size': 'shop-size' });
    expect(disputed.size).toBe(0);
    const carried = collapseFacts(
      [
        { id: 'a', subjectId: 'shop', key: 'k', valueHash: 'v', collectedAt: at('2025-01-01'), disputedAt: null },
        { id: 'b', subjectId: 'loyal', key: 'k', valueHash: 'v', collectedAt: at('2025-02-01'), disputedAt: at('2025-03-01') },
      ],
      'shop',
    );
    expect(Object.fromEntries(carried.dropped)).toEqual({ b: 'a' });
    expect(Object.fromEntries(carried.disputed)).toEqual({ a: at('2025-03-01') });
  });
});

describe('identifiers', () => {
  it('checks each type\'s value and allows a system only for external ids', () => {
    expect(identifierErrors({ type: 'email', value: 'ingrid@example.com' })).toEqual([]);
    expect(identifierErrors({ type: 'phone', value: '+47 912 34 567' })).toEqual([]);
    expect(identifierErrors({ type: 'external', system: 'loyalty', value: 'L-1' })).toEqual([]);
    expect(identifierErrors({ type: 'email', value: 'nope' })).toEqual([{ path: 'value', message: 'must be an email address' }]);
    expect(identifierErrors({ type: 'phone', value: '5551234' })[0].path).toBe('value');
    expect(identifierErrors({ type: 'external', value: 'x'.repeat(201) })[0].path).toBe('value');
    expect(identifierErrors({ type: 'phone', system: 'crm', value: '+4791234567' })).toEqual([{ path: 'system', message: 'only an external id names a system' }]);
    expect(identifierErrors({ type: 'external', system: 'Has Spaces', value: 'x' })[0].path).toBe('system');
    expect(identifierErrors({ type: 'fax', value: '1' })[0].path).toBe('type');
  });

  it('normalises emails and phones as subjects\' own, and hashes each system as a kind of its own', () => {
    expect(normaliseIdentifier('email', ' Ingrid@Example.COM ')).toBe('ingrid@example.com');
    expect(normaliseIdentifier('phone', '+47 912-34 567')).toBe('+4791234567');
    expect(normaliseIdentifier('external', ' L-1')).toBe(' L-1');
    expect(identifierHashKind('email', null)).toBe('email');
    expect(identifierHashKind('phone', undefined)).toBe('phone');
    // The brand's own namespace shares the kind of `externalId` (and of its tombstones).
    expect(identifierHashKind('external', null)).toBe('external_id');
    expect(identifierHashKind('external', 'loyalty')).toBe('external:loyalty');
  });
});

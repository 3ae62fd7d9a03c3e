import { describe, expect, it } from 'vitest';
import { identifierErrors, identifierHashKind, normaliseIdentifier } from './identifiers';
import { collapseFacts, consentDisagreements, defaultFactUseOf, mergedFactUse, mergePreferences, narrowerChoice, quietMinutes } from './merge-rules';

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
    const only = { channels: { email: { optedIn: false, frequency: 'daily' as const } }, purposes: {}, quietHours: null, topics: ['x'] };
    // A record without preferences is every default: what the other set is kept, and was a disagreement.
    expect(mergePreferences(null, only)).toEqual({ preferences: only, disagreed: ['email'], disagreedPurposes: [], disagreedQuietHours: false });
    expect(mergePreferences(only, null)).toEqual({ preferences: only, disagreed: ['email'], disagreedPurposes: [], disagreedQuietHours: false });
    expect(mergePreferences(null, null).preferences).toBeNull();
  });

  it('reports different quiet hours, SMS opt-out and frequency as disagreements when the survivor has no preferences', () => {
    const merged = {
      channels: { sms: { optedIn: false, frequency: 'immediately' as const }, email: { optedIn: true, frequency: 'weekly' as const } },
      purposes: { order_updates: { channels: ['sms' as const] } },
      quietHours: { start: '21:00', end: '08:00' },
      topics: [],
    };
    const result = mergePreferences(null, merged);
    expect(result.preferences).toEqual(merged);
    expect(result).toMatchObject({ disagreed: ['email', 'sms'], disagreedPurposes: ['order_updates'], disagreedQuietHours: true });
    expect(mergePreferences(merged, merged)).toMatchObject({ disagreed: [], disagreedPurposes: [], disagreedQuietHours: false });
  });
});

describe('mergePreferences: the channels chosen per purpose', () => {
  const prefs = (purposes: Record<string, { channels: Array<'email' | 'sms' | 'push'> }>) => ({ channels: {}, purposes, quietHours: null, topics: [] });
  const contract = (p: string) => p === 'order_updates';

  it('keeps the one choice when only one record chose, and the channels both chose when both did', () => {
    const { preferences, disagreedPurposes } = mergePreferences(
      prefs({ order_updates: { channels: ['email', 'sms'] }, restock_alerts: { channels: ['push', 'email'] } }),
      prefs({ order_updates: { channels: ['sms', 'push'] }, newsletter: { channels: ['email'] } }),
      contract,
    );
    expect(preferences!.purposes).toEqual({
      newsletter: { channels: ['email'] },
      order_updates: { channels: ['sms'] },
      restock_alerts: { channels: ['email', 'push'] },
    });
    expect(disagreedPurposes).toEqual(['newsletter', 'order_updates', 'restock_alerts']);
  });

  it('keeps SMS only for order updates when the merged record chose it and the survivor chose nothing', () => {
    const { preferences } = mergePreferences(prefs({}), prefs({ order_updates: { channels: ['sms'] } }), contract);
    expect(preferences!.purposes).toEqual({ order_updates: { channels: ['sms'] } });
  });

  it('with no channel in common: a purpose the person may refuse keeps none, one they cannot keeps the narrower choice (the survivor\'s on a tie)', () => {
    expect(narrowerChoice(['email'], ['sms'], false)).toEqual([]);
    expect(narrowerChoice(['email'], ['sms'], true)).toEqual(['email']);
    expect(narrowerChoice(['email', 'push'], ['sms'], true)).toEqual(['sms']);
    expect(narrowerChoice(['sms'], ['email', 'push'], true)).toEqual(['sms']);
    expect(narrowerChoice(null, null, true)).toBeNull();
    expect(narrowerChoice(['push', 'email'], ['email', 'push'], true)).toEqual(['email', 'push']);
    const { preferences, disagreedPurposes } = mergePreferences(prefs({ order_updates: { channels: ['email'] } }), prefs({ order_updates: { channels: ['sms'] } }), contract);
    expect(preferences!.purposes).toEqual({ order_updates: { channels: ['email'] } });
    expect(disagreedPurposes).toEqual(['order_updates']);
  });
});

describe('mergedFactUse: "use only what I told you" wins', () => {
  it('is declared-only if either record\'s use in force is', () => {
    // A contract purpose (default all): one record chose declared-only.
    expect(mergedFactUse('all', null, 'declared-only')).toEqual({ use: 'declared-only', record: 'declared-only', disagreed: true });
    expect(mergedFactUse('all', 'declared-only', null)).toEqual({ use: 'declared-only', record: 'declared-only', disagreed: true });
    expect(mergedFactUse('all', 'all', 'declared-only')).toEqual({ use: 'declared-only', record: 'declared-only', disagreed: true });
    // A consent purpose (default declared-only): a chosen "all" against the other's default stays declared-only.
    expect(mergedFactUse('declared-only', 'all', null)).toEqual({ use: 'declared-only', record: null, disagreed: true });
    expect(mergedFactUse('declared-only', null, 'declared-only')).toEqual({ use: 'declared-only', record: 'declared-only', disagreed: false });
  });

  it('keeps "all" only when both records allowed it', () => {
    expect(mergedFactUse('declared-only', 'all', 'all')).toEqual({ use: 'all', record: 'all', disagreed: false });
    expect(mergedFactUse('all', null, 'all')).toEqual({ use: 'all', record: 'all', disagreed: false });
    expect(mergedFactUse('all', null, null)).toEqual({ use: 'all', record: null, disagreed: false });
    expect(defaultFactUseOf('contract')).toBe('all');
    expect(defaultFactUseOf(null)).toBe('declared-only');
  });
});

describe('consentDisagreements: where a withdrawal or objection was kept over an agreement', () => {
  const entry = (legalBasis: string | null, survivor: { granted: boolean } | null, merged: { granted: boolean } | null) => ({ legalBasis, survivor, merged });
  it('names a withdrawal against a grant, and an objection against no decision on another basis', () => {
    const purposes = new Map([
      ['email_marketing', entry('consent', { granted: true }, { granted: false })],
      ['profiling', entry('legitimate_interest', null, { granted: false })],
      ['analytics', entry('legitimate_interest', { granted: false }, null)],
      // Agreements, or a grant only one holds on consent: no disagreement settled the private way.
      ['newsletter', entry('consent', null, { granted: false })],
      ['sms_marketing', entry('consent', null, { granted: true })],
      ['personalization', entry('consent', { granted: true }, { granted: true })],
      ['customer_care', entry('legitimate_interest', { granted: false }, { granted: false })],
    ]);
    expect(consentDisagreements(purposes)).toEqual(['analytics', 'email_marketing', 'profiling']);
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

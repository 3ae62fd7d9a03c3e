import { describe, expect, it } from 'vitest';
import { purposesUsing, PurposeUse } from './fact-usage';

describe('which purposes may use a fact', () => {
  const purposes: PurposeUse[] = [
    { key: 'personalization', legalBasis: 'consent', dataCategories: ['motivations', 'interests'] },
    { key: 'email_marketing', legalBasis: 'consent', dataCategories: ['contact', 'interests'] },
    { key: 'order_updates', legalBasis: 'contract', dataCategories: ['contact'] },
    { key: 'customer_care', legalBasis: 'legitimate_interest', dataCategories: ['contact', 'behavior'] },
  ];
  const now = new Date('2026-03-02T09:00:00Z');
  const declared = (category: string, key = 'k') => ({ category, key, provenance: 'declared' as const });

  it('lists purposes that cover the category and stand for this customer', () => {
    const consents = new Map([
      ['personalization', { granted: true, expiresAt: null }],
      ['email_marketing', { granted: false, expiresAt: null }],
    ]);
    expect(purposesUsing(declared('interests'), purposes, consents, now)).toEqual(['personalization']);
    expect(purposesUsing(declared('contact'), purposes, consents, now)).toEqual(['customer_care', 'order_updates']);
    expect(purposesUsing(declared('health'), purposes, consents, now)).toEqual([]);
  });

  it('drops a purpose whose consent expired', () => {
    const consents = new Map([['personalization', { granted: true, expiresAt: new Date('2026-03-01T00:00:00Z') }]]);
    expect(purposesUsing(declared('motivations'), purposes, consents, now)).toEqual([]);
  });

  it('lists an observation or a guess only for purposes the customer lets use them', () => {
    const consents = new Map([
      ['personalization', { granted: true, expiresAt: null }],
      ['email_marketing', { granted: true, expiresAt: null }],
    ]);
    const guess = { category: 'interests', key: 'lifestyle', provenance: 'inferred' as const };
    const seen = { category: 'behavior', key: 'owns', provenance: 'observed' as const };
    // No choice: a consent purpose uses only what the customer told; customer care (a legitimate interest) uses what it observed.
    expect(purposesUsing(guess, purposes, consents, now)).toEqual([]);
    expect(purposesUsing(seen, purposes, consents, now)).toEqual(['customer_care']);
    // "Also what you observed or inferred" for personalization only; "only what I told you" for customer care.
    const factUse = { chosen: new Map([['personalization', 'all' as const], ['customer_care', 'declared-only' as const]]), askBeforeUse: new Set<string>() };
    expect(purposesUsing(guess, purposes, consents, now, factUse)).toEqual(['personalization']);
    expect(purposesUsing(seen, purposes, consents, now, factUse)).toEqual([]);
    // A question asks about the key before a guess is used: only the answer would count.
    expect(purposesUsing(guess, purposes, consents, now, { ...factUse, askBeforeUse: new Set(['lifestyle']) })).toEqual([]);
    expect(purposesUsing({ ...guess, provenance: 'declared' }, purposes, consents, now, { ...factUse, askBeforeUse: new Set(['lifestyle']) })).toEqual([
      'email_marketing',
      'personalization',
    ]);
  });
});

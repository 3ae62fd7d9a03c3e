import { describe, expect, it } from 'vitest';
import { purposesUsing, PurposeUse } from './fact-usage';

describe('which purposes may use a fact', () => {
  const purposes: PurposeUse[] = [
    { key: 'personalization', legalBasis: 'consent', dataCategories: ['motivations', 'interests'] },
    { key: 'email_marketing', legalBasis: 'consent', dataCategories: ['contact', 'interests'] },
    { key: 'order_updates', legalBasis: 'contract', dataCategories: ['contact'] },
  ];
  const now = new Date('2026-03-02T09:00:00Z');

  it('lists purposes that cover the category and stand for this customer', () => {
    const consents = new Map([
      ['personalization', { granted: true, expiresAt: null }],
      ['email_marketing', { granted: false, expiresAt: null }],
    ]);
    expect(purposesUsing('interests', purposes, consents, now)).toEqual(['personalization']);
    expect(purposesUsing('contact', purposes, consents, now)).toEqual(['order_updates']);
    expect(purposesUsing('health', purposes, consents, now)).toEqual([]);
  });

  it('drops a purpose whose consent expired', () => {
    const consents = new Map([['personalization', { granted: true, expiresAt: new Date('2026-03-01T00:00:00Z') }]]);
    expect(purposesUsing('motivations', purposes, consents, now)).toEqual([]);
  });
});

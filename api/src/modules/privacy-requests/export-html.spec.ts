import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../common/i18n/locale';
import { renderExportHtml } from './export-html';
import type { SubjectExport } from './export.service';

/** A small export as the API builds it, for a customer who reads `locale`. */
function exportFor(locale: string | null): SubjectExport {
  return {
    generatedAt: '2026-12-03T15:04:00.000Z',
    brand: { slug: 'calm-harbor', name: 'Calm Harbor' },
    subject: { id: 's', externalId: 'ch-1', email: 'marek@example.com', phone: null, locale, timezone: 'Europe/Warsaw', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' },
    facts: [{ key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome question', collectedAt: '2026-03-08T09:00:00Z' }],
    preferences: { channels: { email: { optedIn: true, frequency: 'monthly' } }, quietHours: null, topics: [] },
    consents: { current: [], history: [{ purpose: 'email_marketing', granted: true, noticeVersion: 1, source: 'signup-form', capturedAt: '2026-03-08T09:00:00Z', hash: 'ab'.repeat(32) }] },
    accessLog: [],
    privacyRequests: [{ type: 'access', status: 'completed', receivedAt: '2026-03-09T09:00:00Z', dueAt: '2026-04-08T09:00:00Z' }],
    context: {
      purposes: [
        { key: 'email_marketing', name: { en: 'Email marketing', pl: 'Newslettery e-mailem' }, legalBasis: 'consent', dataCategories: ['contact'], retentionDays: null },
        { key: 'analytics', name: { en: 'Analytics' }, legalBasis: 'legitimate_interest', dataCategories: ['behavior'], retentionDays: 22 },
      ],
      recipients: [],
      sources: ['signup-form', 'welcome question'],
    },
  } as unknown as SubjectExport;
}

describe('the export as a page', () => {
  it('is written in the customer\'s language, dates in their time zone, periods counted in words', () => {
    const pl = renderExportHtml(exportFor('pl'));
    expect(pl).toContain('<html lang="pl">');
    expect(pl).toContain('Wszystko, co marka Calm Harbor o Tobie przechowuje');
    expect(pl).toContain('8 mar 2026, 10:00');
    expect(pl).toContain('22 dni od zebrania');
    expect(pl).toContain('do wycofania zgody lub prośby o usunięcie danych');
    expect(pl).toContain('Newslettery e-mailem');
    expect(pl).toContain('przy rejestracji');
    expect(pl).not.toMatch(/\b(you|your|the|until|days|None|agreed|Prepared)\b/);
    const hu = renderExportHtml(exportFor('hu-HU'));
    expect(hu).toContain('Minden, amit a Calm Harbor tárol rólad');
    expect(hu).not.toContain('a(z)');
  });

  it('falls back to English for a customer without a language Candor writes', () => {
    const en = renderExportHtml(exportFor('de'));
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('22 days after it was collected');
    expect(en).toContain('until you withdraw your consent or ask us to erase it');
  });

  it('differs in every language', () => {
    const pages = LOCALES.map((locale) => renderExportHtml(exportFor(locale)));
    expect(new Set(pages).size).toBe(LOCALES.length);
  });
});

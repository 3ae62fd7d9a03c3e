import { isConsentValid } from '../consents/consent-validity';
import type { LegalBasis } from '../purposes/purpose.entity';

export interface PurposeUse {
  key: string;
  legalBasis: LegalBasis;
  dataCategories: string[];
}

/**
 * The purposes that may use a fact of `category` now: those covering the category whose legal
 * basis is not consent, and consent-based ones only while the subject's consent stands.
 */
export function purposesUsing(
  category: string,
  purposes: readonly PurposeUse[],
  consents: ReadonlyMap<string, { granted: boolean; expiresAt: Date | null }>,
  now: Date,
): string[] {
  return purposes
    .filter((p) => p.dataCategories.includes(category))
    .filter((p) => p.legalBasis !== 'consent' || isConsentValid(consents.get(p.key), now))
    .map((p) => p.key)
    .sort();
}

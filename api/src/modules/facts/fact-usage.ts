import { isConsentValid } from '../consents/consent-validity';
import { factUseOf, mayUseFact, type FactUse } from '../fact-use/fact-use';
import type { LegalBasis } from '../purposes/purpose.entity';
import type { Provenance } from './fact.entity';

export interface PurposeUse {
  key: string;
  legalBasis: LegalBasis;
  dataCategories: string[];
}

/** What the customer lets purposes use (fact-use.ts): their choices by purpose, and the `askBeforeUse` keys. */
export interface CustomerFactUse {
  chosen: ReadonlyMap<string, FactUse>;
  askBeforeUse: ReadonlySet<string>;
}

const NO_CHOICES: CustomerFactUse = { chosen: new Map(), askBeforeUse: new Set() };

/**
 * The purposes that may use a fact now: those covering its category whose legal basis is not
 * consent, and consent-based ones only while the subject's consent stands — and of those, only the
 * ones the customer lets use it (an observed or inferred fact needs "also what you observed or
 * inferred" for that purpose, and no `askBeforeUse` question about its key).
 */
export function purposesUsing(
  fact: { category: string; key: string; provenance: Provenance },
  purposes: readonly PurposeUse[],
  consents: ReadonlyMap<string, { granted: boolean; expiresAt: Date | null }>,
  now: Date,
  factUse: CustomerFactUse = NO_CHOICES,
): string[] {
  return purposes
    .filter((p) => p.dataCategories.includes(fact.category))
    .filter((p) => p.legalBasis !== 'consent' || isConsentValid(consents.get(p.key), now))
    .filter((p) => mayUseFact(fact, { use: factUseOf(p, factUse.chosen.get(p.key)), askBeforeUse: factUse.askBeforeUse }))
    .map((p) => p.key)
    .sort();
}

import type { Provenance } from '../facts/fact.entity';
import type { LegalBasis } from '../purposes/purpose.entity';

/**
 * What a purpose may use of what a brand knows about a customer, as the customer decides:
 * - `declared-only`: "use only what I told you" — only facts the customer declared;
 * - `all`: "also what you observed or inferred" — observed and inferred facts count too, always
 *   labelled as such where the customer sees them, and correctable there.
 */
export const FACT_USES = ['declared-only', 'all'] as const;
export type FactUse = (typeof FACT_USES)[number];

/**
 * The use a purpose gets while the customer has not chosen. A purpose that rests on consent gets
 * only what the customer told the brand: consent covers what the person chose to share (the
 * catalogue's notices say so: "We use what you choose to tell us"), and observing or guessing more
 * needs the person's own "also what you observed or inferred". A purpose on another legal basis
 * (a contract, a legitimate interest, a legal obligation) does not rest on the person's choice to
 * share: it uses observed and inferred facts too (an order's history for customer care), until
 * the customer says "use only what I told you".
 */
export function defaultFactUse(purpose: { legalBasis: LegalBasis | string }): FactUse {
  return purpose.legalBasis === 'consent' ? 'declared-only' : 'all';
}

/** The use in force for a purpose: the customer's choice, else the purpose's default. */
export function factUseOf(purpose: { legalBasis: LegalBasis | string }, chosen: FactUse | null | undefined): FactUse {
  return chosen ?? defaultFactUse(purpose);
}

/** What decides whether a fact may count for one purpose and one customer. */
export interface FactUseRules {
  /** The use in force for the purpose (see `factUseOf`). */
  use: FactUse;
  /**
   * Fact keys a question of the brand marked `askBeforeUse` asks about: under these keys only the
   * customer's declared answer counts — an observation or a guess is never used, before the
   * question is answered (so nothing is assumed before the customer was asked) or after (then the
   * answer is what counts).
   */
  askBeforeUse: ReadonlySet<string>;
}

/**
 * Whether a purpose may use a fact (its category, consent, dispute and expiry are checked
 * elsewhere): a declared fact always; an observed or inferred one only when the customer lets the
 * purpose use them (`all`) and no `askBeforeUse` question asks about its key.
 */
export function mayUseFact(fact: { key: string; provenance: Provenance }, rules: FactUseRules): boolean {
  if (fact.provenance === 'declared') return true;
  return rules.use === 'all' && !rules.askBeforeUse.has(fact.key);
}

/** The facts a purpose may use, in their order (see `mayUseFact`). */
export function usableFor<F extends { key: string; provenance: Provenance }>(facts: readonly F[], rules: FactUseRules): F[] {
  return facts.filter((f) => mayUseFact(f, rules));
}

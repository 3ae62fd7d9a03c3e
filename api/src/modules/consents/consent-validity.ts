/** The part of a consent state that decides whether it may be relied on. */
export interface ConsentStanding {
  granted: boolean;
  expiresAt: Date | null;
}

/**
 * A consent is valid for processing only while it is granted and not expired. A withdrawal is
 * recorded as `granted: false`, so it is never valid.
 */
export function isConsentValid(state: ConsentStanding | null | undefined, now: Date = new Date()): boolean {
  if (!state || !state.granted) return false;
  return state.expiresAt === null || state.expiresAt.getTime() > now.getTime();
}

/**
 * Whether a brand may rely on a subject for a purpose: with consent as the legal basis, a valid
 * consent; on any other basis, unless the subject objected (`granted: false`). The one check behind
 * purpose-scoped profile reads, recommendations and contact-data disclosure.
 */
export function hasStanding(purpose: { legalBasis: string }, state: ConsentStanding | null | undefined, now: Date = new Date()): boolean {
  return purpose.legalBasis === 'consent' ? isConsentValid(state, now) : state?.granted !== false;
}

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

export type Jurisdiction = 'gdpr' | 'ccpa';

const DAY_MS = 86_400_000;

export interface Deadlines {
  /** When the request must be acknowledged (CCPA: 10 business days); null where the law sets none. */
  acknowledgeBy: Date | null;
  /** When the answer is due. */
  dueAt: Date;
}

/**
 * Legal deadlines for a request received at `receivedAt`:
 * - GDPR Art. 12(3): answer within one month (Candor counts 30 days, the contract's figure).
 * - CCPA (Cal. Code Regs. tit. 11 §7021): acknowledge within 10 business days, answer within 45 days.
 */
export function deadlinesFor(jurisdiction: Jurisdiction, receivedAt: Date): Deadlines {
  if (jurisdiction === 'gdpr') return { acknowledgeBy: null, dueAt: addDays(receivedAt, 30) };
  return { acknowledgeBy: addBusinessDays(receivedAt, 10), dueAt: addDays(receivedAt, 45) };
}

/** The most a deadline may be extended: GDPR two further months (60 days), CCPA another 45 days. */
export const MAX_EXTENSION_DAYS: Record<Jurisdiction, number> = { gdpr: 60, ccpa: 45 };

export type ExtensionRefusal = 'already-extended' | 'too-late' | 'too-long' | 'reason-required' | 'closed';

/**
 * Whether a request may be extended now: only once, only with a reason, only before the original
 * deadline passes, and by no more than the law allows.
 */
export function extensionRefusal(
  req: { jurisdiction: Jurisdiction; dueAt: Date; extendedAt: Date | null; open: boolean },
  now: Date,
  days: number,
  reason: string | undefined,
): ExtensionRefusal | null {
  if (!req.open) return 'closed';
  if (req.extendedAt) return 'already-extended';
  if (!reason?.trim()) return 'reason-required';
  if (now.getTime() >= req.dueAt.getTime()) return 'too-late';
  if (days < 1 || days > MAX_EXTENSION_DAYS[req.jurisdiction]) return 'too-long';
  return null;
}

/** Open and past its deadline (or, under CCPA, not acknowledged in time). */
export function isOverdue(
  req: { dueAt: Date; acknowledgeBy: Date | null; acknowledgedAt: Date | null; open: boolean },
  now: Date,
): boolean {
  if (!req.open) return false;
  if (now.getTime() > req.dueAt.getTime()) return true;
  return req.acknowledgeBy !== null && req.acknowledgedAt === null && now.getTime() > req.acknowledgeBy.getTime();
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Adds business days (Monday–Friday, in UTC). */
export function addBusinessDays(date: Date, days: number): Date {
  let result = new Date(date.getTime());
  let left = days;
  while (left > 0) {
    result = addDays(result, 1);
    const weekday = result.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left--;
  }
  return result;
}

/** How far back a request's `receivedAt` may lie when it is filed late (a letter found in a drawer): one year. */
export const MAX_RECEIVED_AGE_DAYS = 366;

/**
 * Why a client-given receipt time is refused, or null: not in the future beyond the clock skew
 * allowed, and not older than MAX_RECEIVED_AGE_DAYS (a date that old is a typo, not a letter).
 */
export function receivedAtRefusal(receivedAt: Date, now: Date, skewMs: number): string | null {
  if (receivedAt.getTime() > now.getTime() + skewMs) return 'must not be in the future';
  if (receivedAt.getTime() < addDays(now, -MAX_RECEIVED_AGE_DAYS).getTime()) return `must be within the last ${MAX_RECEIVED_AGE_DAYS} days`;
  return null;
}

import type { Provenance } from '../facts/fact.entity';

/**
 * Timed follow-ups: a question that waits until a fact has been known for a while ("7 days after
 * `owns = espresso_machine` was recorded, ask how the machine is doing"). Pure rules, no I/O: the
 * service hands in the subject's current facts and the time.
 */

export const MAX_FOLLOW_UP_DAYS = 3650;
const DAY_MS = 86_400_000;

/** When a follow-up becomes due: `days` whole days after a fact `factKey` (= `value`, when given) was collected. */
export interface FollowUpTrigger {
  factKey: string;
  value: string | null;
  days: number;
}

/** What the rule reads of a fact: the service passes the subject's current (unexpired), opened facts. */
export interface TriggerFact {
  key: string;
  /** The stored text of the value (a number, true/false or a list as its JSON). */
  value: string;
  valueKind: 'number' | 'boolean' | 'list' | null;
  category: string;
  provenance: Provenance;
  collectedAt: Date;
  disputedAt: Date | null;
}

export interface DueContext {
  now: Date;
  /** Fact keys an `askBeforeUse` question asks about: only a declared fact under them counts. */
  askBeforeUse: ReadonlySet<string>;
  /**
   * Whether the caller may see a fact (a key limited to purposes: its category is one of a purpose
   * it has standing for, and the customer lets that purpose use it); null for every fact.
   */
  readable: ((fact: TriggerFact) => boolean) | null;
}

export interface Due<F extends TriggerFact> {
  /** The moment the follow-up became due: the fact's `collectedAt` plus `days`. */
  dueSince: Date;
  /** The fact that made it due. */
  because: F;
}

/**
 * Whether a fact has the trigger's value: the same stored text (the number 5 matches "5", as
 * audience filters compare), or a list holding it (`owns: ["espresso_machine", "grinder"]`).
 */
export function hasTriggerValue(fact: Pick<TriggerFact, 'value' | 'valueKind'>, value: string | null): boolean {
  if (value === null || fact.value === value) return true;
  if (fact.valueKind !== 'list') return false;
  try {
    const list: unknown = JSON.parse(fact.value);
    return Array.isArray(list) && list.includes(value);
  } catch {
    return false;
  }
}

/** Whether a fact can start a follow-up's wait at all (whatever its age). */
export function triggers(trigger: FollowUpTrigger, fact: TriggerFact, ctx: Omit<DueContext, 'now'>): boolean {
  return (
    fact.key === trigger.factKey &&
    fact.disputedAt === null &&
    (fact.provenance === 'declared' || !ctx.askBeforeUse.has(fact.key)) &&
    (ctx.readable === null || ctx.readable(fact)) &&
    hasTriggerValue(fact, trigger.value)
  );
}

/**
 * Whether a follow-up is due now, and since when: due once a fact with the trigger's key (and
 * value, when given) has been known for at least `days` days, counted from its `collectedAt` — not
 * a moment before. A disputed fact does not count (the customer said it is wrong), nor an observed
 * or inferred one under a key an `askBeforeUse` question asks about (nothing is assumed before the
 * customer said so). With several such facts the earliest collected one is the reason. Null: not
 * due (no such fact, or not for long enough yet).
 */
export function followUpDue<F extends TriggerFact>(trigger: FollowUpTrigger, facts: readonly F[], ctx: DueContext): Due<F> | null {
  let best: Due<F> | null = null;
  for (const fact of facts) {
    if (!triggers(trigger, fact, ctx)) continue;
    const dueSince = new Date(fact.collectedAt.getTime() + trigger.days * DAY_MS);
    if (dueSince.getTime() > ctx.now.getTime()) continue;
    if (!best || dueSince.getTime() < best.dueSince.getTime()) best = { dueSince, because: fact };
  }
  return best;
}

/**
 * The order due follow-ups are asked in: the one waiting longest first (earliest `dueSince`), then
 * the brand's question order. Follow-ups come before ordinary questions: their moment is the reason
 * for asking ("how is the machine doing?" means most a week after buying it).
 */
export function byDueSince(a: { dueSince: Date; position: number; key: string }, b: { dueSince: Date; position: number; key: string }): number {
  return a.dueSince.getTime() - b.dueSince.getTime() || a.position - b.position || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

import { subject as asSubject } from '@casl/ability';
import { profileAbilityFor } from '../../common/authz/abilities';
import type { Provenance } from '../facts/fact.entity';

/** Declared facts outweigh observed ones, which outweigh inferences. */
export const PROVENANCE_WEIGHT: Record<Provenance, number> = { declared: 1, observed: 0.6, inferred: 0.3 };

export interface ScoringFact {
  id: string;
  subjectId: string;
  key: string;
  value: string;
  category: string;
  provenance: Provenance;
  source: string;
  collectedAt: Date;
  disputed: boolean;
  expiresAt: Date | null;
}

export interface CatalogTag {
  factKey: string;
  value: string;
  /** Positive: how much a matching fact adds. */
  weight: number;
}

export interface ScoringItem {
  sku: string;
  /** One text for every language, or one per language. */
  title: string | Record<string, string>;
  url: string | null;
  tags: CatalogTag[];
}

export interface Contribution {
  fact: ScoringFact;
  tag: CatalogTag;
  points: number;
}

export interface ScoredItem {
  item: ScoringItem;
  score: number;
  because: Contribution[];
}

/** Rounded to keep scores stable across runs and readable in responses. */
const round = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * The facts the scorer may read: those the personalization purpose covers (the same CASL rule as a
 * purpose-scoped profile read), of this subject, not disputed and not expired.
 */
export function usableFacts(
  facts: readonly ScoringFact[],
  subjectId: string,
  purpose: { dataCategories: readonly string[]; channels: readonly string[] },
  now: Date,
): ScoringFact[] {
  const ability = profileAbilityFor(purpose);
  return facts.filter(
    (f) =>
      f.subjectId === subjectId &&
      !f.disputed &&
      (f.expiresAt === null || f.expiresAt.getTime() > now.getTime()) &&
      ability.can('read', asSubject('Fact', { subjectId: f.subjectId, category: f.category })),
  );
}

/**
 * A transparent additive model: an item's score is the sum, over its tags, of the tag's weight
 * times the provenance weight of every usable fact with that key and value. Each cited fact adds
 * points, so removing any of them lowers the score — the explanation is faithful by construction.
 * Ordered by score, then SKU, so equal inputs always give equal output.
 */
export function scoreItems(facts: readonly ScoringFact[], items: readonly ScoringItem[], hidden: ReadonlySet<string> = new Set()): ScoredItem[] {
  const byKeyValue = new Map<string, ScoringFact[]>();
  for (const f of facts) {
    const k = `${f.key}\u0000${f.value}`;
    byKeyValue.set(k, [...(byKeyValue.get(k) ?? []), f]);
  }
  const scored: ScoredItem[] = [];
  for (const item of items) {
    if (hidden.has(item.sku)) continue;
    const because: Contribution[] = [];
    for (const tag of item.tags) {
      if (!(tag.weight > 0)) continue;
      for (const fact of byKeyValue.get(`${tag.factKey}\u0000${tag.value}`) ?? []) {
        because.push({ fact, tag, points: round(tag.weight * PROVENANCE_WEIGHT[fact.provenance]) });
      }
    }
    if (!because.length) continue;
    because.sort((a, b) => b.points - a.points || a.fact.id.localeCompare(b.fact.id));
    scored.push({ item, score: round(because.reduce((sum, c) => sum + c.points, 0)), because });
  }
  return scored.sort((a, b) => b.score - a.score || a.item.sku.localeCompare(b.item.sku));
}

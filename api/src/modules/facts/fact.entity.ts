import { Column, Entity, PrimaryColumn } from 'typeorm';
import { decodeFactValue, FactValue } from '../dictionary/fact-values';

export const PROVENANCES = ['declared', 'observed', 'inferred'] as const;
export type Provenance = (typeof PROVENANCES)[number];

@Entity({ name: 'facts' })
export class FactEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'fact_id', type: 'uuid' }) id: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ name: 'fact_key', type: 'text' }) key: string;
  /** The value sealed under the subject's data key (see fact-sealing.ts). */
  @Column({ name: 'value_ct', type: 'bytea', nullable: true }) valueCt: Buffer | null;
  /** Keyed hash of (brand, fact key, value): what SQL compares values by. */
  @Column({ name: 'value_hash', type: 'text', nullable: true }) valueHash: string | null;
  @Column({ name: 'source_ct', type: 'bytea', nullable: true }) sourceCt: Buffer | null;
  /** Plaintext of a row written before migration 1764910000000, until the start-up backfill seals it (then NULL). */
  @Column({ name: 'value', type: 'text', nullable: true }) plainValue: string | null;
  @Column({ name: 'source', type: 'text', nullable: true }) plainSource: string | null;
  @Column({ type: 'text' }) category: string;
  @Column({ type: 'text' }) provenance: Provenance;

  /** What kind of value the sealed text holds (dictionary/fact-values.ts): NULL is text. */
  @Column({ name: 'value_kind', type: 'text', nullable: true }) valueKind: 'number' | 'boolean' | 'list' | null;

  /**
   * The value and source in plaintext: never stored, filled in by FactsService when it opens the
   * row. `value` is the stored text (a typed value as its JSON): `factValue()` gives the value.
   */
  value: string;
  source: string;
  @Column({ name: 'collected_at', type: 'timestamptz' }) collectedAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ name: 'disputed_at', type: 'timestamptz', nullable: true }) disputedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A fact's value as it was given: text, a number, true/false or a list. */
export function factValue(f: Pick<FactEntity, 'value' | 'valueKind'>): FactValue {
  return decodeFactValue(f.value, f.valueKind);
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FactType } from './fact-values';

/** A fact key in a brand's data dictionary: its words per language, its type and its values. */
@Entity({ name: 'fact_keys' })
export class FactKeyEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'fact_key', type: 'text' }) key: string;
  @Column({ type: 'text' }) category: string;
  @Column({ type: 'jsonb' }) label: Record<string, string>;
  /** NULL: any fact value is accepted. */
  @Column({ name: 'value_type', type: 'text', nullable: true }) type: FactType | null;
  @Column({ name: 'value_labels', type: 'jsonb' }) values: Array<{ value: string; label: Record<string, string> }>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

export const LABEL_KINDS = ['source', 'topic'] as const;
export type LabelKind = (typeof LABEL_KINDS)[number];

/** The words for a source (where facts come from) or a preference topic, per language. */
@Entity({ name: 'dictionary_labels' })
export class DictionaryLabelEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ type: 'text' }) kind: LabelKind;
  @PrimaryColumn({ name: 'label_key', type: 'text' }) key: string;
  @Column({ type: 'jsonb' }) label: Record<string, string>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

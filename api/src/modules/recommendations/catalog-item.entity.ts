import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { CatalogTag } from './recommender';

@Entity({ name: 'catalog_items' })
export class CatalogItemEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ type: 'text' }) sku: string;
  /** One text for every language, or one per language. */
  @Column({ type: 'jsonb' }) title: string | Record<string, string>;
  @Column({ type: 'jsonb', nullable: true }) description: string | Record<string, string> | null;
  @Column({ type: 'text', nullable: true }) url: string | null;
  @Column({ type: 'jsonb' }) tags: CatalogTag[];
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'recommendation_feedback' })
export class RecommendationFeedbackEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @PrimaryColumn({ type: 'text' }) sku: string;
  @PrimaryColumn({ type: 'text' }) kind: 'not_relevant' | 'wrong_reason';
  @Column({ name: 'fact_id', type: 'uuid', nullable: true }) factId: string | null;
  @Column({ type: 'timestamptz' }) at: Date;
}

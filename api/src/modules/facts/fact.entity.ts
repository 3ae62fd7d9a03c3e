import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PROVENANCES = ['declared', 'observed', 'inferred'] as const;
export type Provenance = (typeof PROVENANCES)[number];

@Entity({ name: 'facts' })
export class FactEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'fact_id', type: 'uuid' }) id: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ name: 'fact_key', type: 'text' }) key: string;
  @Column({ type: 'text' }) value: string;
  @Column({ type: 'text' }) category: string;
  @Column({ type: 'text' }) provenance: Provenance;
  @Column({ type: 'text' }) source: string;
  @Column({ name: 'collected_at', type: 'timestamptz' }) collectedAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ name: 'disputed_at', type: 'timestamptz', nullable: true }) disputedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

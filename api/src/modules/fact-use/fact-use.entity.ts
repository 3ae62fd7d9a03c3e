import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FactUse } from './fact-use';

/** A customer's choice of what one purpose may use (no row: the purpose's default). */
@Entity({ name: 'fact_use' })
export class FactUseEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @PrimaryColumn({ name: 'purpose_key', type: 'text' }) purpose: string;
  @Column({ type: 'text' }) use: FactUse;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A browser privacy signal that overrode a grant the customer gave earlier; shown until they decide. */
@Entity({ name: 'consent_conflicts' })
export class ConsentConflictEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'conflict_id', type: 'uuid' }) id: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ name: 'purpose_key', type: 'text' }) purpose: string;
  @Column({ type: 'text' }) signal: 'gpc';
  @Column({ name: 'signal_event_id', type: 'uuid' }) signalEventId: string;
  @Column({ name: 'overridden_event_id', type: 'uuid' }) overriddenEventId: string;
  @Column({ name: 'detected_at', type: 'timestamptz' }) detectedAt: Date;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ type: 'text', nullable: true }) resolution: 'confirmed_withdrawal' | 'regranted' | null;
}

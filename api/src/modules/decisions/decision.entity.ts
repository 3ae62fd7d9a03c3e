import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'contacts' })
export class ContactEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'contact_id', type: 'uuid' }) id: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ name: 'purpose_key', type: 'text' }) purpose: string;
  @Column({ type: 'text' }) channel: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'boolean' }) marketing: boolean;
}

@Entity({ name: 'suppressions' })
export class SuppressionEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'suppression_id', type: 'uuid' }) id: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  /** The reason sealed under the subject's data key (field `suppressionReasonField(id)`). */
  @Column({ name: 'reason_ct', type: 'bytea', nullable: true }) reasonCt: Buffer | null;
  /** Plaintext of a row written before migration 1764920000000, until the start-up backfill seals it (then NULL). */
  @Column({ name: 'reason', type: 'text', nullable: true }) plainReason: string | null;
  @Column({ type: 'timestamptz' }) until: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  /** When the brand ended it early (DELETE); null while it runs its course. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
}

/** The sealed field a suppression's reason is bound to (with the subject, by SubjectsService's context). */
export function suppressionReasonField(suppressionId: string): string {
  return `suppression-reason:${suppressionId}`;
}

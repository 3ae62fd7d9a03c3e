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
  @Column({ type: 'text' }) reason: string;
  @Column({ type: 'timestamptz' }) until: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

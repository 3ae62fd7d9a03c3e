import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'subjects' })
export class SubjectEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) id: string;
  @Column({ name: 'external_id', type: 'text' }) externalId: string;
  @Column({ name: 'email_ct', type: 'bytea', nullable: true }) emailCt: Buffer | null;
  @Column({ name: 'email_hash', type: 'text', nullable: true }) emailHash: string | null;
  @Column({ name: 'phone_ct', type: 'bytea', nullable: true }) phoneCt: Buffer | null;
  @Column({ name: 'phone_hash', type: 'text', nullable: true }) phoneHash: string | null;
  @Column({ type: 'text', nullable: true }) locale: string | null;
  @Column({ type: 'text', nullable: true }) timezone: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt: Date | null;
  /** Set when this record was merged into another (the survivor); it then answers 410 naming it. */
  @Column({ name: 'merged_into', type: 'uuid', nullable: true }) mergedInto: string | null;
  @Column({ name: 'merged_at', type: 'timestamptz', nullable: true }) mergedAt: Date | null;
}

@Entity({ name: 'subject_keys' })
export class SubjectKeyEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ name: 'wrapped_key', type: 'bytea' }) wrappedKey: Buffer;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'access_log' })
export class AccessRecordEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'access_id', type: 'uuid' }) id: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'text' }) actor: string;
  @Column({ name: 'actor_name', type: 'text', nullable: true }) actorName: string | null;
  @Column({ type: 'text' }) kind: 'profile' | 'export' | 'audience' | 'recommendations' | 'subject' | 'consents' | 'explanation' | 'console' | 'questions' | 'preferences' | 'suppressions';
  @Column({ name: 'purpose_key', type: 'text', nullable: true }) purpose: string | null;
  @Column({ type: 'text', array: true }) fields: string[];
}

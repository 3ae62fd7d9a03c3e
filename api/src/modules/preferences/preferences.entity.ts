import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChannelPreferences, QuietHours } from './preference-rules';

@Entity({ name: 'preferences' })
export class PreferencesEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ type: 'jsonb' }) channels: ChannelPreferences;
  @Column({ name: 'quiet_hours', type: 'jsonb', nullable: true }) quietHours: QuietHours | null;
  @Column({ type: 'text', array: true }) topics: string[];
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

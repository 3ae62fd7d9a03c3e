import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChannelPreferences, QuietHours } from './preference-rules';

@Entity({ name: 'preferences' })
export class PreferencesEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ type: 'jsonb' }) channels: ChannelPreferences;
  @Column({ name: 'quiet_hours', type: 'jsonb', nullable: true }) quietHours: QuietHours | null;
  /** The topics, a JSON array, sealed under the subject's data key (field `PREFERENCE_TOPICS_FIELD`). */
  @Column({ name: 'topics_ct', type: 'bytea', nullable: true }) topicsCt: Buffer | null;
  /** Plaintext of a row written before migration 1764940000000, until the start-up backfill seals it (then NULL). */
  @Column({ name: 'topics', type: 'text', array: true, nullable: true }) plainTopics: string[] | null;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** The sealed field of a subject's preference topics (bound to the subject by SubjectsService's context). */
export const PREFERENCE_TOPICS_FIELD = 'preference-topics';

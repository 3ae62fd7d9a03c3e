import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChannelPreferences, PurposeChoices, QuietHours } from './preference-rules';

@Entity({ name: 'preferences' })
export class PreferencesEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ type: 'jsonb' }) channels: ChannelPreferences;
  @Column({ name: 'quiet_hours', type: 'jsonb', nullable: true }) quietHours: QuietHours | null;
  /** The channels the person chose per purpose (since migration 1765110000000; null: none chosen). */
  @Column({ type: 'jsonb', nullable: true }) purposes: PurposeChoices | null;
  /** The topics, a JSON array, sealed under the subject's data key (field `PREFERENCE_TOPICS_FIELD`). */
  @Column({ name: 'topics_ct', type: 'bytea', nullable: true }) topicsCt: Buffer | null;
  /** Plaintext of a row written before migration 1764940000000, until the start-up backfill seals it (then NULL). */
  @Column({ name: 'topics', type: 'text', array: true, nullable: true }) plainTopics: string[] | null;
  @Column({ type: 'integer' }) version: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** The sealed field of a subject's preference topics (bound to the subject by SubjectsService's context). */
export const PREFERENCE_TOPICS_FIELD = 'preference-topics';

/** Who changed a subject's preferences, how and when, and which settings (by name). */
@Entity({ name: 'preference_changes' })
export class PreferenceChangeEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'change_id', type: 'uuid' }) id: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  /** The preferences version the change made. */
  @Column({ type: 'integer' }) version: number;
  @Column({ type: 'timestamptz' }) at: Date;
  /** `actorRef` of who made it: `subject:<id>` for the person, `api-key:<id>`, `staff:<id>`, `system:<name>`. */
  @Column({ type: 'text' }) actor: string;
  @Column({ name: 'actor_name', type: 'text', nullable: true }) actorName: string | null;
  /** How it came: `portal`, `api`, or the brand's own label (`call_centre`, `checkout`). */
  @Column({ type: 'text' }) source: string;
  /** `channels.<channel>`, `purposes.<purpose>`, `quietHours`, `topics`. */
  @Column({ type: 'text', array: true }) fields: string[];
}

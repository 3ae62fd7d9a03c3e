import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Jurisdiction } from './deadlines';

export const REQUEST_TYPES = ['access', 'erasure', 'rectification', 'restriction', 'objection'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export type RequestStatus = 'received' | 'in_progress' | 'completed' | 'rejected';
/**
 * How a request reached the brand. `api`, `portal` and `staff` are recorded by Candor itself (a
 * brand key, the customer's portal session, the staff console); the others are set by whoever files
 * a request that arrived outside Candor (a letter, an email, a phone call, a visit).
 */
export const REQUEST_CHANNELS = ['api', 'portal', 'staff', 'email', 'letter', 'phone', 'in_person'] as const;
export type RequestChannel = (typeof REQUEST_CHANNELS)[number];
/** The channels a brand key or staff member may name when filing (the portal is only ever the customer's own session). */
export const FILED_CHANNELS = REQUEST_CHANNELS.filter((c) => c !== 'portal');

@Entity({ name: 'privacy_requests' })
export class PrivacyRequestEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'request_id', type: 'uuid' }) id: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ type: 'text' }) type: RequestType;
  @Column({ type: 'text' }) jurisdiction: Jurisdiction;
  @Column({ type: 'text' }) channel: RequestChannel;
  @Column({ type: 'text' }) status: RequestStatus;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt: Date;
  @Column({ name: 'acknowledge_by', type: 'timestamptz', nullable: true }) acknowledgeBy: Date | null;
  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
  @Column({ name: 'due_at', type: 'timestamptz' }) dueAt: Date;
  @Column({ name: 'extended_at', type: 'timestamptz', nullable: true }) extendedAt: Date | null;
  /** Only in requests extended before reasons were sealed; see `extensionReasonCt`. */
  @Column({ name: 'extension_reason', type: 'text', nullable: true }) extensionReason: string | null;
  /** The extension's reason, sealed under the subject's data key (unreadable once the subject is erased). */
  @Column({ name: 'extension_reason_ct', type: 'bytea', nullable: true }) extensionReasonCt: Buffer | null;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @Column({ type: 'jsonb', nullable: true }) certificate: object | null;
  /**
   * Whose data key seals the request's notes, when not its subject's: a request moved by a merge
   * keeps the merged record's key (destroyed when the survivor is erased). Null: the subject's.
   */
  @Column({ name: 'key_subject_id', type: 'uuid', nullable: true }) keySubjectId: string | null;
}

@Entity({ name: 'privacy_request_events' })
export class PrivacyRequestEventEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'event_id', type: 'uuid' }) id: string;
  @Column({ name: 'request_id', type: 'uuid' }) requestId: string;
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'text' }) actor: string;
  @Column({ type: 'text' }) action: string;
  @Column({ type: 'text' }) status: RequestStatus;
  /** A note Candor wrote (no personal data), or one written before notes were sealed. */
  @Column({ type: 'text', nullable: true }) note: string | null;
  /** A note a person wrote (what was rectified, why it was extended), sealed under the subject's data key. */
  @Column({ name: 'note_ct', type: 'bytea', nullable: true }) noteCt: Buffer | null;
}

@Entity({ name: 'tombstones' })
export class TombstoneEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ type: 'text' }) kind: 'external_id' | 'email' | 'phone';
  @PrimaryColumn({ type: 'text' }) hash: string;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ name: 'erased_at', type: 'timestamptz' }) erasedAt: Date;
}

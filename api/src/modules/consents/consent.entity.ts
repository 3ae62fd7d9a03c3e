import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Bigint columns come back from `pg` as strings; the ledger counts in numbers. */
const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity({ name: 'consent_events' })
export class ConsentEventEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'consent_event_id', type: 'uuid' }) id: string;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) seq: number;
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ name: 'purpose_key', type: 'text' }) purpose: string;
  @Column({ type: 'boolean' }) granted: boolean;
  @Column({ name: 'notice_version', type: 'integer', nullable: true }) noticeVersion: number | null;
  @Column({ type: 'text' }) source: string;
  @Column({ type: 'text' }) actor: string;
  @Column({ name: 'captured_at', type: 'timestamptz' }) capturedAt: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ name: 'evidence_ct', type: 'bytea', nullable: true }) evidenceCt: Buffer | null;
  @Column({ name: 'prev_hash', type: 'text', nullable: true }) prevHash: string | null;
  @Column({ type: 'text' }) hash: string;
  /** A merge event's citation: the hash of the merged record's last event for the purpose (covered by `hash`). */
  @Column({ name: 'cites_hash', type: 'text', nullable: true }) cites: string | null;
}

@Entity({ name: 'consent_states' })
export class ConsentStateEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @PrimaryColumn({ name: 'purpose_key', type: 'text' }) purpose: string;
  @Column({ type: 'boolean' }) granted: boolean;
  @Column({ name: 'notice_version', type: 'integer', nullable: true }) noticeVersion: number | null;
  @Column({ type: 'text' }) source: string;
  @Column({ name: 'consent_event_id', type: 'uuid' }) eventId: string;
  @Column({ name: 'captured_at', type: 'timestamptz' }) capturedAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'ledger_heads' })
export class LedgerHeadEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @Column({ name: 'last_seq', type: 'bigint', transformer: bigintAsNumber }) lastSeq: number;
  @Column({ name: 'last_hash', type: 'text', nullable: true }) lastHash: string | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StaffRole } from '../../common/authz/actor';

@Entity({ name: 'staff_members' })
export class StaffMemberEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'staff_id', type: 'uuid' }) id: string;
  @Column({ name: 'email_hash', type: 'text' }) emailHash: string;
  @Column({ name: 'email_ct', type: 'bytea' }) emailCt: Buffer;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text' }) role: StaffRole;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true }) disabledAt: Date | null;
}

@Entity({ name: 'staff_credentials' })
export class StaffCredentialEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'credential_id', type: 'uuid' }) id: string;
  @Column({ name: 'token_hash', type: 'text' }) tokenHash: string;
  @Column({ name: 'staff_id', type: 'uuid' }) staffId: string;
  @Column({ type: 'text' }) kind: 'sign_in_link' | 'session';
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  /** A link: when it was exchanged. A session: when it was ended. */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'api_key_id', type: 'uuid' }) id: string;
  @Column({ type: 'text' }) name: string;
  /** What customers read for this key in their access log, per language (null: `name`). */
  @Column({ type: 'jsonb', nullable: true }) label: Record<string, string> | null;
  @Column({ name: 'key_hash', type: 'text' }) keyHash: string;
  @Column({ name: 'key_prefix', type: 'text' }) keyPrefix: string;
  @Column({ type: 'text', array: true }) scopes: string[];
  @Column({ type: 'text', array: true, nullable: true }) purposes: string[] | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
}

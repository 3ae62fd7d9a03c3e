import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type LegalBasis = 'consent' | 'legitimate_interest' | 'contract' | 'legal_obligation';

@Entity({ name: 'purposes' })
export class PurposeEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'purpose_key', type: 'text' }) key: string;
  @Column({ type: 'jsonb' }) name: Record<string, string>;
  @Column({ name: 'legal_basis', type: 'text' }) legalBasis: LegalBasis;
  @Column({ name: 'data_categories', type: 'text', array: true }) dataCategories: string[];
  @Column({ type: 'text', array: true }) channels: string[];
  @Column({ name: 'sale_or_share', type: 'boolean' }) saleOrShare: boolean;
  @Column({ name: 'dpv_term', type: 'text', nullable: true }) dpvTerm: string | null;
  @Column({ name: 'retention_days', type: 'integer', nullable: true }) retentionDays: number | null;
  /** A brand-API grant waits for the person's emailed confirmation before it is in force. */
  @Column({ name: 'double_opt_in', type: 'boolean', default: false }) doubleOptIn: boolean;
  /** Marketing: suppressions and frequency caps bind it (never a contract or legal-obligation purpose). */
  @Column({ type: 'boolean' }) marketing: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity({ name: 'notices' })
export class NoticeEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'purpose_key', type: 'text' }) purposeKey: string;
  @PrimaryColumn({ type: 'integer' }) version: number;
  @Column({ name: 'notice_id', type: 'uuid' }) id: string;
  @Column({ type: 'jsonb' }) text: Record<string, string>;
  @Column({ name: 'published_at', type: 'timestamptz' }) publishedAt: Date;
}

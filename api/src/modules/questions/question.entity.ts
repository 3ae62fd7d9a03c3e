import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface QuestionOption {
  value: string;
  label: Record<string, string>;
}

@Entity({ name: 'questions' })
export class QuestionEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'question_key', type: 'text' }) key: string;
  @Column({ type: 'jsonb' }) text: Record<string, string>;
  @Column({ name: 'fact_key', type: 'text' }) factKey: string;
  @Column({ type: 'text' }) category: string;
  @Column({ type: 'jsonb' }) options: QuestionOption[];
  @Column({ type: 'boolean' }) multiple: boolean;
  @Column({ type: 'integer' }) position: number;
  /** Observed or inferred facts under `factKey` are never used: only the customer's declared answer counts. */
  @Column({ name: 'ask_before_use', type: 'boolean' }) askBeforeUse: boolean;
  /** A follow-up waits for a fact under this key (NULL: an ordinary question, due at once). */
  @Column({ name: 'after_fact_key', type: 'text', nullable: true }) afterFactKey: string | null;
  /** ...with this value (NULL: any value). */
  @Column({ name: 'after_value', type: 'text', nullable: true }) afterValue: string | null;
  /** ...known for at least this many days (from the fact's `collectedAt`). */
  @Column({ name: 'after_days', type: 'integer', nullable: true }) afterDays: number | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity({ name: 'question_responses' })
export class QuestionResponseEntity {
  @PrimaryColumn({ name: 'brand_id', type: 'uuid' }) brandId: string;
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @PrimaryColumn({ name: 'question_key', type: 'text' }) questionKey: string;
  @Column({ type: 'text' }) status: 'answered' | 'dismissed';
  @Column({ name: 'responded_at', type: 'timestamptz' }) respondedAt: Date;
}

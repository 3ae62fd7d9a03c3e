import { ApiKeyEntity } from '../../modules/api-keys/api-key.entity';
import { AuditEntryEntity } from '../../modules/audit/audit-entry.entity';
import { BrandEntity } from '../../modules/brands/brand.entity';
import {
  ConsentEventEntity,
  ConsentStateEntity,
  LedgerHeadEntity,
} from '../../modules/consents/consent.entity';
import { IdempotencyKeyEntity } from '../http/idempotency';
import { NoticeEntity, PurposeEntity } from '../../modules/purposes/purpose.entity';
import { SubjectEntity, SubjectKeyEntity } from '../../modules/subjects/subject.entity';

/** Every mapped table. The schema itself comes from migrations only. */
export const ENTITIES = [
  BrandEntity,
  ApiKeyEntity,
  PurposeEntity,
  NoticeEntity,
  SubjectEntity,
  SubjectKeyEntity,
  ConsentEventEntity,
  ConsentStateEntity,
  LedgerHeadEntity,
  IdempotencyKeyEntity,
  AuditEntryEntity,
];

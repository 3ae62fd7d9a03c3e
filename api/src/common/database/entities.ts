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
import { SessionEntity, SignInTokenEntity } from '../../modules/auth/auth.entity';
import { ConsentConflictEntity } from '../../modules/consents/consent-conflict.entity';
import { ContactEntity, SuppressionEntity } from '../../modules/decisions/decision.entity';
import { FactEntity } from '../../modules/facts/fact.entity';
import { DictionaryLabelEntity, FactKeyEntity } from '../../modules/dictionary/dictionary.entity';
import { StaffCredentialEntity, StaffMemberEntity } from '../../modules/staff/staff.entity';
import { CatalogItemEntity, RecommendationFeedbackEntity } from '../../modules/recommendations/catalog-item.entity';
import { PrivacyRequestEntity, PrivacyRequestEventEntity, TombstoneEntity } from '../../modules/privacy-requests/privacy-request.entity';
import { OutboxEventEntity, WebhookDeliveryEntity, WebhookEndpointEntity } from '../../modules/webhooks/webhook.entity';
import { PreferenceChangeEntity, PreferencesEntity } from '../../modules/preferences/preferences.entity';
import { AccessRecordEntity } from '../../modules/profiles/access-record.entity';
import { QuestionEntity, QuestionResponseEntity } from '../../modules/questions/question.entity';
import { FactUseEntity } from '../../modules/fact-use/fact-use.entity';

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
  FactEntity,
  FactKeyEntity,
  DictionaryLabelEntity,
  PreferencesEntity,
  PreferenceChangeEntity,
  QuestionEntity,
  QuestionResponseEntity,
  FactUseEntity,
  SignInTokenEntity,
  SessionEntity,
  AccessRecordEntity,
  ContactEntity,
  SuppressionEntity,
  ConsentConflictEntity,
  WebhookEndpointEntity,
  OutboxEventEntity,
  WebhookDeliveryEntity,
  PrivacyRequestEntity,
  PrivacyRequestEventEntity,
  TombstoneEntity,
  CatalogItemEntity,
  RecommendationFeedbackEntity,
  StaffMemberEntity,
  StaffCredentialEntity,
];

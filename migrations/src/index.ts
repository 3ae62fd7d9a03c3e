import { CreateFoundation1764300000000 } from './1764300000000-create-foundation';
import { CreateProfiles1764400000000 } from './1764400000000-create-profiles';
import { CreateCompliance1764500000000 } from './1764500000000-create-compliance';
import { CreateRecommendations1764600000000 } from './1764600000000-create-recommendations';
import { ChainAuditLog1764650000000 } from './1764650000000-chain-audit-log';
import { CreateStaff1764660000000 } from './1764660000000-create-staff';
import { CreateImports1764700000000 } from './1764700000000-create-imports';
import { CreateErasureJobs1764800000000 } from './1764800000000-create-erasure-jobs';
import { CountAudiences1764810000000 } from './1764810000000-count-audiences';
import { StageImportsInBlocks1764820000000 } from './1764820000000-stage-imports-in-blocks';
import { ScrubUploadRejections1764830000000 } from './1764830000000-scrub-upload-rejections';
import { EraseEveryTrace1764900000000 } from './1764900000000-erase-every-trace';
import { SealFacts1764910000000 } from './1764910000000-seal-facts';
import { SealSuppressionReasons1764920000000 } from './1764920000000-seal-suppression-reasons';
import { CreateErasureReceipts1764930000000 } from './1764930000000-create-erasure-receipts';
import { SealPreferenceTopics1764940000000 } from './1764940000000-seal-preference-topics';
import { CreateDictionary1765010000000 } from './1765010000000-create-dictionary';
import { UnsubscribeAndDoubleOptIn1765060000000 } from './1765060000000-unsubscribe-and-double-opt-in';
import { FindDueWork1765090000000 } from './1765090000000-find-due-work';
import { FactUse1765100000000 } from './1765100000000-fact-use';
import { ChannelChoicesAndNotNow1765110000000 } from './1765110000000-channel-choices-and-not-now';
import { IdentifyAndMergeSubjects1765120000000 } from './1765120000000-identify-and-merge-subjects';
import { FollowUpQuestions1765130000000 } from './1765130000000-follow-up-questions';

/** Every migration, oldest first. The API's data source and the migrate command both use this list. */
export const migrations = [
  CreateFoundation1764300000000,
  CreateProfiles1764400000000,
  CreateCompliance1764500000000,
  CreateRecommendations1764600000000,
  ChainAuditLog1764650000000,
  CreateStaff1764660000000,
  CreateImports1764700000000,
  CreateErasureJobs1764800000000,
  CountAudiences1764810000000,
  StageImportsInBlocks1764820000000,
  ScrubUploadRejections1764830000000,
  EraseEveryTrace1764900000000,
  SealFacts1764910000000,
  SealSuppressionReasons1764920000000,
  CreateErasureReceipts1764930000000,
  SealPreferenceTopics1764940000000,
  CreateDictionary1765010000000,
  UnsubscribeAndDoubleOptIn1765060000000,
  FindDueWork1765090000000,
  FactUse1765100000000,
  ChannelChoicesAndNotNow1765110000000,
  IdentifyAndMergeSubjects1765120000000,
  FollowUpQuestions1765130000000,
];

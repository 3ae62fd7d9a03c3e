import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { AccessLogService } from '../profiles/access-log.service';
import { SubjectIdentifiersService } from './subject-identifiers.service';
import { SubjectMergeService } from './subject-merge.service';
import { SubjectsController } from './subjects.controller';
import { SubjectsService } from './subjects.service';

@Module({
  imports: [LedgerModule],
  controllers: [SubjectsController],
  providers: [SubjectsService, SubjectIdentifiersService, SubjectMergeService, AccessLogService],
  exports: [SubjectsService, SubjectIdentifiersService, SubjectMergeService, AccessLogService],
})
export class SubjectsModule {}

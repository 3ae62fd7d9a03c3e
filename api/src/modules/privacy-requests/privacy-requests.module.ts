import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { ConsentsModule } from '../consents/consents.module';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { FactsModule } from '../facts/facts.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { ComplianceService } from './compliance.service';
import { ErasureReceiptsService } from './erasure-receipts.service';
import { ErasureService } from './erasure.service';
import { ExportService } from './export.service';
import { ImportService } from './import.service';
import { PrivacyRequestsController } from './privacy-requests.controller';
import { PrivacyRequestsService } from './privacy-requests.service';

@Module({
  imports: [MailModule, SubjectsModule, ConsentsModule, FactsModule, PreferencesModule, ProfilesModule, DictionaryModule],
  controllers: [PrivacyRequestsController],
  providers: [PrivacyRequestsService, ErasureService, ErasureReceiptsService, ExportService, ImportService, ComplianceService],
  exports: [PrivacyRequestsService, ExportService, ErasureService],
})
export class PrivacyRequestsModule {}

import { Module } from '@nestjs/common';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { FactsModule } from '../facts/facts.module';
import { FactUseModule } from '../fact-use/fact-use.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { AccessLogService } from './access-log.service';
import { ProfilesController } from './profiles.controller';
import { ProfilesService } from './profiles.service';

@Module({
  imports: [SubjectsModule, FactsModule, PreferencesModule, DictionaryModule, FactUseModule],
  controllers: [ProfilesController],
  providers: [ProfilesService, AccessLogService],
  exports: [ProfilesService, AccessLogService],
})
export class ProfilesModule {}

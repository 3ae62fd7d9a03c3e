import { Module } from '@nestjs/common';
import { SubjectsModule } from '../subjects/subjects.module';
import { PreferenceSealingBackfill } from './preference-backfill.service';
import { PreferencesService } from './preferences.service';
import { SubjectPreferencesController } from './subject-preferences.controller';
import { SubjectPreferencesService } from './subject-preferences.service';

@Module({
  imports: [SubjectsModule],
  controllers: [SubjectPreferencesController],
  providers: [PreferencesService, SubjectPreferencesService, PreferenceSealingBackfill],
  exports: [PreferencesService, PreferenceSealingBackfill],
})
export class PreferencesModule {}

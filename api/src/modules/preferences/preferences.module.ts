import { Module } from '@nestjs/common';
import { SubjectsModule } from '../subjects/subjects.module';
import { PreferenceSealingBackfill } from './preference-backfill.service';
import { PreferencesService } from './preferences.service';

@Module({ imports: [SubjectsModule], providers: [PreferencesService, PreferenceSealingBackfill], exports: [PreferencesService, PreferenceSealingBackfill] })
export class PreferencesModule {}

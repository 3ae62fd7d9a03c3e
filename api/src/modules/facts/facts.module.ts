import { Module } from '@nestjs/common';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { FactSealingBackfill } from './fact-backfill.service';
import { FactsController } from './facts.controller';
import { FactsService } from './facts.service';

@Module({ imports: [SubjectsModule, DictionaryModule], controllers: [FactsController], providers: [FactsService, FactSealingBackfill], exports: [FactsService, FactSealingBackfill] })
export class FactsModule {}

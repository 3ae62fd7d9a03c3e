import { Module } from '@nestjs/common';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { LedgerModule } from '../ledger/ledger.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { ImportMerger } from './import-merger.service';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

@Module({ imports: [SubjectsModule, LedgerModule, DictionaryModule], controllers: [ImportsController], providers: [ImportsService, ImportMerger], exports: [ImportMerger] })
export class ImportsModule {}

import { Module } from '@nestjs/common';
import { FactUseModule } from '../fact-use/fact-use.module';
import { FactsModule } from '../facts/facts.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { QuestionsController } from './questions.controller';
import { QuestionsService } from './questions.service';

@Module({ imports: [FactsModule, FactUseModule, SubjectsModule], controllers: [QuestionsController], providers: [QuestionsService], exports: [QuestionsService] })
export class QuestionsModule {}

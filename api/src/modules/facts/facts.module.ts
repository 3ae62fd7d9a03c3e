import { Module } from '@nestjs/common';
import { SubjectsModule } from '../subjects/subjects.module';
import { FactsController } from './facts.controller';
import { FactsService } from './facts.service';

@Module({ imports: [SubjectsModule], controllers: [FactsController], providers: [FactsService], exports: [FactsService] })
export class FactsModule {}

import { Module } from '@nestjs/common';
import { SubjectsModule } from '../subjects/subjects.module';
import { DecisionsController } from './decisions.controller';
import { DecisionsService } from './decisions.service';

@Module({ imports: [SubjectsModule], controllers: [DecisionsController], providers: [DecisionsService], exports: [DecisionsService] })
export class DecisionsModule {}

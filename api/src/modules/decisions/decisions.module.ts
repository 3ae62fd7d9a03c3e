import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { SubjectsModule } from '../subjects/subjects.module';
import { DecisionsController } from './decisions.controller';
import { DecisionFastPath } from './decision-fast-path';
import { DecisionReader } from './decision-reader';
import { DecisionsService } from './decisions.service';

@Module({ imports: [SubjectsModule], controllers: [DecisionsController], providers: [DecisionsService, DecisionReader], exports: [DecisionsService] })
export class DecisionsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(DecisionFastPath).forRoutes({ path: 'v1/decisions/contact', method: RequestMethod.GET });
  }
}

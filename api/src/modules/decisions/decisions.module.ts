import { Module } from '@nestjs/common';
import { SubjectsModule } from '../subjects/subjects.module';
import { UnsubscribeModule } from '../unsubscribe/unsubscribe.module';
import { DecisionsController } from './decisions.controller';
import { DecisionFastPath } from './decision-fast-path';
import { DecisionReader } from './decision-reader';
import { DecisionsService } from './decisions.service';
import { SuppressionSealingBackfill } from './suppression-backfill.service';

/** `DecisionFastPath` is mounted by the HTTP edge (app.factory.ts), in front of Express. */
@Module({
  imports: [SubjectsModule, UnsubscribeModule],
  controllers: [DecisionsController],
  providers: [DecisionsService, DecisionReader, DecisionFastPath, SuppressionSealingBackfill],
  exports: [DecisionsService, DecisionFastPath, SuppressionSealingBackfill],
})
export class DecisionsModule {}

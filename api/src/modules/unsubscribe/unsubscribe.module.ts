import { Module } from '@nestjs/common';
import { ConsentsModule } from '../consents/consents.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { UnsubscribeController } from './unsubscribe.controller';
import { UnsubscribeLinks } from './unsubscribe-links';
import { UnsubscribeService } from './unsubscribe.service';

/** One-click unsubscribe: the links decisions carry (`UnsubscribeLinks`) and the routes that honour them. */
@Module({
  imports: [ConsentsModule, SubjectsModule],
  controllers: [UnsubscribeController],
  providers: [UnsubscribeLinks, UnsubscribeService],
  exports: [UnsubscribeLinks],
})
export class UnsubscribeModule {}

import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ConsentsModule } from '../consents/consents.module';
import { DecisionsModule } from '../decisions/decisions.module';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { FactsModule } from '../facts/facts.module';
import { FactUseModule } from '../fact-use/fact-use.module';
import { GpcController } from '../gpc/gpc.controller';
import { GpcInterceptor } from '../gpc/gpc.interceptor';
import { PreferencesModule } from '../preferences/preferences.module';
import { PrivacyRequestsModule } from '../privacy-requests/privacy-requests.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { QuestionsModule } from '../questions/questions.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { MeController } from './me.controller';
import { MeService } from './me.service';

@Module({
  imports: [SubjectsModule, DictionaryModule, DecisionsModule, FactsModule, FactUseModule, ConsentsModule, PreferencesModule, QuestionsModule, ProfilesModule, PrivacyRequestsModule],
  controllers: [MeController, GpcController],
  providers: [MeService, { provide: APP_INTERCEPTOR, useClass: GpcInterceptor }],
})
export class MeModule {}

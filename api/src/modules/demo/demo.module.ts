import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module';
import { ConsentsModule } from '../consents/consents.module';
import { PurposesModule } from '../purposes/purposes.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { FactsModule } from '../facts/facts.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { QuestionsModule } from '../questions/questions.module';
import { RecommendationsModule } from '../recommendations/recommendations.module';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { AuthModule } from '../auth/auth.module';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { FactUseModule } from '../fact-use/fact-use.module';
import { DemoSeeder } from './demo.seeder';

@Module({ imports: [BrandsModule, PurposesModule, SubjectsModule, ConsentsModule, FactsModule, PreferencesModule, QuestionsModule, RecommendationsModule, ApiKeysModule, ProfilesModule, AuthModule, DictionaryModule, FactUseModule], providers: [DemoSeeder], exports: [DemoSeeder] })
export class DemoModule {}

import { Module } from '@nestjs/common';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { RecommendationsController } from './recommendations.controller';
import { RecommendationsService } from './recommendations.service';

@Module({ imports: [ProfilesModule, DictionaryModule], controllers: [RecommendationsController], providers: [RecommendationsService], exports: [RecommendationsService] })
export class RecommendationsModule {}

import { Module } from '@nestjs/common';
import { FactUseModule } from '../fact-use/fact-use.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { AudiencesController } from './audiences.controller';
import { AudiencesService } from './audiences.service';

@Module({ imports: [ProfilesModule, FactUseModule], controllers: [AudiencesController], providers: [AudiencesService] })
export class AudiencesModule {}

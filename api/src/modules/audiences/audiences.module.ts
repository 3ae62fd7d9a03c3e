import { Module } from '@nestjs/common';
import { ProfilesModule } from '../profiles/profiles.module';
import { AudiencesController } from './audiences.controller';
import { AudiencesService } from './audiences.service';

@Module({ imports: [ProfilesModule], controllers: [AudiencesController], providers: [AudiencesService] })
export class AudiencesModule {}

import { Module } from '@nestjs/common';
import { AccessLogService } from '../profiles/access-log.service';
import { SubjectsController } from './subjects.controller';
import { SubjectsService } from './subjects.service';

@Module({ controllers: [SubjectsController], providers: [SubjectsService, AccessLogService], exports: [SubjectsService, AccessLogService] })
export class SubjectsModule {}

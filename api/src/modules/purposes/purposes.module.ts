import { Module } from '@nestjs/common';
import { PurposesController } from './purposes.controller';
import { PurposesService } from './purposes.service';

@Module({ controllers: [PurposesController], providers: [PurposesService], exports: [PurposesService] })
export class PurposesModule {}

import { Module } from '@nestjs/common';
import { FactUseService } from './fact-use.service';

@Module({ providers: [FactUseService], exports: [FactUseService] })
export class FactUseModule {}

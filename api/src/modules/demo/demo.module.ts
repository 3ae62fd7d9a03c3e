import { Module } from '@nestjs/common';
import { BrandsModule } from '../brands/brands.module';
import { ConsentsModule } from '../consents/consents.module';
import { PurposesModule } from '../purposes/purposes.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { DemoSeeder } from './demo.seeder';

@Module({ imports: [BrandsModule, PurposesModule, SubjectsModule, ConsentsModule], providers: [DemoSeeder], exports: [DemoSeeder] })
export class DemoModule {}

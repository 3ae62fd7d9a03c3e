import { Module } from '@nestjs/common';
import { ConsentsModule } from '../consents/consents.module';
import { PrivacyRequestsModule } from '../privacy-requests/privacy-requests.module';
import { ErasureJobRunner } from './erasure-job-runner.service';
import { ErasureJobsController } from './erasure-jobs.controller';
import { ErasureJobsService } from './erasure-jobs.service';

@Module({
  imports: [PrivacyRequestsModule, ConsentsModule],
  controllers: [ErasureJobsController],
  providers: [ErasureJobsService, ErasureJobRunner],
  exports: [ErasureJobRunner],
})
export class ErasureJobsModule {}

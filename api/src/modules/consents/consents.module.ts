import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { ConfirmationRequests } from './confirmation-requests';
import { ConsentConfirmationsService } from './consent-confirmations.service';
import { ConsentLedgerService } from './consent-ledger.service';
import { ConsentsController } from './consents.controller';

@Module({
  imports: [SubjectsModule, AuthModule],
  controllers: [ConsentsController],
  providers: [ConsentLedgerService, ConfirmationRequests, ConsentConfirmationsService],
  exports: [ConsentLedgerService],
})
export class ConsentsModule {}

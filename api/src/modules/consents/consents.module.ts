import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { MailModule } from '../mail/mail.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { ConfirmationRequests } from './confirmation-requests';
import { ConsentConfirmationsService } from './consent-confirmations.service';
import { ConsentLedgerService } from './consent-ledger.service';
import { ConsentsController } from './consents.controller';

@Module({
  imports: [SubjectsModule, LedgerModule, MailModule],
  controllers: [ConsentsController],
  providers: [ConsentLedgerService, ConfirmationRequests, ConsentConfirmationsService],
  exports: [ConsentLedgerService],
})
export class ConsentsModule {}

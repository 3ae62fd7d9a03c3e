import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { SubjectsModule } from '../subjects/subjects.module';
import { ConsentLedgerService } from './consent-ledger.service';
import { ConsentsController } from './consents.controller';

@Module({ imports: [SubjectsModule, LedgerModule], controllers: [ConsentsController], providers: [ConsentLedgerService], exports: [ConsentLedgerService] })
export class ConsentsModule {}

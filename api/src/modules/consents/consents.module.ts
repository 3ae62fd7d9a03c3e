import { Module } from '@nestjs/common';
import { SubjectsModule } from '../subjects/subjects.module';
import { ConsentLedgerService } from './consent-ledger.service';
import { ConsentsController } from './consents.controller';

@Module({ imports: [SubjectsModule], controllers: [ConsentsController], providers: [ConsentLedgerService], exports: [ConsentLedgerService] })
export class ConsentsModule {}

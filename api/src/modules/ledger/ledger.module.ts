import { Module } from '@nestjs/common';
import { LedgerWriter } from './ledger-writer';

/** The consent ledger's one writer, for every module that records a consent decision. */
@Module({ providers: [LedgerWriter], exports: [LedgerWriter] })
export class LedgerModule {}

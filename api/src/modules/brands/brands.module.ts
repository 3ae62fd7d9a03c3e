import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { LedgerModule } from '../ledger/ledger.module';
import { BrandsController } from './brands.controller';
import { BrandsService } from './brands.service';

@Module({ imports: [ApiKeysModule, LedgerModule], controllers: [BrandsController], providers: [BrandsService], exports: [BrandsService] })
export class BrandsModule {}

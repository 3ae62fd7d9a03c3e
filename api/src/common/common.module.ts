import { Global, Module } from '@nestjs/common';
import { ApiKeyResolver } from './authz/api-key-resolver.service';
import { CryptoService } from './crypto/crypto.service';
import { TenantDb } from './database/tenant-db.service';

/** Cross-cutting services every capability module may inject. */
@Global()
@Module({ providers: [TenantDb, CryptoService, ApiKeyResolver], exports: [TenantDb, CryptoService, ApiKeyResolver] })
export class CommonModule {}

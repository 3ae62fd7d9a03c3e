import { PlannerStatistics } from './database/planner-statistics';
import { Global, Module } from '@nestjs/common';
import { ApiKeyResolver } from './authz/api-key-resolver.service';
import { SessionResolver } from './authz/session-resolver.service';
import { SignInLimiter } from './http/rate-limits';
import { Clock } from './clock';
import { CryptoService } from './crypto/crypto.service';
import { TenantDb } from './database/tenant-db.service';
import { NdjsonUploads } from './http/uploads';
import { Cursors } from './http/pagination';

/** Cross-cutting services every capability module may inject. */
@Global()
@Module({ providers: [TenantDb, CryptoService, ApiKeyResolver, SessionResolver, SignInLimiter, Clock, PlannerStatistics, NdjsonUploads, Cursors],
  exports: [TenantDb, CryptoService, ApiKeyResolver, SessionResolver, SignInLimiter, Clock, PlannerStatistics, NdjsonUploads, Cursors], })
export class CommonModule {}

import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard } from './common/authz/auth.guard';
import { CredentialResolver } from './common/authz/credential-resolver.service';
import { CommonModule } from './common/common.module';
import { dataSourceOptions } from './common/database/data-source';
import { ProblemFilter } from './common/errors/problem.filter';
import { ProblemsController } from './common/errors/problems.controller';
import { pinoHttpOptions } from './common/http/logging';
import type { CandorConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { ApiKeysModule } from './modules/api-keys/api-keys.module';
import { AuditModule } from './modules/audit/audit.module';
import { BrandsModule } from './modules/brands/brands.module';
import { ConsentsModule } from './modules/consents/consents.module';
import { AudiencesModule } from './modules/audiences/audiences.module';
import { AuthModule } from './modules/auth/auth.module';
import { DecisionsModule } from './modules/decisions/decisions.module';
import { DemoModule } from './modules/demo/demo.module';
import { DictionaryModule } from './modules/dictionary/dictionary.module';
import { ImportsModule } from './modules/imports/imports.module';
import { ErasureJobsModule } from './modules/erasure-jobs/erasure-jobs.module';
import { FactsModule } from './modules/facts/facts.module';
import { MeModule } from './modules/me/me.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { PreferencesModule } from './modules/preferences/preferences.module';
import { PrivacyRequestsModule } from './modules/privacy-requests/privacy-requests.module';
import { ProfilesModule } from './modules/profiles/profiles.module';
import { QuestionsModule } from './modules/questions/questions.module';
import { RecommendationsModule } from './modules/recommendations/recommendations.module';
import { HealthModule } from './modules/health/health.module';
import { PurposesModule } from './modules/purposes/purposes.module';
import { RetentionModule } from './modules/retention/retention.module';
import { StaffModule } from './modules/staff/staff.module';
import { SubjectsModule } from './modules/subjects/subjects.module';
import { UnsubscribeModule } from './modules/unsubscribe/unsubscribe.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';

export interface AppOptions {
  config: CandorConfig;
  /** Where the API's database is: the configured URL or the embedded server's socket. */
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot(options: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        LoggerModule.forRoot({ pinoHttp: pinoHttpOptions(options.config) }),
        TypeOrmModule.forRoot(dataSourceOptions(options.databaseUrl)),
        CommonModule,
        AuditModule,
        WebhooksModule,
        HealthModule,
        MetricsModule,
        BrandsModule,
        ApiKeysModule,
        PurposesModule,
        SubjectsModule,
        ConsentsModule,
        DictionaryModule,
        FactsModule,
        PreferencesModule,
        QuestionsModule,
        AuthModule,
        ProfilesModule,
        DecisionsModule,
        UnsubscribeModule,
        AudiencesModule,
        PrivacyRequestsModule,
        RecommendationsModule,
        StaffModule,
        RetentionModule,
        MeModule,
        ImportsModule,
        ErasureJobsModule,
        DemoModule,
      ],
      controllers: [ProblemsController],
      providers: [
        CredentialResolver,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}

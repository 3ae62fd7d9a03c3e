import { DynamicModule, Global, Module } from '@nestjs/common';
import type { CandorConfig } from './config';

export const CANDOR_CONFIG = Symbol('CANDOR_CONFIG');

/** Makes the validated configuration injectable everywhere as `@Inject(CANDOR_CONFIG)`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: CandorConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CANDOR_CONFIG, useValue: config }], exports: [CANDOR_CONFIG] };
  }
}

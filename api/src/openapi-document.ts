import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { buildOpenApiDocument, serialiseOpenApi } from './common/http/openapi';
import { loadConfig } from './config/config';

/**
 * Renders the OpenAPI document without a database: Nest's preview mode reads the routes and DTOs
 * but instantiates no provider, so nothing connects.
 */
export async function renderOpenApi(): Promise<string> {
  const config = loadConfig({
    NODE_ENV: 'test',
    CANDOR_ADMIN_KEY: 'openapi-generation-placeholder-key',
    CANDOR_MASTER_KEY: Buffer.alloc(32).toString('base64'),
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
  });
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config, databaseUrl: config.databaseUrl! }),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    return serialiseOpenApi(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { OpenAPIObject } from '@nestjs/swagger';
import { urlencoded } from 'express';
import swaggerUi from 'swagger-ui-express';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { runMigrations } from './common/database/data-source';
import { EmbeddedPostgres, startEmbeddedPostgres } from './common/database/embedded-postgres';
import { CredentialResolver } from './common/authz/credential-resolver.service';
import { HttpEdge } from './common/http/hardening';
import { streamedUploadMatcher } from './common/http/uploads';
import { answerClientErrorsWithProblems } from './common/http/client-errors';
import { depthLimitedReviver } from './common/http/json-limits';
import { requestShapeGate } from './common/http/request-shape';
import { QuietStartupLogger } from './common/http/logging';
import { buildOpenApiDocument } from './common/http/openapi';
import { createValidationPipe } from './common/errors/validation';
import type { CandorConfig } from './config/config';
import { DecisionFastPath } from './modules/decisions/decision-fast-path';

export interface CandorApp {
  app: INestApplication;
  databaseUrl: string;
  embedded: EmbeddedPostgres | null;
  /** Closes the HTTP server, the pool and the embedded database. */
  close(): Promise<void>;
}

/**
 * Builds the API: database (`DATABASE_URL`; else `opts.databaseUrl`, the embedded server of a
 * supervising process; else an embedded server of its own), migrations, the Nest
 * application with its global pipe, body limit, OpenAPI document and Swagger UI. Does not listen.
 */
export async function createCandorApp(config: CandorConfig, opts: { migrate?: boolean; databaseUrl?: string } = {}): Promise<CandorApp> {
  const embedded = config.databaseUrl || opts.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir);
  const databaseUrl = config.databaseUrl ?? opts.databaseUrl ?? embedded!.url;
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, databaseUrl }),
      { bodyParser: false, bufferLogs: true, abortOnError: false },
    );
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  configureApp(app, config);
  if (opts.migrate !== false) await runMigrations(app.get(DataSource));
  return {
    app,
    databaseUrl,
    embedded,
    async close() {
      await app.close();
      await embedded?.stop();
    },
  };
}

/** HTTP behaviour shared by the server and the OpenAPI generator. */
export function configureApp(app: NestExpressApplication, config: CandorConfig): void {
  app.useLogger(new QuietStartupLogger(app.get(Logger)));
  app.disable('x-powered-by');
  // No automatic weak ETags: they were put on problem documents too. The routes that support
  // conditional requests (preferences) set their own strong ETag.
  app.set('etag', false);
  app.set('trust proxy', false);
  // `servers` names CANDOR_PUBLIC_URL, else where this process listens on this machine.
  const document = buildOpenApiDocument(app, { serverUrl: config.publicUrl ?? (config.port ? `http://localhost:${config.port}` : undefined) });
  installEdge(app, config, document);
  // Unknown query parameters (422) and bodies of a media type the route does not take (415), from the document.
  app.use(requestShapeGate(document as never));
  // inflate: false — a compressed body (any Content-Encoding but identity) is refused with 415, as on upload routes.
  app.useBodyParser('json', { limit: config.bodyLimit, inflate: false, type: ['application/json', 'application/*+json'], reviver: depthLimitedReviver });
  // RFC 8058: mailbox providers POST one-click unsubscribes form-encoded (`List-Unsubscribe=One-Click`).
  // Only there: every other route reads JSON alone.
  app.use('/v1/unsubscribe', urlencoded({ extended: false, limit: '1kb', inflate: false, parameterLimit: 10 }));
  app.useGlobalPipes(createValidationPipe());

  const http = app.getHttpAdapter().getInstance();
  http.get('/openapi.json', (_req: unknown, res: { json(body: unknown): void }) => res.json(document));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Candor API' }));
}

/**
 * Every request enters through the `HttpEdge` (request id, security headers, no-store, rate limit,
 * deadline); then the ordinary contact decision is answered by `DecisionFastPath`, and everything
 * else — including any decision the fast path does not answer — goes to Express and Nest.
 */
function installEdge(app: NestExpressApplication, config: CandorConfig, document: OpenAPIObject): void {
  const logger = app.get(Logger);
  const credentials = app.get(CredentialResolver);
  const edge = new HttpEdge(
    config,
    (req) => logger.warn({ req: { id: req.id, method: req.method } }, 'request abandoned at its deadline'),
    streamedUploadMatcher(document),
    (authorization) => credentials.resolve(authorization),
  );
  const express = app.getHttpAdapter().getInstance() as (req: IncomingMessage, res: ServerResponse) => void;
  const fastPath = app.get(DecisionFastPath);
  const server = app.getHttpServer() as Server;
  server.removeAllListeners('request');
  answerClientErrorsWithProblems(server);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    edge.admit(req, res).then(
      (admitted) => {
        if (admitted && !fastPath.serve(req, res, express)) express(req, res);
      },
      (error: unknown) => {
        // The limiter failed (it should not): let the request through rather than lose it.
        logger.error({ err: error, req: { id: req.id } }, 'rate limit check failed');
        if (!res.headersSent && !fastPath.serve(req, res, express)) express(req, res);
      },
    );
  });
}

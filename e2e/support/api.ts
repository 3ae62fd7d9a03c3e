import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { inject } from 'vitest';
import { createCandorApp } from '../../api/src/app.factory';
import { loadConfig } from '../../api/src/config/config';
import { cloneTemplate } from './database';

export interface TestApi {
  http: ReturnType<typeof supertest>;
  /** The Nest application, to reach a service directly (background jobs). */
  app: INestApplication;
  adminKey: string;
  databaseUrl: string | null;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Starts the real API in-process on a fresh clone of the migrated template database (or, with
 * `embedded: true`, on the embedded database in a scratch data directory), and returns a
 * supertest agent for it.
 */
export async function startApi(opts: { embedded?: boolean; dataDir?: string; env?: Record<string, string> } = {}): Promise<TestApi> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'candor-test-'));
  const database = opts.embedded ? null : await cloneTemplate(inject('templateDatabase'));
  const adminKey = opts.env?.CANDOR_ADMIN_KEY ?? `op_test_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    CANDOR_ADMIN_KEY: adminKey,
    CANDOR_MASTER_KEY: randomBytes(32).toString('base64'),
    CANDOR_DATA_DIR: dataDir,
    CANDOR_DEMO: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...opts.env,
  });
  const candor = await createCandorApp(config);
  await candor.app.init();
  return {
    http: supertest(candor.app.getHttpServer()),
    app: candor.app,
    adminKey,
    databaseUrl: database?.url ?? null,
    dataDir,
    async close() {
      await candor.close();
      await database?.drop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import type { LoggerService } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { loggedPath, logTransport, QuietStartupLogger } from './logging';

describe('log format', () => {
  it('is human-readable (pino-pretty) in development only: JSON lines in production and tests', () => {
    expect(logTransport({ env: 'development' })).toMatchObject({ target: 'pino-pretty' });
    expect(logTransport({ env: 'production' })).toBeUndefined();
    expect(logTransport({ env: 'test' })).toBeUndefined();
  });
});

describe('QuietStartupLogger', () => {
  const recorder = () => {
    const calls: Array<[string, unknown, unknown]> = [];
    const inner: LoggerService = {
      log: (m, c) => void calls.push(['log', m, c]),
      error: (m, c) => void calls.push(['error', m, c]),
      warn: (m, c) => void calls.push(['warn', m, c]),
      debug: (m, c) => void calls.push(['debug', m, c]),
      verbose: (m, c) => void calls.push(['verbose', m, c]),
    };
    return { calls, logger: new QuietStartupLogger(inner) };
  };

  it("moves Nest's module and route lines down to debug, and leaves every other line as it was", () => {
    const { calls, logger } = recorder();
    logger.log('Mapped {/v1/subjects, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Nest application successfully started', 'NestApplication');
    logger.log('retention run done', 'RetentionService');
    logger.warn('database slow', 'TenantDb');
    logger.error('boom', 'RouterExplorer');
    expect(calls).toEqual([
      ['debug', 'Mapped {/v1/subjects, GET} route', 'RouterExplorer'],
      ['debug', 'AppModule dependencies initialized', 'InstanceLoader'],
      ['debug', 'Nest application successfully started', 'NestApplication'],
      ['log', 'retention run done', 'RetentionService'],
      ['warn', 'database slow', 'TenantDb'],
      ['error', 'boom', 'RouterExplorer'],
    ]);
  });
});

describe('request log paths', () => {
  it('drop the query string and the tokens of link routes, keeping the route', () => {
    expect(loggedPath('/v1/subjects/1b7c?purpose=x')).toBe('/v1/subjects/1b7c');
    expect(loggedPath('/v1/consent-confirmations/cco_secret')).toBe('/v1/consent-confirmations/[token]');
    expect(loggedPath('/v1/unsubscribe/AQ3kSecret?x=1')).toBe('/v1/unsubscribe/[token]');
    expect(loggedPath('/v1/erasure-receipts/cer_secret')).toBe('/v1/erasure-receipts/[token]');
    expect(loggedPath('/v1/subjects/1b7c/unsubscribe-links')).toBe('/v1/subjects/1b7c/unsubscribe-links');
  });
});

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

/** Validated configuration of one API process. Built once at boot from the environment. */
export interface CandorConfig {
  env: 'production' | 'development' | 'test';
  port: number;
  /** Address the API listens on (HOST). */
  host: string;
  /** API processes to run (CANDOR_WORKERS: 1 to 64, or "auto" for one per core). */
  workers: number;
  /**
   * What a supervising process tells the API processes it starts, and `npm start` tells the API
   * (variables set by Candor itself, not by operators).
   */
  process: {
    /** The embedded PostgreSQL the supervisor runs (CANDOR_EMBEDDED_DATABASE_URL). */
    embeddedDatabaseUrl: string | null;
    /** This process seeds the demo and prints the banner (CANDOR_WORKER_FIRST). */
    firstWorker: boolean;
    /** The portal's address the banner waits for before it prints (CANDOR_BANNER_AFTER). */
    bannerAfter: string | null;
    /** The operator sized V8's heap themselves in NODE_OPTIONS. */
    heapSizedInNodeOptions: boolean;
  };
  /** PostgreSQL connection string, or null for the embedded database under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  adminKey: string;
  /** 32 bytes that wrap every subject's data key and key the lookup hashes. */
  masterKey: Buffer;
  /** True when the admin key was generated (so `npm start` should print it). */
  adminKeyGenerated: boolean;
  demo: boolean;
  portalUrl: string;
  /** Public base URL of the API (CANDOR_PUBLIC_URL), named in the OpenAPI document's `servers`; null: http://localhost:PORT. */
  publicUrl: string | null;
  /** SMTP server for sign-in emails (smtp://user:pass@host:port); null: links go to the log. */
  smtpUrl: string | null;
  mailFrom: string;
  /** Hosts webhook URLs may use even though they resolve to private addresses (development). */
  webhookAllowHosts: string[];
  /** How often each process looks for due webhook deliveries; 0 turns the worker off. */
  webhookPollMs: number;
  /** First retry delay; later ones double (with jitter). */
  webhookRetryBaseMs: number;
  logLevel: string;
  bodyLimit: string;
  /** Requests one credential (or one address without one) may make per window; 0 turns limits off. */
  rateLimit: number;
  rateLimitWindowSeconds: number;
  /** A response not started within this becomes 503; 0 turns the deadline off. */
  requestTimeoutMs: number;
  /** Largest NDJSON upload (imports, bulk erasures), in bytes; larger ones are refused with 413. */
  uploadLimitBytes: number;
  /** NDJSON uploads one brand may have under way at once in one process; more are refused with 429. */
  uploadConcurrency: number;
  /** An upload that sends nothing for this long is abandoned with 408; 0 turns the idle timeout off. */
  uploadIdleTimeoutMs: number;
  /**
   * Bearer token `GET /metrics` requires. Null: metrics are open in development and tests and
   * closed (404) in production.
   */
  metricsToken: string | null;
  /**
   * The secret the portal sends with every API call (`X-Candor-Portal-Secret`) so that its
   * forwarded visitor address (`X-Candor-Client-Address`) is trusted for rate limits; null: never
   * trusted.
   */
  portalSecret: string | null;
  /** Sign-in links one email address may be sent per window; 0 turns the limit off. */
  signInLimit: number;
  signInWindowSeconds: number;
  /** Days a double opt-in confirmation link stays valid; a grant not confirmed by then lapses. */
  doubleOptInDays: number;
  /** Hours after a confirmation email during which a repeated grant sends no other (one email per subject and purpose). */
  doubleOptInResendHours: number;
  /** Long background jobs: chunk sizes and leases (a lapsed lease lets another process take over). */
  jobs: {
    importChunkLines: number;
    importLeaseMs: number;
    erasureChunkSubjects: number;
    erasureLeaseMs: number;
  };
}

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

interface StoredSecrets {
  adminKey?: string;
  masterKey?: string;
  portalSecret?: string;
}

/**
 * Reads and validates the environment. In development, a missing `CANDOR_ADMIN_KEY` or
 * `CANDOR_MASTER_KEY` is generated once and kept in `CANDOR_DATA_DIR/secrets.json`, so data
 * encrypted on one start can be read on the next. In production both must be set.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CandorConfig {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';

  const port = parsePort(env.PORT ?? '3000', 'PORT', problems);
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// connection string');
  }
  const dataDir = resolve(env.CANDOR_DATA_DIR?.trim() || '.candor');

  let adminKey = env.CANDOR_ADMIN_KEY?.trim() || '';
  let masterKeyText = env.CANDOR_MASTER_KEY?.trim() || '';
  let portalSecret = env.CANDOR_PORTAL_SECRET?.trim() || '';
  let adminKeyGenerated = false;
  if ((!adminKey || !masterKeyText) && nodeEnv === 'production') {
    if (!adminKey) problems.push('CANDOR_ADMIN_KEY is required in production (at least 24 characters)');
    if (!masterKeyText) problems.push('CANDOR_MASTER_KEY is required in production (32 bytes, base64 or 64 hex digits)');
  } else if (!adminKey || !masterKeyText || (!portalSecret && nodeEnv === 'development')) {
    const stored = readOrCreateSecrets(dataDir);
    if (!adminKey) {
      adminKey = stored.adminKey!;
      adminKeyGenerated = true;
    }
    masterKeyText ||= stored.masterKey!;
    // Development (`npm start`): the portal reads the same file (see portalSecretFor).
    if (nodeEnv === 'development') portalSecret ||= stored.portalSecret!;
  }
  if (portalSecret && portalSecret.length < 24) problems.push('CANDOR_PORTAL_SECRET must be at least 24 characters');
  if (adminKey && adminKey.length < 24) problems.push('CANDOR_ADMIN_KEY must be at least 24 characters');
  const masterKey = parseMasterKey(masterKeyText, problems);

  const demo = !['0', 'false', 'no'].includes((env.CANDOR_DEMO ?? '1').toLowerCase());
  const portalUrl = withoutTrailingSlashes(env.PORTAL_URL?.trim() || 'http://localhost:4321');
  if (!/^https?:\/\//.test(portalUrl)) problems.push('PORTAL_URL must start with http:// or https://');
  const publicUrl = env.CANDOR_PUBLIC_URL?.trim() ? withoutTrailingSlashes(env.CANDOR_PUBLIC_URL.trim()) : null;
  if (publicUrl !== null && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(publicUrl)) problems.push('CANDOR_PUBLIC_URL must be an http:// or https:// URL, such as https://api.example.com');
  if (env.SMTP_URL?.trim() && !/^smtps?:\/\//.test(env.SMTP_URL.trim())) problems.push('SMTP_URL must start with smtp:// or smtps://');

  const config: CandorConfig = {
    env: nodeEnv,
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    workers: workersOr(env.CANDOR_WORKERS, availableParallelism(), problems),
    process: {
      embeddedDatabaseUrl: env.CANDOR_EMBEDDED_DATABASE_URL?.trim() || null,
      firstWorker: env.CANDOR_WORKER_FIRST === '1',
      bannerAfter: env.CANDOR_BANNER_AFTER?.trim() || null,
      heapSizedInNodeOptions: HEAP_FLAG.test(env.NODE_OPTIONS ?? ''),
    },
    databaseUrl,
    dataDir,
    adminKey,
    masterKey: masterKey!,
    adminKeyGenerated,
    demo,
    portalUrl,
    publicUrl,
    smtpUrl: env.SMTP_URL?.trim() || null,
    mailFrom: env.CANDOR_MAIL_FROM?.trim() || 'Candor <no-reply@localhost>',
    webhookAllowHosts: (env.CANDOR_WEBHOOK_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    webhookPollMs: intOr(env.CANDOR_WEBHOOK_POLL_MS, 1000, 'CANDOR_WEBHOOK_POLL_MS', problems),
    webhookRetryBaseMs: intOr(env.CANDOR_WEBHOOK_RETRY_BASE_MS, 30_000, 'CANDOR_WEBHOOK_RETRY_BASE_MS', problems),
    logLevel: env.LOG_LEVEL?.trim() || (nodeEnv === 'test' ? 'silent' : 'info'),
    bodyLimit: env.CANDOR_BODY_LIMIT?.trim() || '1mb',
    // Generous by default (well above what one process serves), so only floods are cut; tighten per deployment.
    rateLimit: intOr(env.CANDOR_RATE_LIMIT, 100_000, 'CANDOR_RATE_LIMIT', problems, 'requests'),
    rateLimitWindowSeconds: intOr(env.CANDOR_RATE_LIMIT_WINDOW_S, 10, 'CANDOR_RATE_LIMIT_WINDOW_S', problems, 'seconds') || 10,
    requestTimeoutMs: intOr(env.CANDOR_REQUEST_TIMEOUT_MS, 30_000, 'CANDOR_REQUEST_TIMEOUT_MS', problems),
    uploadLimitBytes: byteSizeOr(env.CANDOR_UPLOAD_LIMIT, '512mb', 'CANDOR_UPLOAD_LIMIT', problems),
    uploadConcurrency: Math.max(1, intOr(env.CANDOR_UPLOAD_CONCURRENCY, 2, 'CANDOR_UPLOAD_CONCURRENCY', problems, 'uploads')),
    uploadIdleTimeoutMs: intOr(env.CANDOR_UPLOAD_IDLE_TIMEOUT_MS, 30_000, 'CANDOR_UPLOAD_IDLE_TIMEOUT_MS', problems),
    metricsToken: env.CANDOR_METRICS_TOKEN?.trim() || null,
    portalSecret: portalSecret || null,
    signInLimit: intOr(env.CANDOR_SIGNIN_LIMIT, 5, 'CANDOR_SIGNIN_LIMIT', problems, 'sign-in links'),
    signInWindowSeconds: intOr(env.CANDOR_SIGNIN_WINDOW_S, 900, 'CANDOR_SIGNIN_WINDOW_S', problems, 'seconds') || 900,
    doubleOptInDays: intOr(env.CANDOR_DOUBLE_OPT_IN_DAYS, 7, 'CANDOR_DOUBLE_OPT_IN_DAYS', problems, 'days'),
    doubleOptInResendHours: intOr(env.CANDOR_DOUBLE_OPT_IN_RESEND_HOURS, 24, 'CANDOR_DOUBLE_OPT_IN_RESEND_HOURS', problems, 'hours'),
    jobs: {
      importChunkLines: intOr(env.CANDOR_IMPORT_CHUNK_LINES, 20_000, 'CANDOR_IMPORT_CHUNK_LINES', problems, 'lines') || 20_000,
      importLeaseMs: intOr(env.CANDOR_IMPORT_LEASE_MS, 30_000, 'CANDOR_IMPORT_LEASE_MS', problems) || 30_000,
      erasureChunkSubjects: intOr(env.CANDOR_ERASURE_CHUNK_SUBJECTS, 2_000, 'CANDOR_ERASURE_CHUNK_SUBJECTS', problems, 'subjects') || 2_000,
      erasureLeaseMs: intOr(env.CANDOR_ERASURE_LEASE_MS, 30_000, 'CANDOR_ERASURE_LEASE_MS', problems) || 30_000,
    },
  };
  if (config.doubleOptInDays < 1 || config.doubleOptInDays > 365) problems.push('CANDOR_DOUBLE_OPT_IN_DAYS must be a whole number of days from 1 to 365');
  if (config.metricsToken !== null && config.metricsToken.length < 24) problems.push('CANDOR_METRICS_TOKEN must be at least 24 characters');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** A node argument that sizes V8's heap. */
export const HEAP_FLAG = /--max-(semi|old)-space-size/;

/** CANDOR_WORKERS: empty → 1, "auto" → one per core, else a whole number from 1 to 64. */
export function workerCount(value: string | undefined, cores: number): number {
  const problems: string[] = [];
  const count = workersOr(value, cores, problems);
  if (problems.length) throw new ConfigError(problems);
  return count;
}

function workersOr(value: string | undefined, cores: number, problems: string[]): number {
  const text = (value ?? '').trim().toLowerCase();
  if (!text) return 1;
  if (text === 'auto') return Math.max(1, cores);
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    problems.push(`CANDOR_WORKERS must be a whole number from 1 to 64, or "auto" (got "${value}")`);
    return 1;
  }
  return n;
}

/** `url` without trailing slashes (a loop: the pattern /\/+$/ backtracks quadratically). */
export function withoutTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

function intOr(text: string | undefined, fallback: number, name: string, problems: string[], unit = 'milliseconds'): number {
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    problems.push(`${name} must be a whole number of ${unit}`);
    return fallback;
  }
  return value;
}

/**
 * A size written as CANDOR_BODY_LIMIT is (the body parser's format): a number of bytes, or a number
 * with a unit `b`, `kb`, `mb`, `gb` or `tb` (powers of 1024, case and a space between aside).
 * Returns null for anything else.
 */
export function parseByteSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?) *(b|kb|mb|gb|tb)?$/i.exec(text.trim());
  if (!match) return null;
  const power = ['b', 'kb', 'mb', 'gb', 'tb'].indexOf((match[2] ?? 'b').toLowerCase());
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

function byteSizeOr(text: string | undefined, fallback: string, name: string, problems: string[]): number {
  const given = text === undefined || text.trim() === '' ? fallback : text;
  const bytes = parseByteSize(given);
  if (bytes === null) {
    problems.push(`${name} must be a size such as 512mb, 64kb or a number of bytes (got "${given}")`);
    return parseByteSize(fallback)!;
  }
  return bytes;
}

function parsePort(text: string, name: string, problems: string[]): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`${name} must be an integer from 0 to 65535 (got "${text}")`);
    return 0;
  }
  return port;
}

function parseMasterKey(text: string, problems: string[]): Buffer | undefined {
  if (!text) return undefined;
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    problems.push('CANDOR_MASTER_KEY must be 32 bytes, written as base64 or as 64 hex digits');
    return undefined;
  }
  return key;
}

function readOrCreateSecrets(dataDir: string): StoredSecrets {
  return {
    adminKey: storedSecret(dataDir, 'adminKey', () => `op_${randomBytes(24).toString('base64url')}`),
    masterKey: storedSecret(dataDir, 'masterKey', () => randomBytes(32).toString('base64')),
    portalSecret: storedSecret(dataDir, 'portalSecret', () => randomBytes(24).toString('base64url')),
  };
}

/**
 * A generated secret kept in `<dataDir>/secrets.json` (mode 600): read when it is there, else
 * made with `make` and added, leaving the file's other secrets as they were.
 */
export function storedSecret(dataDir: string, name: string, make: () => string): string {
  const file = join(dataDir, 'secrets.json');
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (stored[name]) return stored[name];
  stored[name] = make();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return stored[name];
}

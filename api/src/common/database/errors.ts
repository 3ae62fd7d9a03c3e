import { QueryFailedError } from 'typeorm';

/** True when `error` is PostgreSQL's unique violation (23505) on `constraint`. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && (constraint === undefined || driverError.constraint === constraint);
}

const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when `error` says the database cannot be reached right now (server down or restarting,
 * connection lost, too many connections) rather than that the request was wrong: such a request
 * deserves 503 and a retry, not 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const inner = error instanceof QueryFailedError ? error.driverError : error;
  const { code, message } = (inner ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
  return typeof message === 'string' && /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}

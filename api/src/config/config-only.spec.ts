import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '..');

/**
 * Places that may touch `process.env` outside `config/`, each with why it is not configuration.
 */
const ALLOWED: Record<string, string> = {
  'common/database/embedded-postgres.ts': "passes the environment through to PostgreSQL's own programs (with C messages)",
};

describe('configuration', () => {
  it('is read from the environment only in config/ (every other module takes CandorConfig)', () => {
    const files = (readdirSync(SRC, { recursive: true }) as string[])
      .map((f) => f.replace(/\\/g, '/'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.startsWith('config/'));
    expect(files.length).toBeGreaterThan(100);
    const readers = files.filter((f) => /process\.env\b/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(readers.map((f) => relative('.', f)).sort()).toEqual(Object.keys(ALLOWED).sort());
  });
});

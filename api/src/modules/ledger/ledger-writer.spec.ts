import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyRow } from '../../common/database/copy';
import { checkDecision, ConsentSnapshot, mergedConsent, refusalReason } from './ledger-writer';

const API_SRC = join(__dirname, '..', '..');
const WRITER = 'modules/ledger/ledger-writer.ts';

/** Statements and repository calls that change the ledger: its events, its head, its projection. */
const LEDGER_WRITES = [
  /INSERT\s+INTO\s+(consent_events|consent_states|ledger_heads)\b/gi,
  /UPDATE\s+(consent_events|consent_states|ledger_heads)\b/gi,
  /DELETE\s+FROM\s+(consent_events|ledger_heads)\b/gi,
];
/**
 * Repository writes: every `getRepository(X).method` (a plain pattern the regex-safety proof
 * decides at once), then kept when X is a ledger entity and the method writes.
 */
const REPOSITORY_CALL = /getRepository\((\w+)\)\s*\.(\w+)/g;
const LEDGER_ENTITIES = new Set(['ConsentEventEntity', 'ConsentStateEntity', 'LedgerHeadEntity']);
const WRITE_METHODS = new Set(['insert', 'update', 'save', 'upsert', 'delete', 'remove']);

/** Writes elsewhere that are not decisions, each with its reason. */
const ALLOWED_ELSEWHERE: Record<string, string> = {
  'modules/unsubscribe/unsubscribe.service.ts': 'revoking unsubscribe links increments consent_states.unsubscribe_generation; no decision or event changes',
};

describe('the consent ledger has one writer', () => {
  it('changes consent_events, ledger_heads and consent_states only in LedgerWriter', () => {
    const files = (readdirSync(API_SRC, { recursive: true }) as string[])
      .map((f) => f.replace(/\\/g, '/'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    const writes = files.flatMap((file) => {
      const source = readFileSync(join(API_SRC, file), 'utf8');
      const repositoryWrites = [...source.matchAll(REPOSITORY_CALL)].filter((m) => LEDGER_ENTITIES.has(m[1]!) && WRITE_METHODS.has(m[2]!));
      return [...LEDGER_WRITES.flatMap((pattern) => [...source.matchAll(pattern)]), ...repositoryWrites].map((m) => `${file}: ${m[0].replace(/\s+/g, ' ')}`);
    });
    // The check can see a write: the writer's own are found.
    expect(writes.filter((w) => w.startsWith(`${WRITER}:`)).length).toBeGreaterThanOrEqual(4);
    const elsewhere = writes.filter((w) => !w.startsWith(`${WRITER}:`) && !(w.split(':')[0] in ALLOWED_ELSEWHERE));
    expect(elsewhere, `write through LedgerWriter (${relative(process.cwd(), join(API_SRC, WRITER))})`).toEqual([]);
  });
});

describe('checkDecision: the ledger rules for one decision', () => {
  const configured = { purposeExists: true, noticeExists: null, latestNotice: 3 };

  it('records the newest notice unless the decision names a published one', () => {
    expect(checkDecision({ granted: true }, configured)).toEqual({ ok: true, noticeVersion: 3 });
    expect(checkDecision({ granted: true, noticeVersion: 2 }, { ...configured, noticeExists: true })).toEqual({ ok: true, noticeVersion: 2 });
  });

  it('refuses an unknown purpose, an unpublished notice version, and a grant with no notice', () => {
    const refused = (d: Parameters<typeof checkDecision>[0], f: Parameters<typeof checkDecision>[1]) => {
      const result = checkDecision(d, f);
      return result.ok ? null : result.refusal.code;
    };
    expect(refused({ granted: true }, { ...configured, purposeExists: false })).toBe('unknown-purpose');
    expect(refused({ granted: false, noticeVersion: 9 }, { ...configured, noticeExists: false })).toBe('unknown-notice-version');
    expect(refused({ granted: true }, { ...configured, latestNotice: null })).toBe('notice-required');
  });

  it('lets a withdrawal through without a notice: withdrawing never needs words to agree to', () => {
    expect(checkDecision({ granted: false }, { ...configured, latestNotice: null })).toEqual({ ok: true, noticeVersion: null });
  });

  it('words an import rejection without the submitted value', () => {
    const result = checkDecision({ granted: true }, { ...configured, purposeExists: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(refusalReason(result.refusal)).toBe('unknown-purpose: purpose is not a purpose of this brand (GET /v1/purposes lists them)');
  });
});

describe('copyRow: COPY text format', () => {
  it('escapes what would break a row, writes NULL, bytes, times and numbers', () => {
    expect(copyRow(['a\tb\nc\\d\re', null, undefined, Buffer.from([0xde, 0xad]), new Date('2026-03-02T08:00:00Z'), 7, true])).toBe(
      'a\\tb\\nc\\\\d\\re\t\\N\t\\N\t\\\\xdead\t2026-03-02T08:00:00.000Z\t7\ttrue\n',
    );
  });
});

describe('mergedConsent: one person, two records, the more protective decision', () => {
  const now = new Date('2026-03-02T09:00:00Z');
  const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
  const granted = (expiresAt: Date | null = null, noticeVersion = 1): ConsentSnapshot => ({ granted: true, noticeVersion, expiresAt });
  const withdrawn: ConsentSnapshot = { granted: false, noticeVersion: 1, expiresAt: null };

  it('has nothing to merge when the merged record never decided', () => {
    expect(mergedConsent(granted(), null, now)).toBeNull();
    expect(mergedConsent(null, null, now)).toBeNull();
  });

  it('withdraws when either record withdrew, and says the records disagreed', () => {
    expect(mergedConsent(granted(), withdrawn, now)).toMatchObject({ granted: false, kept: 'merged', disagreed: true });
    expect(mergedConsent(withdrawn, granted(), now)).toMatchObject({ granted: false, kept: 'survivor', disagreed: true });
    expect(mergedConsent(withdrawn, withdrawn, now)).toMatchObject({ granted: false, disagreed: false });
    expect(mergedConsent(null, withdrawn, now)).toMatchObject({ granted: false, kept: 'merged', disagreed: false });
  });

  it('carries over an agreement only the merged record holds', () => {
    expect(mergedConsent(null, granted(days(30), 2), now)).toEqual({ granted: true, noticeVersion: 2, expiresAt: days(30), kept: 'merged', disagreed: false });
  });

  it('between two agreements keeps the valid one that ends first, and a lapsed one only when neither is valid', () => {
    expect(mergedConsent(granted(null), granted(days(10)), now)).toMatchObject({ kept: 'merged', expiresAt: days(10) });
    expect(mergedConsent(granted(days(5)), granted(days(10)), now)).toMatchObject({ kept: 'survivor', expiresAt: days(5) });
    expect(mergedConsent(granted(days(5)), granted(days(5)), now)).toMatchObject({ kept: 'survivor' });
    expect(mergedConsent(granted(days(-1)), granted(null, 3), now)).toMatchObject({ kept: 'merged', granted: true, noticeVersion: 3, expiresAt: null });
    expect(mergedConsent(granted(days(-1)), granted(days(-5)), now)).toMatchObject({ kept: 'merged', expiresAt: days(-5) });
  });

  it('property: never allows what either record forbade, and allows only what one of them allowed', () => {
    const snapshot = fc.option(
      fc.record({ granted: fc.boolean(), noticeVersion: fc.option(fc.integer({ min: 1, max: 9 })), expiresAt: fc.option(fc.integer({ min: -100, max: 100 }).map(days)) }),
    );
    const allows = (s: ConsentSnapshot | null) => s !== null && s.granted && (s.expiresAt === null || s.expiresAt > now);
    fc.assert(
      fc.property(snapshot, snapshot, (survivor, merged) => {
        const result = mergedConsent(survivor, merged, now);
        const final = result ?? survivor;
        if (survivor?.granted === false || merged?.granted === false) expect(final?.granted ?? false).toBe(false);
        if (allows(final)) expect(allows(survivor) || allows(merged)).toBe(true);
        // What both allow stays allowed: the merge never takes a valid consent from the person for nothing.
        if (allows(survivor) && allows(merged)) expect(allows(final)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

import 'reflect-metadata';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDirectly, parseLine, parseLineByRules } from './import-lines';

const now = new Date('2026-03-02T09:00:00.000Z');
const minutes = (m: number) => new Date(now.getTime() + m * 60_000).toISOString();

/** A field that is often missing (`undefined` is left out by JSON.stringify). */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: arb, weight: 1 });
/** Mostly `valid`, sometimes `other`: most generated lines pass, so the direct check is exercised. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, ...other: Array<fc.Arbitrary<U>>) =>
  fc.oneof({ arbitrary: valid, weight: 12 }, ...other.map((arbitrary) => ({ arbitrary, weight: 1 })));
/** A field that is rarely there. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: arb, weight: 1 });
/** Values of the wrong kind that any field may carry. */
const junk = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.string({ maxLength: 8 }), fc.constant([]), fc.constant({}));

const dates = mostly(
  fc.date({ min: new Date('1990-01-01'), max: new Date('2026-03-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ min: new Date('2026-03-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(minutes(-60), minutes(4), minutes(6), minutes(60 * 24 * 400), '2025-06-01', '2025-06-01T12:00:00+02:00', 'June 1, 2025', 'not a date', '2025-13-45T00:00:00Z', ''),
  fc.integer(),
  junk,
);

const consentLine = fc.record(
  {
    type: fc.constant('consent'),
    externalId: fc.constantFrom('m-1', 'member 42', 'ø'),
    purpose: mostly(fc.constantFrom('email_marketing', 'sms_marketing', 'a', 'x'.repeat(64)), fc.constantFrom('x'.repeat(65), 'Email', '1abc', 'with-dash', ''), junk),
    granted: mostly(fc.boolean(), fc.constantFrom('true', 'yes', 1, 0), junk),
    noticeVersion: maybe(mostly(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0, -1, 1_000_001, 1.5, '2'), junk)),
    source: maybe(mostly(fc.constantFrom('bench', 'crm-export', 'signup-form', 'a.b:c_d', 'x'.repeat(64)), fc.constantFrom('x'.repeat(65), 'Bad Label', '-lead', ''), junk)),
    capturedAt: mostly(dates, fc.constant(undefined)),
    expiresAt: fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: dates, weight: 1 }),
    evidence: rarely(fc.oneof(fc.constant({ form: 'x' }), junk)),
    channel: rarely(fc.constant('email')),
  },
  { requiredKeys: ['type', 'externalId', 'purpose', 'granted', 'capturedAt', 'noticeVersion', 'source', 'expiresAt', 'evidence', 'channel'] },
);

const subjectLine = fc.record(
  {
    type: fc.constant('subject'),
    externalId: mostly(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('x'.repeat(200), '\uFE0F', '\uFE0Fa', '😀'.repeat(100), ' ')),
    email: maybe(
      mostly(
        fc.oneof(fc.emailAddress(), fc.constantFrom('ingrid@example.com', 'Ingrid@Example.COM', 'c1@example.com')),
        fc.constantFrom('not-an-email', 'a@b', `${'a'.repeat(64)}@${'b'.repeat(185)}.com`, 'x@y..z', ''),
        junk,
      ),
    ),
    phone: maybe(mostly(fc.constantFrom('+4791234567', '+47 (912) 34-567', '+1234567'), fc.constantFrom('4791234567', '+0123456789', '+12345', '+1'.padEnd(25, '9')), junk)),
    locale: maybe(mostly(fc.constantFrom('en', 'nb', 'nb-NO', 'zh-Hant-TW'), fc.constantFrom('EN', 'e', 'english', 'en_GB'), junk)),
    timezone: maybe(mostly(fc.constantFrom('Europe/Oslo', 'UTC', 'europe/oslo', 'America/Argentina/Buenos_Aires'), fc.constantFrom('Mars/Olympus', 'x'.repeat(65)), junk)),
    name: rarely(fc.constant('Ingrid')),
  },
  { requiredKeys: ['type', 'externalId', 'email', 'phone', 'locale', 'timezone', 'name'] },
);

describe('import line checks', () => {
  it('answer exactly as the DTO rules do, for consent lines of every shape', () => {
    fc.assert(
      fc.property(consentLine, (line) => {
        const text = JSON.stringify(line);
        expect(parseLine(text, now)).toEqual(parseLineByRules(text, now));
      }),
      { numRuns: 5000 },
    );
  });

  it('answer exactly as the DTO rules do, for subject lines of every shape', () => {
    fc.assert(
      fc.property(subjectLine, (line) => {
        const text = JSON.stringify(line);
        expect(parseLine(text, now)).toEqual(parseLineByRules(text, now));
      }),
      { numRuns: 5000 },
    );
  });

  it('answer exactly as the DTO rules do for hand-picked edge cases', () => {
    const lines = [
      '{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"capturedAt":"2025-06-01T12:00:00.000Z","__proto__":{"x":1}}',
      '{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"capturedAt":"2025-06-01T12:00:00.000Z","constructor":1}',
      '{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"granted":"yes","capturedAt":"2025-06-01T12:00:00.000Z"}',
      '{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":false,"capturedAt":"2025-06-01T12:00:00.000Z","expiresAt":"2025-06-01T12:00:00.000Z"}',
      '{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"capturedAt":"2025-06-01T12:00:00.000Z","noticeVersion":null}',
      '{"type":"subject","externalId":"m-1","email":null,"phone":null}',
      '{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"capturedAt":null}',
      '{"type":"subject","externalId":"m-1","__proto__":{"email":"x@example.com"}}',
      '{"type":"fact","externalId":"m-1","key":"shoe_size","value":"42","category":"sizes","provenance":"declared","source":"crm"}',
      '{"type":"preference","externalId":"m-1","channels":{"sms":{"optedIn":true}}}',
    ];
    for (const text of lines) expect(parseLine(text, now), text).toEqual(parseLineByRules(text, now));
  });

  it('take the direct path for ordinary valid lines (what makes large imports fast)', () => {
    const ordinary = [
      { type: 'consent', externalId: 'c-1', purpose: 'email_marketing', granted: true, capturedAt: '2025-06-01T12:00:00.000Z', source: 'bench' },
      { type: 'consent', externalId: 'c-1', purpose: 'sms_marketing', granted: true, capturedAt: minutes(-5), expiresAt: minutes(60), noticeVersion: 2 },
      { type: 'subject', externalId: 'c-1', email: 'c1@example.com' },
      { type: 'subject', externalId: 'c-2', phone: '+4791234567', locale: 'nb', timezone: 'Europe/Oslo' },
    ];
    for (const line of ordinary) {
      expect(checkDirectly(line, now), JSON.stringify(line)).toBeDefined();
      expect(parseLine(JSON.stringify(line), now)).toMatchObject({ ok: true });
    }
    // A broken rule is never accepted directly: the DTO words the reason.
    expect(checkDirectly({ type: 'consent', externalId: 'c-1', purpose: 'email_marketing', granted: 'yes', capturedAt: minutes(-5) }, now)).toBeUndefined();
    expect(parseLine(JSON.stringify({ type: 'consent', externalId: 'c-1', purpose: 'email_marketing', granted: 'yes', capturedAt: minutes(-5) }), now)).toEqual({
      ok: false,
      reason: 'granted: granted must be a boolean value',
    });
  });

  it('take fact values of every type the single-fact route takes, keep their type, and refuse what it refuses', () => {
    const line = (value: unknown) =>
      JSON.stringify({ type: 'fact', externalId: 'm-1', key: 'sessions_per_week', value, category: 'behavior', provenance: 'observed', source: 'app_sessions' });
    for (const value of ['5', 5, 2.5, true, ['sleep_better', 'reduce_stress']]) {
      const parsed = parseLine(line(value), now);
      expect(parsed, JSON.stringify(value)).toMatchObject({ ok: true, kind: 'fact', data: { value } });
      expect(parsed).toEqual(parseLineByRules(line(value), now));
    }
    for (const value of [null, {}, [], ['a', 'a'], [1, 2], '', 'x'.repeat(501)]) {
      const parsed = parseLine(line(value), now);
      expect(parsed, JSON.stringify(value)).toMatchObject({ ok: false });
      expect((parsed as { reason: string }).reason).toMatch(/^value: /);
    }
  });

  it('rejects a consent line whose capturedAt is null (it used to fail the whole upload)', () => {
    const text = '{"type":"consent","externalId":"m-1","purpose":"email_marketing","granted":true,"capturedAt":null}';
    expect(parseLine(text, now)).toEqual({ ok: false, reason: 'capturedAt: is required in an import (when the customer decided)' });
  });
});

describe('identifier and merge lines', () => {
  it('take an identifier by the rules of POST /v1/subjects/{id}/identifiers, its value kept out of the staged data', () => {
    const line = (fields: object) => parseLine(JSON.stringify({ type: 'identifier', externalId: 'm-1', ...fields }), now);
    expect(line({ identifierType: 'email', value: 'Ingrid@Example.com' })).toEqual({
      ok: true,
      kind: 'identifier',
      externalId: 'm-1',
      data: { identifierType: 'email', system: null },
      identifierValue: 'ingrid@example.com',
    });
    expect(line({ identifierType: 'external', system: 'loyalty', value: 'L-1' })).toMatchObject({ ok: true, data: { identifierType: 'external', system: 'loyalty' }, identifierValue: 'L-1' });
    expect(line({ identifierType: 'phone', value: '12' })).toEqual({ ok: false, reason: 'value: must be a phone number in international form, such as +4791234567' });
    expect(line({ identifierType: 'email', system: 'crm', value: 'a@example.com' })).toEqual({ ok: false, reason: 'system: only an external id names a system' });
    expect(line({ identifierType: 'fax', value: '1' })).toMatchObject({ ok: false, reason: expect.stringMatching(/^identifierType: /) });
    // Rejections never repeat the line: not the value, not a field name it made up.
    expect(line({ identifierType: 'email', value: 'secret.person@', secretField: 1 })).toEqual({ ok: false, reason: 'a field of the line is not a known field of its type' });
    expect(JSON.stringify(line({ identifierType: 'email', value: 'secret.person@' }))).not.toContain('secret.person');
  });

  it('take a merge of another subject, named by its external id', () => {
    expect(parseLine(JSON.stringify({ type: 'merge', externalId: 'm-1', fromExternalId: 'm-2' }), now)).toEqual({ ok: true, kind: 'merge', externalId: 'm-1', data: { fromExternalId: 'm-2' } });
    expect(parseLine(JSON.stringify({ type: 'merge', externalId: 'm-1', fromExternalId: 'm-1' }), now)).toEqual({ ok: false, reason: 'fromExternalId: must name another subject than externalId' });
    expect(parseLine(JSON.stringify({ type: 'merge', externalId: 'm-1' }), now)).toMatchObject({ ok: false, reason: expect.stringMatching(/^fromExternalId: /) });
    expect(parseLineByRules(JSON.stringify({ type: 'merge', externalId: 'm-1', fromExternalId: 'm-2' }), now)).toEqual(parseLine(JSON.stringify({ type: 'merge', externalId: 'm-1', fromExternalId: 'm-2' }), now));
  });
});

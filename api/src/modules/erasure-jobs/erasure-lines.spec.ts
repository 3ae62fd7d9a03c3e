import { describe, expect, it } from 'vitest';
import { parseErasureLine } from './erasure-lines';

describe('bulk erasure lines', () => {
  it('accepts a subject id (normalised to lower case) or an external id', () => {
    expect(parseErasureLine('{"subjectId":"0B9F5C3A-1D2E-4F60-8A7B-9C0D1E2F3A4B"}')).toEqual({ ok: true, subjectId: '0b9f5c3a-1d2e-4f60-8a7b-9c0d1e2f3a4b' });
    expect(parseErasureLine('{"externalId":"m-1042"}')).toEqual({ ok: true, externalId: 'm-1042' });
  });

  it('rejects anything else with a reason a person can act on', () => {
    const reason = (text: string) => {
      const parsed = parseErasureLine(text);
      expect(parsed.ok).toBe(false);
      return (parsed as { reason: string }).reason;
    };
    expect(reason('{"subjectId": broken')).toMatch(/^not valid JSON/);
    expect(reason('["m-1"]')).toBe('must be a JSON object');
    expect(reason('{}')).toMatch(/^name the subject to erase/);
    expect(reason('{"subjectId":"42"}')).toMatch(/^subjectId: must be a subject id/);
    expect(reason('{"externalId":""}')).toMatch(/^externalId: /);
    expect(reason(`{"externalId":"${'x'.repeat(201)}"}`)).toMatch(/^externalId: /);
    expect(reason('{"externalId":7}')).toMatch(/^externalId: /);
    expect(reason('{"externalId":"m-1","subjectId":"0b9f5c3a-1d2e-4f60-8a7b-9c0d1e2f3a4b"}')).toMatch(/not both/);
    expect(reason('{"externalId":"m-1","email":"a@example.com"}')).toMatch(/^only "subjectId" or "externalId" is accepted/);
    // PostgreSQL text cannot hold U+0000: refused here, not failed in the database.
    expect(reason('{"externalId":"m-\\u00001"}')).toBe('a value or key must be text without NUL (U+0000) characters or unpaired surrogates');
    // An escaped backslash followed by "u0000" is no NUL character.
    expect(parseErasureLine('{"externalId":"m-\\\\u0000"}')).toEqual({ ok: true, externalId: 'm-\\u0000' });
  });

  it('never words a rejection with what the line said (it is stored and shown)', () => {
    const marker = 'zz-marker-5150@example.com';
    const lines = [
      `{"externalId": "${marker}`,
      `{"subjectId": "${marker}" x}`,
      `{"${marker}": 1}`,
      `{"externalId": "a", "${marker}": "b"}`,
      `{"subjectId": "${marker}"}`,
      `{"externalId": "${marker}\\u0000"}`,
      `{"${marker}\\u0000": 1}`,
      `${marker}`,
      `"${marker}"`,
    ];
    for (const text of lines) {
      const parsed = parseErasureLine(text);
      expect(parsed.ok, text).toBe(false);
      expect((parsed as { reason: string }).reason, text).not.toContain('marker');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ifMatchNamesVersion, ifMatchSatisfied } from './etag';

describe('If-Match (RFC 9110 strong comparison)', () => {
  const current = '"prefs-v3"';
  it('matches the current strong tag, in a list too, and *', () => {
    expect(ifMatchSatisfied('"prefs-v3"', current)).toBe(true);
    expect(ifMatchSatisfied(' "old", "prefs-v3" ', current)).toBe(true);
    expect(ifMatchSatisfied('*', current)).toBe(true);
  });
  it('never matches a weak tag, another tag, or what is not an entity tag', () => {
    expect(ifMatchSatisfied('W/"prefs-v3"', current)).toBe(false);
    expect(ifMatchSatisfied('"prefs-v2"', current)).toBe(false);
    expect(ifMatchSatisfied('prefs-v3', current)).toBe(false);
    expect(ifMatchSatisfied('"prefs-v3', current)).toBe(false);
    expect(ifMatchSatisfied('', current)).toBe(false);
  });
  it('tells a header that names a version from one that names none (absent, empty or *)', () => {
    expect(ifMatchNamesVersion('"prefs-v3"')).toBe(true);
    expect(ifMatchNamesVersion('W/"prefs-v3"')).toBe(true);
    expect(ifMatchNamesVersion('"old", "prefs-v3"')).toBe(true);
    expect(ifMatchNamesVersion('*')).toBe(false);
    expect(ifMatchNamesVersion(' * ')).toBe(false);
    expect(ifMatchNamesVersion('"prefs-v3", *')).toBe(false);
    expect(ifMatchNamesVersion('')).toBe(false);
    expect(ifMatchNamesVersion(undefined)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { ifMatchSatisfied } from './etag';

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
});

import { describe, expect, it } from 'vitest';
import { loggedPath } from './logging';

describe('request log paths', () => {
  it('drop the query string and the tokens of link routes, keeping the route', () => {
    expect(loggedPath('/v1/subjects/1b7c?purpose=x')).toBe('/v1/subjects/1b7c');
    expect(loggedPath('/v1/consent-confirmations/cco_secret')).toBe('/v1/consent-confirmations/[token]');
    expect(loggedPath('/v1/unsubscribe/AQ3kSecret?x=1')).toBe('/v1/unsubscribe/[token]');
    expect(loggedPath('/v1/erasure-receipts/cer_secret')).toBe('/v1/erasure-receipts/[token]');
    expect(loggedPath('/v1/subjects/1b7c/unsubscribe-links')).toBe('/v1/subjects/1b7c/unsubscribe-links');
  });
});

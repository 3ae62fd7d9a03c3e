import { describe, expect, it } from 'vitest';
import { documentedOperations, mediaTypeAccepted, mediaTypeOf } from './request-shape';

describe('the request shape the document describes', () => {
  const operations = documentedOperations({
    paths: {
      '/v1/subjects/{id}': { get: { parameters: [{ in: 'path', name: 'id' }, { in: 'query', name: 'purpose' }] } },
      '/v1/subjects/import': { post: { requestBody: { content: { 'application/json': {} } } } },
    },
  });
  it('lists specific paths before templated ones, with their query parameters and body types', () => {
    expect(operations.map((o) => [o.method, o.templated])).toEqual([['POST', false], ['GET', true]]);
    const get = operations[1];
    expect(get.pattern.test('/v1/subjects/0b9f6c1e')).toBe(true);
    expect(get.pattern.test('/v1/subjects/0b9f6c1e/')).toBe(true);
    expect(get.pattern.test('/v1/subjects/a/b')).toBe(false);
    expect([...get.query]).toEqual(['purpose']);
    expect(get.bodyTypes).toBeNull();
    expect(operations[0].bodyTypes).toEqual(['application/json']);
  });
  it('accepts JSON and +json types where JSON is documented, and nothing else', () => {
    expect(mediaTypeOf('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaTypeAccepted('application/json', ['application/json'])).toBe(true);
    expect(mediaTypeAccepted('application/merge-patch+json', ['application/json'])).toBe(true);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', '', 'application/jsonx']) {
      expect(mediaTypeAccepted(type, ['application/json']), type).toBe(false);
    }
    expect(mediaTypeAccepted('application/x-www-form-urlencoded', ['application/x-www-form-urlencoded'])).toBe(true);
  });
});

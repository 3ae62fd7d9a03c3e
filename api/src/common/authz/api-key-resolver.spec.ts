import { describe, expect, it } from 'vitest';
import { ExpiringCache } from './api-key-resolver.service';

describe('ExpiringCache', () => {
  it('forgets an entry once its time is up', () => {
    let now = 1000;
    const cache = new ExpiringCache<string>(500, 10, () => now);
    cache.set('k', 'v');
    now = 1499;
    expect(cache.get('k')).toBe('v');
    now = 1500;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the oldest entry beyond its size, and everything on clear', () => {
    const cache = new ExpiringCache<number>(1000, 2, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3); // refreshing moves it to the back
    cache.set('c', 4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(3);
    expect(cache.get('c')).toBe(4);
    cache.clear();
    expect(cache.get('a')).toBeUndefined();
  });
});

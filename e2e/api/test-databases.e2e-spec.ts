import { describe, expect, it } from 'vitest';
import { isStaleTestDatabase, testDatabaseStamp } from '../support/database';

/**
 * Runs on one server share it: each run's setup drops what interrupted runs left behind, and must
 * never drop a database another run has just created (a clone has no connection yet while its
 * API process starts).
 */
describe('test database cleanup', () => {
  const now = Date.now();
  const hours = (n: number) => now - n * 3600_000;

  it("leaves other runs' fresh clones and templates alone", () => {
    for (const name of [`candor_t_${testDatabaseStamp(now)}_0123456789ab`, `candor_tpl_${testDatabaseStamp(hours(5))}_0123456789`]) {
      expect(isStaleTestDatabase(name, now), name).toBe(false);
    }
  });

  it('drops clones and templates of runs that ended hours ago, and names without a time', () => {
    for (const name of [`candor_t_${testDatabaseStamp(hours(7))}_0123456789ab`, `candor_tpl_${testDatabaseStamp(hours(7))}_0123456789`, 'candor_t_0123456789ab']) {
      expect(isStaleTestDatabase(name, now), name).toBe(true);
    }
  });
});

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { buildWorld, World } from '../support/reliability-world';

/**
 * Row-level security, checked from the catalog so that a table added by a later migration is
 * covered without touching this file.
 */
let api: TestApi;
let world: World;
let db: Client;

beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', CANDOR_WEBHOOK_POLL_MS: '0' } });
  world = await buildWorld(api, { subjectsPerBrand: 3 });
  db = new Client({ connectionString: api.databaseUrl! });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await api?.close();
});

interface TableInfo {
  table: string;
  hasBrandId: boolean;
  rls: boolean;
  forced: boolean;
  policies: number;
  appCanSelect: boolean;
}

async function tables(): Promise<TableInfo[]> {
  const { rows } = await db.query(`
    SELECT c.relname AS table,
           EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'brand_id' AND NOT a.attisdropped) AS "hasBrandId",
           c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
           (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
           has_table_privilege('candor_app', c.oid, 'SELECT') AS "appCanSelect"
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    ORDER BY 1`);
  return rows;
}

/** Runs `work` as the app role in a transaction, with the given settings, and rolls back. */
async function asApp<T>(settings: Record<string, string>, work: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    await db.query('SET LOCAL ROLE candor_app');
    for (const [name, value] of Object.entries(settings)) await db.query(`SELECT set_config($1, $2, true)`, [name, value]);
    return await work();
  } finally {
    await db.query('ROLLBACK');
  }
}

describe('row-level security on every table', () => {
  it('is enabled, forced and has a policy on every table with a brand_id, and the app reads no other table', async () => {
    const all = await tables();
    const withBrand = all.filter((t) => t.hasBrandId);
    console.log(`rls meta: ${all.length} tables, ${withBrand.length} with brand_id, ${all.filter((t) => t.appCanSelect).length} readable by candor_app`);
    expect(withBrand.length).toBeGreaterThanOrEqual(15);
    expect(withBrand.filter((t) => !t.rls || !t.forced || t.policies < 1).map((t) => t.table)).toEqual([]);
    // A table the app can read without a brand_id would have no tenant boundary at all.
    expect(all.filter((t) => t.appCanSelect && !t.hasBrandId).map((t) => t.table)).toEqual([]);
  });

  it('runs the app as a role that cannot bypass it', async () => {
    const { rows } = await db.query(`SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'candor_app'`);
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false }]);
    const owned = await db.query(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = 'candor_app'`);
    expect(owned.rows[0].n).toBe(0);
  });

  it('shows the app role nothing at all when no brand is set, although every table holds rows', async () => {
    const readable = (await tables()).filter((t) => t.appCanSelect);
    const stored: Record<string, number> = {};
    for (const t of readable) stored[t.table] = (await db.query(`SELECT count(*)::int AS n FROM "${t.table}"`)).rows[0].n;
    const seen = await asApp({}, async () => {
      const counts: Record<string, number> = {};
      for (const t of readable) counts[t.table] = (await db.query(`SELECT count(*)::int AS n FROM "${t.table}"`)).rows[0].n;
      return counts;
    });
    const populated = Object.entries(stored).filter(([, n]) => n > 0).length;
    console.log(`rls meta: ${populated}/${readable.length} readable tables hold rows; visible without a brand: ${Object.values(seen).reduce((a, b) => a + b, 0)}`);
    expect(populated).toBeGreaterThanOrEqual(10);
    expect(Object.entries(seen).filter(([, n]) => n > 0)).toEqual([]);
  });

  it("shows the app role only the brand it names, in every table", async () => {
    const readable = (await tables()).filter((t) => t.appCanSelect && t.hasBrandId);
    const foreign = await asApp({ 'app.brand_id': world.a.brand.id }, async () => {
      const leaks: string[] = [];
      for (const t of readable) {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${t.table}" WHERE brand_id <> $1`, [world.a.brand.id]);
        if (rows[0].n) leaks.push(`${t.table}: ${rows[0].n}`);
      }
      return leaks;
    });
    expect(foreign).toEqual([]);
    // And writing a row for another brand is refused by the policy.
    await expect(
      asApp({ 'app.brand_id': world.a.brand.id }, () =>
        db.query(`INSERT INTO suppressions (brand_id, suppression_id, subject_id, reason, until) VALUES ($1, gen_random_uuid(), $2, 'x', now())`, [world.b.brand.id, world.b.subjects[0].id]),
      ),
    ).rejects.toThrow(/row-level security|violates/);
  });
});

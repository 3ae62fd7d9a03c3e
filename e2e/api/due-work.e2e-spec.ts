import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantDb } from '../../api/src/common/database/tenant-db.service';
import { ErasureJobRunner } from '../../api/src/modules/erasure-jobs/erasure-job-runner.service';
import { FactsService } from '../../api/src/modules/facts/facts.service';
import { ImportMerger } from '../../api/src/modules/imports/import-merger.service';
import { RetentionService } from '../../api/src/modules/retention/retention.service';
import { DeliveryWorker } from '../../api/src/modules/webhooks/delivery-worker.service';
import { startApi, type TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, recordFact, type TestBrand } from '../support/factories';

/**
 * Background work is found across brands, not by visiting each brand: an idle round of every job
 * opens the same number of transactions for 3 brands as for 120, and work that is due in any one
 * brand is still found and done there.
 */
const IDLE_BRANDS = 120;

let api: TestApi;
let db: Client;
let brands: TestBrand[] = [];
let transactions = 0;

beforeAll(async () => {
  api = await startApi({ env: { CANDOR_WEBHOOK_POLL_MS: '0', CANDOR_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
  db = new Client({ connectionString: api.databaseUrl! });
  await db.connect();
  // Count the transactions the background jobs open through the tenant scope.
  const tenantDb = api.app.get(TenantDb);
  for (const method of ['run', 'lookup'] as const) {
    const original = tenantDb[method].bind(tenantDb) as (...args: unknown[]) => Promise<unknown>;
    (tenantDb as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      transactions++;
      return original(...args);
    };
  }
  for (let i = 0; i < 3; i++) brands.push(await createBrand(api, `Idle ${i}`));
}, 300_000);

afterAll(async () => {
  await db?.end();
  await api?.close();
});

/** One round of every background job, and how many transactions it opened. */
async function idleRound(): Promise<Record<string, number>> {
  const rounds: Record<string, () => Promise<unknown>> = {
    webhooks: () => api.app.get(DeliveryWorker).deliverDue(),
    imports: () => api.app.get(ImportMerger).resumeAbandoned(),
    'erasure jobs': () => api.app.get(ErasureJobRunner).resumeAbandoned(),
    'expired facts': () => api.app.get(FactsService).purgeExpired(),
    retention: () => api.app.get(RetentionService).runDue(),
  };
  const opened: Record<string, number> = {};
  for (const [name, round] of Object.entries(rounds)) {
    const before = transactions;
    await round();
    opened[name] = transactions - before;
  }
  return opened;
}

describe('background jobs across brands', () => {
  it('open as many transactions per idle round for 120 brands as for 3: one per job', async () => {
    const few = await idleRound();
    while (brands.length < IDLE_BRANDS) brands.push(await createBrand(api, `Idle ${brands.length}`));
    const many = await idleRound();
    console.log(`due work: idle round with 3 brands ${JSON.stringify(few)}, with ${IDLE_BRANDS} ${JSON.stringify(many)}`);
    expect(many).toEqual(few);
    expect(Object.values(many).every((n) => n === 1)).toBe(true);
  }, 300_000);

  it('still finds work due in one brand among many, and does it in that brand', async () => {
    const brand = brands[IDLE_BRANDS - 7];
    await adoptPurpose(api, brand, 'personalization');
    const subject = await createSubject(api, brand);
    // A fact past its expiry.
    const expired = await recordFact(api, brand, subject.id, { key: 'goal', value: 'sleep_better', category: 'motivations', expiresAt: new Date(Date.now() + 1500).toISOString() });
    await new Promise((r) => setTimeout(r, 1600));
    expect(await api.app.get(FactsService).purgeExpired()).toBe(1);
    expect((await db.query(`SELECT 1 FROM facts WHERE brand_id = $1 AND fact_id = $2`, [brand.id, expired.id])).rowCount).toBe(0);

    // A retention period set by this brand only: its old fact goes, the others' brands are not visited.
    await recordFact(api, brand, subject.id, { key: 'goal', value: 'reduce_stress', category: 'motivations', collectedAt: new Date(Date.now() - 40 * 86_400_000).toISOString() });
    expect((await api.http.put('/v1/purposes/personalization/retention').set(bearer(brand.key)).send({ days: 30 })).status).toBe(200);
    const before = transactions;
    await api.app.get(RetentionService).runDue();
    expect(transactions - before).toBe(2); // the lookup, and this brand's purge
    const audit = await api.http.get('/v1/audit-log').set(bearer(brand.key));
    expect(audit.body.data[0]).toMatchObject({ action: 'retention.purged', details: { purged: { motivations: 1 } } });
  });

  it('lets the app role see across brands only what the function answers: ids', async () => {
    const brand = brands[IDLE_BRANDS - 3];
    // The app role cannot read across brands by itself: with the function's switch raised by hand it still sees nothing.
    await db.query('BEGIN');
    try {
      await db.query(`SET LOCAL ROLE candor_app`);
      await db.query(`SELECT set_config('app.due_work', 'on', true)`);
      const seen = await db.query(`SELECT count(*)::int AS n FROM purposes`);
      expect(seen.rows[0].n).toBe(0);
      const through = await db.query(`SELECT count(*)::int AS n FROM candor_due_work('retention', 1000) WHERE brand_id = $1`, [brand.id]);
      expect(through.rows[0].n).toBe(0); // no retention period set in this brand
    } finally {
      await db.query('ROLLBACK');
    }
  });
});

import 'reflect-metadata';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EraseEveryTrace1764900000000 } from '../../migrations/src/1764900000000-erase-every-trace';
import { ERASED_TEXT } from '../../api/src/modules/privacy-requests/erasure.service';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../api/src/common/database/data-source';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject } from '../support/factories';

let api: TestApi;
let ds: DataSource;
let sql: Client;

beforeAll(async () => {
  api = await startApi();
  ds = createDataSource(api.databaseUrl!, { poolSize: 1 });
  await ds.initialize();
  sql = new Client({ connectionString: api.databaseUrl! });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await ds?.destroy();
  await api?.close();
});

describe('migration 1764900000000: erasure reaches idempotency keys and privacy-request notes', () => {
  it('attributes remembered consent captures to their subject, and back on the way down', async () => {
    const brand = await createBrand(api, 'Migrated Harbor');
    await adoptPurpose(api, brand, 'email_marketing');
    const subject = await createSubject(api, brand);
    const res = await api.http.post(`/v1/subjects/${subject.id}/consents`).set(bearer(brand.key)).set('Idempotency-Key', 'k-migrated').send({ purpose: 'email_marketing', granted: true });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await sql.query(`SELECT subject_id FROM idempotency_keys WHERE brand_id = $1`, [brand.id])).rows).toEqual([{ subject_id: subject.id }]);

    const migration = new EraseEveryTrace1764900000000();
    const runner = ds.createQueryRunner();
    try {
      await migration.down(runner);
      expect((await sql.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'idempotency_keys' AND column_name = 'subject_id'`)).rows[0].n).toBe(0);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    // The backfill found the subject through the ledger event the remembered response names.
    expect((await sql.query(`SELECT subject_id FROM idempotency_keys WHERE brand_id = $1`, [brand.id])).rows).toEqual([{ subject_id: subject.id }]);
  });

  it('keeps privacy-request history append-only except for replacing a note by the erased-text placeholder', async () => {
    const brand = await createBrand(api, 'Append Harbor');
    const subject = await createSubject(api, brand);
    const filed = await api.http.post('/v1/privacy-requests').set(bearer(brand.key)).send({ subjectId: subject.id, type: 'rectification' });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const { rows } = await sql.query(`SELECT event_id FROM privacy_request_events WHERE request_id = $1`, [filed.body.id]);
    const event = rows[0].event_id as string;
    const refused = [
      `UPDATE privacy_request_events SET note = 'something else' WHERE event_id = '${event}'`,
      `UPDATE privacy_request_events SET note = '${ERASED_TEXT}', action = 'forged' WHERE event_id = '${event}'`,
      `UPDATE privacy_request_events SET note = '${ERASED_TEXT}', at = now() - interval '1 day' WHERE event_id = '${event}'`,
      `DELETE FROM privacy_request_events WHERE event_id = '${event}'`,
    ];
    for (const statement of refused) await expect(sql.query(statement), statement).rejects.toThrow(/append-only/);
    await sql.query(`UPDATE privacy_request_events SET note = $1 WHERE event_id = $2`, [ERASED_TEXT, event]);
    expect((await sql.query(`SELECT note FROM privacy_request_events WHERE event_id = $1`, [event])).rows[0].note).toBe(ERASED_TEXT);
  });
});

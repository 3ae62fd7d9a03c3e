import fc from 'fast-check';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, bearer, createBrand, createSubject, TestBrand } from '../support/factories';

/**
 * Tamper evidence: somebody with direct database access (the owner, with the append-only
 * triggers switched off) edits, deletes or reorders rows of the consent ledger or the audit log.
 * Every such change must be reported by the verification routes. Each change is made, checked
 * and undone in the test's own throwaway clone of the database.
 */

const LEDGER_TAMPERS = Number(process.env.TAMPER_LEDGER ?? 1000);
const AUDIT_TAMPERS = Number(process.env.TAMPER_AUDIT ?? 300);
const SEED = Number(process.env.TAMPER_SEED ?? 8);

let api: TestApi;
let brand: TestBrand;
let other: TestBrand;
let db: Client;

beforeAll(async () => {
  api = await startApi();
  brand = await createBrand(api, 'Ledger Keepers');
  other = await createBrand(api, 'Bystander');
  for (const b of [brand, other]) for (const p of ['email_marketing', 'personalization', 'sms_marketing']) await adoptPurpose(api, b, p);
  // About 200 ledger events (some with encrypted evidence) and a few dozen audit entries.
  for (let i = 0; i < 25; i++) {
    const s = await createSubject(api, brand);
    for (const [j, purpose] of ['email_marketing', 'personalization', 'sms_marketing', 'email_marketing', 'personalization', 'email_marketing', 'sms_marketing', 'personalization'].entries()) {
      const res = await api.http
        .post(`/v1/subjects/${s.id}/consents`)
        .set(bearer(brand.key))
        .send({ purpose, granted: j % 3 !== 2, ...(j % 2 ? { evidence: { form: `f${i}`, ip: '203.0.113.7' } } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  }
  for (let i = 0; i < 20; i++) {
    expect((await api.http.post('/v1/api-keys').set(bearer(brand.key)).send({ name: `audited ${i}`, scopes: ['subjects:read'] })).status).toBe(201);
  }
  db = new Client({ connectionString: api.databaseUrl! });
  await db.connect();
  // The pristine state each tampering is undone to.
  await db.query(`CREATE TABLE tamper_pristine_events AS SELECT * FROM consent_events`);
  await db.query(`CREATE TABLE tamper_pristine_heads AS SELECT * FROM ledger_heads`);
  await db.query(`CREATE TABLE tamper_pristine_audit AS SELECT * FROM audit_log`);
  await db.query(`CREATE TABLE tamper_pristine_chain AS SELECT * FROM audit_chain`);
  await db.query(`CREATE TABLE tamper_pristine_audit_heads AS SELECT * FROM audit_heads`);
});
afterAll(async () => {
  await db?.end();
  await api?.close();
});

/** Runs `sql` as the owner with triggers (append-only guards, foreign keys) switched off, committed. */
async function asTamperer(statements: Array<[string, unknown[]?]>): Promise<void> {
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL session_replication_role = replica`);
    for (const [sql, params] of statements) await db.query(sql, params);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

/** Undoes a tampering: the touched tables go back to their pristine copies. */
async function restore(what: 'ledger' | 'audit'): Promise<void> {
  const pairs = what === 'ledger'
    ? [['consent_events', 'tamper_pristine_events'], ['ledger_heads', 'tamper_pristine_heads']]
    : [['audit_chain', 'tamper_pristine_chain'], ['audit_log', 'tamper_pristine_audit'], ['audit_heads', 'tamper_pristine_audit_heads']];
  await asTamperer(pairs.flatMap(([table, copy]) => [[`DELETE FROM ${table}`], [`INSERT INTO ${table} SELECT * FROM ${copy}`]] as Array<[string]>));
}

const LEDGER_EDITS: Record<string, string> = {
  granted: `granted = NOT granted`,
  purpose: `purpose_key = CASE WHEN purpose_key = 'email_marketing' THEN 'sms_marketing' ELSE 'email_marketing' END`,
  noticeVersion: `notice_version = coalesce(notice_version, 0) + 1`,
  source: `source = source || ' (amended)'`,
  actor: `actor = actor || '-forged'`,
  capturedAt: `captured_at = captured_at - interval '1 millisecond'`,
  recordedAt: `recorded_at = recorded_at + interval '1 day'`,
  expiresAt: `expires_at = coalesce(expires_at + interval '1 year', now())`,
  evidence: `evidence_ct = CASE WHEN evidence_ct IS NULL THEN '\\x00'::bytea ELSE set_byte(evidence_ct, 0, (get_byte(evidence_ct, 0) + 1) % 256) END`,
  subject: `subject_id = (SELECT subject_id FROM subjects s WHERE s.brand_id = consent_events.brand_id AND s.subject_id <> consent_events.subject_id LIMIT 1)`,
  id: `consent_event_id = gen_random_uuid()`,
  prevHash: `prev_hash = md5(coalesce(prev_hash, 'x')) || md5('y')`,
  hash: `hash = md5(hash) || md5('z')`,
  seq: `seq = seq + 100000`,
};

type Tamper =
  | { kind: 'edit'; field: string; row: number }
  | { kind: 'delete'; row: number }
  | { kind: 'delete-tail'; count: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'rewrite-consistently'; row: number };

const ledgerTamperArb: fc.Arbitrary<Tamper> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('edit' as const), field: fc.constantFrom(...Object.keys(LEDGER_EDITS)), row: fc.nat(10_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), row: fc.nat(10_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-tail' as const), count: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(10_000), b: fc.nat(10_000) }) },
  // The strongest forger: changes an event and recomputes nothing but its own hash would need the
  // canonical form — here it copies another event's hash and prev_hash onto it instead.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rewrite-consistently' as const), row: fc.nat(10_000) }) },
);

async function tamperLedger(t: Tamper, seqs: number[]): Promise<string> {
  const at = (n: number) => seqs[n % seqs.length];
  const B = brand.id;
  switch (t.kind) {
    case 'edit':
      await asTamperer([[`UPDATE consent_events SET ${LEDGER_EDITS[t.field]} WHERE brand_id = $1 AND seq = $2`, [B, at(t.row)]]]);
      return `edit ${t.field}`;
    case 'delete':
      await asTamperer([[`DELETE FROM consent_events WHERE brand_id = $1 AND seq = $2`, [B, at(t.row)]]]);
      return 'delete';
    case 'delete-tail': {
      // The newest events go. (A forger who also rewinds the head row to the new tail leaves a
      // shorter chain that is consistent in itself: only a head anchored outside the database can
      // tell — see docs/security.md.)
      await asTamperer([[`DELETE FROM consent_events WHERE brand_id = $1 AND seq > $2`, [B, seqs.length - t.count]]]);
      return 'delete-tail';
    }
    case 'swap': {
      const [a, b] = [at(t.a), at(t.b === t.a ? t.a + 1 : t.b)];
      if (a === b) return tamperLedger({ kind: 'delete', row: t.a }, seqs);
      await asTamperer([
        [`UPDATE consent_events SET seq = -1 WHERE brand_id = $1 AND seq = $2`, [B, a]],
        [`UPDATE consent_events SET seq = $2 WHERE brand_id = $1 AND seq = $3`, [B, a, b]],
        [`UPDATE consent_events SET seq = $2 WHERE brand_id = $1 AND seq = -1`, [B, b]],
      ]);
      return 'reorder';
    }
    case 'rewrite-consistently': {
      const target = at(t.row);
      await asTamperer([
        [
          `UPDATE consent_events c SET granted = NOT c.granted, hash = o.hash, prev_hash = o.prev_hash
           FROM consent_events o WHERE c.brand_id = $1 AND c.seq = $2 AND o.brand_id = $1 AND o.seq = $3`,
          [B, target, target === seqs[seqs.length - 1] ? seqs[0] : target + 1],
        ],
      ]);
      return 'flip+borrowed-hash';
    }
  }
}

const AUDIT_EDITS: Record<string, string> = {
  action: `action = action || '.x'`,
  actor: `actor = actor || '-forged'`,
  target: `target = coalesce(target, '') || '-x'`,
  details: `details = details || '{"forged": true}'::jsonb`,
  at: `at = at - interval '1 second'`,
};

type AuditTamper = { kind: 'edit-entry'; field: string; row: number } | { kind: 'delete-entry'; row: number } | { kind: 'delete-link'; row: number } | { kind: 'swap-links'; a: number; b: number };
const auditTamperArb: fc.Arbitrary<AuditTamper> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('edit-entry' as const), field: fc.constantFrom(...Object.keys(AUDIT_EDITS)), row: fc.nat(10_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete-entry' as const), row: fc.nat(10_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-link' as const), row: fc.nat(10_000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap-links' as const), a: fc.nat(10_000), b: fc.nat(10_001) }) },
);

async function tamperAudit(t: AuditTamper, ids: string[], seqs: number[]): Promise<string> {
  const B = brand.id;
  switch (t.kind) {
    case 'edit-entry':
      await asTamperer([[`UPDATE audit_log SET ${AUDIT_EDITS[t.field]} WHERE brand_id = $1 AND audit_id = $2`, [B, ids[t.row % ids.length]]]]);
      return `edit ${t.field}`;
    case 'delete-entry':
      await asTamperer([[`DELETE FROM audit_log WHERE brand_id = $1 AND audit_id = $2`, [B, ids[t.row % ids.length]]]]);
      return 'delete entry';
    case 'delete-link':
      await asTamperer([[`DELETE FROM audit_chain WHERE brand_id = $1 AND seq = $2`, [B, seqs[t.row % seqs.length]]]]);
      return 'delete link';
    case 'swap-links': {
      const a = seqs[t.a % seqs.length];
      let b = seqs[t.b % seqs.length];
      if (a === b) b = seqs[(t.b + 1) % seqs.length];
      await asTamperer([
        [`UPDATE audit_chain SET seq = -1 WHERE brand_id = $1 AND seq = $2`, [B, a]],
        [`UPDATE audit_chain SET seq = $2 WHERE brand_id = $1 AND seq = $3`, [B, a, b]],
        [`UPDATE audit_chain SET seq = $2 WHERE brand_id = $1 AND seq = -1`, [B, b]],
      ]);
      return 'reorder links';
    }
  }
}

describe('tamper evidence', () => {
  it('keeps the app role from changing or removing ledger and audit rows', async () => {
    for (const table of ['consent_events', 'audit_log', 'audit_chain']) {
      for (const [verb, sql] of [
        ['UPDATE', `UPDATE ${table} SET brand_id = brand_id`],
        ['DELETE', `DELETE FROM ${table}`],
        ['TRUNCATE', `TRUNCATE ${table}`],
      ]) {
        await db.query('BEGIN');
        try {
          await db.query(`SET LOCAL ROLE candor_app`);
          await db.query(`SELECT set_config('app.brand_id', $1, true)`, [brand.id]);
          await expect(db.query(sql), `${verb} ${table}`).rejects.toThrow(/permission denied/);
        } finally {
          await db.query('ROLLBACK');
        }
      }
    }
    // Even the owner is stopped by the append-only triggers.
    await expect(db.query(`UPDATE consent_events SET granted = NOT granted WHERE brand_id = $1`, [brand.id])).rejects.toThrow();
    await expect(db.query(`DELETE FROM audit_log WHERE brand_id = $1`, [brand.id])).rejects.toThrow();
  });

  it(`detects ${LEDGER_TAMPERS} random edits, deletions and reorderings of ledger rows`, async () => {
    const verify = async () => (await api.http.get('/v1/ledger/verify').set(bearer(brand.key))).body;
    expect(await verify()).toMatchObject({ ok: true });
    const seqs = (await db.query(`SELECT seq::int FROM consent_events WHERE brand_id = $1 ORDER BY seq`, [brand.id])).rows.map((r) => r.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(200);
    const started = Date.now();
    const missed: string[] = [];
    const byKind: Record<string, number> = {};
    const faults: Record<string, number> = {};
    let tampering = 0;
    let verifying = 0;
    for (const [i, t] of fc.sample(ledgerTamperArb, { numRuns: LEDGER_TAMPERS, seed: SEED }).entries()) {
      const t0 = Date.now();
      const what = await tamperLedger(t, seqs);
      tampering += Date.now() - t0;
      byKind[what] = (byKind[what] ?? 0) + 1;
      const t1 = Date.now();
      const verdict = await verify();
      verifying += Date.now() - t1;
      if (verdict.ok !== false) missed.push(`${what} ${JSON.stringify(t)}`);
      else faults[verdict.fault ?? 'unnamed'] = (faults[verdict.fault ?? 'unnamed'] ?? 0) + 1;
      // The bystander brand's chain is untouched and still verifies.
      if (i % 100 === 0) expect((await api.http.get('/v1/ledger/verify').set(bearer(other.key))).body.ok).toBe(true);
      await restore('ledger');
    }
    expect(await verify()).toMatchObject({ ok: true, events: seqs.length });
    console.log(
      `tamper (ledger): ${LEDGER_TAMPERS} tamperings of ${seqs.length} events in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `${LEDGER_TAMPERS - missed.length} detected, ${missed.length} missed; kinds ${JSON.stringify(byKind)}; faults ${JSON.stringify(faults)}; ${tampering} ms tampering, ${verifying} ms verifying`,
    );
    expect(missed).toEqual([]);
  }, 300_000);

  it(`detects ${AUDIT_TAMPERS} random edits, deletions and reorderings of audit rows`, async () => {
    const verify = async () => {
      const res = await api.http.get('/v1/audit-log/verify').set(bearer(brand.key));
      expect(res.status, res.text).toBe(200);
      return res.body;
    };
    expect(await verify()).toMatchObject({ ok: true });
    const ids = (await db.query(`SELECT audit_id FROM audit_log WHERE brand_id = $1`, [brand.id])).rows.map((r) => r.audit_id);
    const seqs = (await db.query(`SELECT seq::int FROM audit_chain WHERE brand_id = $1 ORDER BY seq`, [brand.id])).rows.map((r) => r.seq);
    expect(ids.length).toBeGreaterThanOrEqual(20);
    // Verification may itself be audited: re-take the pristine state now.
    await asTamperer([
      [`DELETE FROM tamper_pristine_audit`],
      [`INSERT INTO tamper_pristine_audit SELECT * FROM audit_log`],
      [`DELETE FROM tamper_pristine_chain`],
      [`INSERT INTO tamper_pristine_chain SELECT * FROM audit_chain`],
      [`DELETE FROM tamper_pristine_audit_heads`],
      [`INSERT INTO tamper_pristine_audit_heads SELECT * FROM audit_heads`],
    ]);
    const started = Date.now();
    const missed: string[] = [];
    const byKind: Record<string, number> = {};
    for (const t of fc.sample(auditTamperArb, { numRuns: AUDIT_TAMPERS, seed: SEED })) {
      const what = await tamperAudit(t, ids, seqs);
      byKind[what] = (byKind[what] ?? 0) + 1;
      if ((await verify()).ok !== false) missed.push(`${what} ${JSON.stringify(t)}`);
      await restore('audit');
    }
    console.log(
      `tamper (audit): ${AUDIT_TAMPERS} tamperings of ${ids.length} entries in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `${AUDIT_TAMPERS - missed.length} detected, ${missed.length} missed; kinds ${JSON.stringify(byKind)}`,
    );
    expect(missed).toEqual([]);
  }, 300_000);
});

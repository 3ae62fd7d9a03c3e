import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, TestApi } from '../support/api';
import { adoptPurpose, createBrand, createSubject, signInCustomer, TestBrand } from '../support/factories';

/**
 * Concurrency: randomised interleavings of grants, withdrawals and contact decisions on the same
 * subject, and concurrent preference writers, checked against what a linearizable system allows.
 */

const ROUNDS = Number(process.env.CONCURRENCY_ROUNDS ?? 1000);
const PREFERENCE_ROUNDS = Number(process.env.PREFERENCE_ROUNDS ?? 100);
const PARALLEL_SUBJECTS = 8;

let api: TestApi;
let base: string;
let brand: TestBrand;
const subjects: Array<{ id: string; session: string }> = [];

beforeAll(async () => {
  api = await startApi();
  const server = api.app.getHttpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  brand = await createBrand(api, 'Race Track');
  await adoptPurpose(api, brand, 'email_marketing');
  for (let i = 0; i < PARALLEL_SUBJECTS; i++) {
    const s = await createSubject(api, brand);
    subjects.push({ id: s.id, session: await signInCustomer(api, brand, s.id) });
  }
});
afterAll(async () => {
  await api?.close();
});

async function call(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => null)) as any };
}

interface Op {
  kind: 'grant' | 'withdraw' | 'decide' | 'decide-batch';
  /** Who records a consent change: the brand's system or the customer in the portal. */
  by: 'brand' | 'customer';
  delayMs: number;
}
interface Timed extends Op {
  start: number;
  end: number;
  allowed?: boolean;
  status: number;
}

const roundArb = fc.record({
  withdraw: fc.record({ kind: fc.constant('withdraw' as const), by: fc.constantFrom('brand' as const, 'customer' as const), delayMs: fc.integer({ min: 0, max: 6 }) }),
  grants: fc.array(fc.record({ kind: fc.constant('grant' as const), by: fc.constantFrom('brand' as const, 'customer' as const), delayMs: fc.integer({ min: 0, max: 60 }) }), { maxLength: 2 }),
  decisions: fc.array(fc.record({ kind: fc.constantFrom('decide' as const, 'decide-batch' as const), by: fc.constant('brand' as const), delayMs: fc.integer({ min: 0, max: 40 }) }), { minLength: 2, maxLength: 4 }),
});

async function perform(subject: { id: string; session: string }, op: Op): Promise<Timed> {
  await new Promise((r) => setTimeout(r, op.delayMs));
  const start = performance.now();
  let res;
  if (op.kind === 'grant' || op.kind === 'withdraw') {
    const granted = op.kind === 'grant';
    res =
      op.by === 'customer'
        ? await call('PUT', '/v1/me/consents/email_marketing', subject.session, { granted })
        : await call('POST', `/v1/subjects/${subject.id}/consents`, brand.key, { purpose: 'email_marketing', granted });
  } else if (op.kind === 'decide') {
    res = await call('GET', `/v1/decisions/contact?subjectId=${subject.id}&purpose=email_marketing&channel=email`, brand.key);
  } else {
    res = await call('POST', '/v1/decisions/contact', brand.key, { checks: [{ subjectId: subject.id, purpose: 'email_marketing', channel: 'email' }] });
    res = { ...res, body: res.body?.results?.[0] };
  }
  const end = performance.now();
  return { ...op, start, end, status: res.status, allowed: res.body?.allowed };
}

describe('grant, withdraw and decide at the same time', () => {
  it(`never says "allowed" after an acknowledged withdrawal unless a grant may come after it (${ROUNDS} interleavings)`, async () => {
    const rounds = fc.sample(roundArb, { numRuns: ROUNDS, seed: 6 });
    const violations: string[] = [];
    let requests = 0;
    let decisionsAfterWithdrawal = 0;
    const started = Date.now();
    const queue = rounds.map((r, i) => ({ r, i }));
    await Promise.all(
      subjects.map(async (subject) => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          // Each round starts from a standing consent, so the withdrawal is what matters.
          const before = await call('POST', `/v1/subjects/${subject.id}/consents`, brand.key, { purpose: 'email_marketing', granted: true });
          expect(before.status).toBe(201);
          const ops: Op[] = [...next.r.grants, ...next.r.decisions];
          const withdrawal = perform(subject, next.r.withdraw);
          // One decision always follows the acknowledgement closely (the race a sender runs).
          const follower = withdrawal.then(() => perform(subject, { kind: next!.i % 2 ? 'decide' : 'decide-batch', by: 'brand', delayMs: next!.i % 3 }));
          const done = await Promise.all([withdrawal, follower, ...ops.map((op) => perform(subject, op))]);
          requests += done.length + 1;
          for (const d of done) expect([200, 201], `${d.kind} → ${d.status}`).toContain(d.status);
          const w = done.find((d) => d.kind === 'withdraw')!;
          const grants = done.filter((d) => d.kind === 'grant');
          for (const d of done.filter((x) => x.kind === 'decide' || x.kind === 'decide-batch')) {
            if (d.start <= w.end) continue;
            decisionsAfterWithdrawal++;
            // A grant may be ordered after the withdrawal only if it had not finished before the
            // withdrawal began, and began before the decision finished.
            const laterGrantPossible = grants.some((g) => g.end > w.start && g.start < d.end);
            if (d.allowed === true && !laterGrantPossible) {
              violations.push(`round ${next.i}: ${d.kind} started ${(d.start - w.end).toFixed(2)} ms after the withdrawal was acknowledged and said allowed`);
            }
          }
        }
      }),
    );
    console.log(
      `concurrency (consent): ${ROUNDS} interleavings, ${requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `${decisionsAfterWithdrawal} decisions started after an acknowledged withdrawal; ${violations.length} said "allowed" wrongly`,
    );
    expect(decisionsAfterWithdrawal).toBeGreaterThanOrEqual(ROUNDS);
    expect(violations).toEqual([]);
  }, 240_000);
});

describe('preference writers with If-Match', () => {
  it(`never lose an update (${PREFERENCE_ROUNDS} rounds of concurrent read-modify-write)`, async () => {
    const started = Date.now();
    let acknowledged = 0;
    let conflicts = 0;
    const lost: string[] = [];
    const queue = Array.from({ length: PREFERENCE_ROUNDS }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let round = queue.shift(); round !== undefined; round = queue.shift()) {
          const subject = await createSubject(api, brand);
          const session = await signInCustomer(api, brand, subject.id);
          const added: string[] = [];
          // Four writers each add two topics of their own, retrying on 412 with what they re-read.
          await Promise.all(
            Array.from({ length: 4 }, async (_, writer) => {
              for (let n = 0; n < 2; n++) {
                const topic = `w${writer}_t${n}`;
                for (let attempt = 0; ; attempt++) {
                  const read = await call('GET', '/v1/me/preferences', session);
                  const put = await call('PUT', '/v1/me/preferences', session, { channels: {}, topics: [...read.body.topics, topic] }, { 'If-Match': read.headers.get('etag')! });
                  if (put.status === 200) {
                    acknowledged++;
                    added.push(topic);
                    break;
                  }
                  expect(put.status, JSON.stringify(put.body)).toBe(412);
                  conflicts++;
                  if (attempt > 50) throw new Error('no progress');
                }
              }
            }),
          );
          const final = await call('GET', '/v1/me/preferences', session);
          const missing = added.filter((t) => !final.body.topics.includes(t));
          if (missing.length || final.body.version !== added.length) lost.push(`round ${round}: lost ${missing.join(', ')}; version ${final.body.version} after ${added.length} saves`);
        }
      }),
    );
    console.log(
      `concurrency (preferences): ${PREFERENCE_ROUNDS} rounds × 4 writers, ${acknowledged} saves acknowledged, ${conflicts} refused with 412 and retried, ` +
        `${lost.length} lost updates, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(conflicts).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  }, 240_000);
});

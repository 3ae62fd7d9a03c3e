// Contact decisions through the whole stack against the bare node:http + pg baseline, and the
// API as 1 and 2 processes.
import { join } from 'node:path';
import { call, freePort, load, log, ROOT, startApi, startProcess, withClient } from '../lib/harness.mjs';
import { median } from '../lib/stats.mjs';

const SUBJECTS = 500;

/** A brand with one consent purpose and SUBJECTS subjects, most of them granted, through the API. */
export async function seed(api) {
  const brand = await call(api.url, api.adminKey, 'POST', '/v1/brands', { slug: `bench-${Date.now()}`, name: 'Bench Brand', defaultLocale: 'en' });
  const key = brand.apiKey.key;
  await call(api.url, key, 'POST', '/v1/purpose-catalogue/email_marketing/adopt');
  const subjects = [];
  for (let i = 0; i < SUBJECTS; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, SUBJECTS - i) }, async (_, j) => {
        const subject = await call(api.url, key, 'POST', '/v1/subjects', { externalId: `bench-${i + j}`, timezone: 'UTC' });
        // Nine in ten granted, the rest withdrawn: both answers are exercised.
        await call(api.url, key, 'POST', `/v1/subjects/${subject.id}/consents`, { purpose: 'email_marketing', granted: (i + j) % 10 !== 0 });
        return subject.id;
      }),
    );
    subjects.push(...batch);
  }
  return { brandId: brand.id, key, subjects };
}

export async function decisions(db, { runs, duration, connections }) {
  const api1 = await startApi(db, { workers: 1 });
  let seeded;
  try {
    log(`decisions: seeding ${SUBJECTS} subjects through the API`);
    seeded = await seed(api1);
    // Planner statistics as autovacuum keeps them in a running system. A database seconds old has
    // none yet, and a plan prepared then (each pooled connection keeps its own) can take a brand's
    // subjects for a handful and scan them all, until autovacuum's first ANALYZE replaces it.
    await withClient(db.url, (c) => c.query('ANALYZE'));
  } catch (error) {
    await api1.stop();
    throw error;
  }
  const paths = seeded.subjects.map((id) => `/v1/decisions/contact?subjectId=${id}&purpose=email_marketing&channel=email`);
  const basePort = await freePort();
  const baseline = await startProcess(
    join(ROOT, 'bench/baseline-server.mjs'),
    { DATABASE_URL: db.url, PORT: String(basePort), BRAND_ID: seeded.brandId },
    `http://127.0.0.1:${basePort}/healthz`,
  );
  const headers = { authorization: `Bearer ${seeded.key}` };
  const results = { baseline: [], api1: [], api2: [] };
  try {
    // Warm both up (JIT, plan caches, pools) before measuring.
    await load({ url: baseline.url ?? `http://127.0.0.1:${basePort}`, paths, connections, duration: 2 });
    await load({ url: api1.url, paths, headers, connections, duration: 2 });
    for (let r = 0; r < runs; r++) {
      // Alternate, so drift on a shared machine hits both sides alike.
      results.baseline.push(await load({ url: `http://127.0.0.1:${basePort}`, paths, connections, duration, pid: baseline.child.pid }));
      results.api1.push(await load({ url: api1.url, paths, headers, connections, duration, pid: api1.child.pid }));
      log(`decisions run ${r + 1}/${runs}: baseline ${Math.round(results.baseline.at(-1).rps)} req/s, API ${Math.round(results.api1.at(-1).rps)} req/s`);
    }
  } finally {
    await baseline.stop();
    await api1.stop();
  }

  const api2 = await startApi(db, { workers: 2 });
  try {
    await load({ url: api2.url, paths, headers, connections, duration: 2 });
    for (let r = 0; r < runs; r++) {
      results.api2.push(await load({ url: api2.url, paths, headers, connections, duration, pid: api2.child.pid }));
      log(`decisions (2 processes) run ${r + 1}/${runs}: ${Math.round(results.api2.at(-1).rps)} req/s`);
    }
  } finally {
    await api2.stop();
  }
  const summary = (list) => ({
    rps: median(list.map((x) => x.rps)),
    p50: median(list.map((x) => x.p50)),
    p99: median(list.map((x) => x.p99)),
    errors: list.reduce((n, x) => n + x.errors, 0),
    peakRssMb: Math.max(...list.map((x) => x.peakRssMb)),
    runs: list.map((x) => Math.round(x.rps)),
  });
  return { baseline: summary(results.baseline), api1: summary(results.api1), api2: summary(results.api2), subjects: SUBJECTS, connections, duration };
}

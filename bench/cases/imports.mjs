// Bulk import of consent records through POST /v1/imports, against a raw `psql \copy` of the same
// records into an unindexed table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, log, startApi, withClient } from '../lib/harness.mjs';
import { median } from '../lib/stats.mjs';

const PURPOSES = ['email_marketing', 'sms_marketing'];

async function waitForJob(api, key, id) {
  for (;;) {
    const job = await call(api.url, key, 'GET', `/v1/imports/${id}`);
    if (job.status !== 'merging') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function postFile(api, key, body) {
  const res = await fetch(`${api.url}/v1/imports`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson' }, body });
  const job = await res.json();
  if (res.status !== 202) throw new Error(`import refused: ${res.status} ${JSON.stringify(job)}`);
  return job;
}

export async function imports(db, { runs, subjects }) {
  const api = await startApi(db, { workers: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'candor-bench-import-'));
  const result = { runs: [], baseline: [], subjects, consents: subjects * PURPOSES.length };
  try {
    for (let r = 0; r < runs; r++) {
      // A fresh brand per run, so every run appends the same number of events to its own chain.
      const brand = await call(api.url, api.adminKey, 'POST', '/v1/brands', { slug: `import-${r}-${Date.now()}`, name: 'Import', defaultLocale: 'en' });
      const key = brand.apiKey.key;
      for (const p of PURPOSES) await call(api.url, key, 'POST', `/v1/purpose-catalogue/${p}/adopt`);
      let people = '';
      for (let i = 0; i < subjects; i++) people += `{"type":"subject","externalId":"c-${i}","email":"c${i}@example.com"}\n`;
      const peopleStarted = performance.now();
      const peopleJob = await waitForJob(api, key, (await postFile(api, key, people)).id);
      const peopleSeconds = (performance.now() - peopleStarted) / 1000;
      if (peopleJob.rowsDone !== subjects) throw new Error(`subjects import: ${JSON.stringify(peopleJob)}`);

      let consents = '';
      let tsv = '';
      const capturedAt = '2025-06-01T12:00:00.000Z';
      for (let i = 0; i < subjects; i++) {
        for (const p of PURPOSES) {
          const granted = (i + p.length) % 4 !== 0;
          consents += `{"type":"consent","externalId":"c-${i}","purpose":"${p}","granted":${granted},"capturedAt":"${capturedAt}","source":"bench"}\n`;
          tsv += `c-${i}\t${p}\t${granted}\t${capturedAt}\tbench\n`;
        }
      }
      const started = performance.now();
      const job = await waitForJob(api, key, (await postFile(api, key, consents)).id);
      const seconds = (performance.now() - started) / 1000;
      if (job.rowsDone !== result.consents) throw new Error(`consents import: ${JSON.stringify(job).slice(0, 500)}`);
      const verified = await call(api.url, key, 'GET', '/v1/ledger/verify');
      if (!verified.ok) throw new Error(`ledger does not verify after import: ${JSON.stringify(verified)}`);
      result.runs.push({ seconds, rate: result.consents / seconds, subjectsRate: subjects / peopleSeconds });

      // Baseline: psql \copy of the same records into an unindexed table.
      const file = join(dir, 'consents.tsv');
      writeFileSync(file, tsv);
      await withClient(db.url, (c) => c.query(`DROP TABLE IF EXISTS bench_raw_consents; CREATE TABLE bench_raw_consents (external_id text, purpose text, granted boolean, captured_at timestamptz, source text)`));
      const copyStarted = performance.now();
      const copied = spawnSync('psql', [db.url, '-q', '-c', `\\copy bench_raw_consents FROM '${file}'`], { encoding: 'utf8' });
      const copySeconds = (performance.now() - copyStarted) / 1000;
      if (copied.status !== 0) throw new Error(`psql \\copy failed: ${copied.stderr}`);
      result.baseline.push({ seconds: copySeconds, rate: result.consents / copySeconds });
      log(`import run ${r + 1}/${runs}: ${Math.round(result.consents / seconds)} consents/s (psql \\copy ${Math.round(result.consents / copySeconds)}/s); subjects ${Math.round(subjects / peopleSeconds)}/s`);
    }
  } finally {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    ...result,
    rate: median(result.runs.map((x) => x.rate)),
    seconds: median(result.runs.map((x) => x.seconds)),
    subjectsRate: median(result.runs.map((x) => x.subjectsRate)),
    baselineRate: median(result.baseline.map((x) => x.rate)),
    baselineSeconds: median(result.baseline.map((x) => x.seconds)),
  };
}

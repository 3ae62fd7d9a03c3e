// Pure helpers of the benchmark suite: summarising repeated runs and rendering the table.
// No I/O here, so e2e/api/bench-stats.e2e-spec.ts can check them.

/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `measured / baseline`, or NaN when the baseline is missing or zero. */
export function ratio(measured, baseline) {
  return baseline > 0 && Number.isFinite(measured) ? measured / baseline : NaN;
}

/**
 * Whether a figure meets its goal. `goal` is `{ op: '>=' | '<=', value }`; a missing figure
 * never meets a goal.
 */
export function meets(value, goal) {
  if (!goal || !Number.isFinite(value)) return false;
  return goal.op === '>=' ? value >= goal.value : value <= goal.value;
}

/** A number for a table: thousands separated, `digits` decimals, "—" when missing. */
export function fmt(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Summarises runs of one case: medians of each numeric field present in every run. */
export function summarise(runs) {
  const keys = Object.keys(runs[0] ?? {}).filter((k) => runs.every((r) => typeof r[k] === 'number'));
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))]));
}

/** Renders a GitHub-flavoured markdown table; cells are escaped for pipes. */
export function markdownTable(headers, rows) {
  const esc = (cell) => String(cell ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${headers.map(esc).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ].join('\n');
}

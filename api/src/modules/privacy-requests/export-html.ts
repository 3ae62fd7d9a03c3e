import type { Response } from 'express';
import type { SubjectExport } from './export.service';

const escape = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const PROVENANCE: Record<string, string> = { declared: 'you told us', observed: 'we observed', inferred: 'we inferred' };

function table(headers: string[], rows: unknown[][]): string {
  if (!rows.length) return '<p>None.</p>';
  return `<table><thead><tr>${headers.map((h) => `<th scope="col">${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** The export as a page a person can read (the JSON stays the machine-readable copy). */
export function renderExportHtml(doc: SubjectExport): string {
  const d = doc as SubjectExport & {
    brand: { name: string };
    generatedAt: string;
    preferences: { channels: Record<string, { optedIn: boolean; frequency: string }>; quietHours: { start: string; end: string } | null; topics: string[] };
    accessLog: Array<{ at: string; reader: string; kind: string; purpose: string | null; fields: string[] }>;
    privacyRequests: Array<{ type: string; status: string; channel?: string; receivedAt: string; dueAt: string }>;
    context: { purposes: Array<{ key: string; name: Record<string, string>; legalBasis: string; dataCategories: string[]; retention: string }>; recipients: Array<{ name: string }>; sources: string[]; rights: string };
  };
  const s = d.subject;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your data at ${escape(d.brand.name)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2b2a}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #d5dcda;padding:.4rem;text-align:left;vertical-align:top}h2{margin-top:2rem}</style>
</head><body>
<h1>Everything ${escape(d.brand.name)} holds about you</h1>
<p>Prepared ${escape(d.generatedAt)}. The machine-readable copy of this page is the JSON export.</p>
<h2>You</h2>
${table(['', ''], [['Customer number', s.externalId], ['Email', s.email], ['Phone', s.phone], ['Language', s.locale], ['Time zone', s.timezone]])}
<h2>What you told us, and what we observed or inferred</h2>
${table(['What', 'Value', 'How we know', 'Source', 'When'], d.facts.map((f) => [f.key, f.value, PROVENANCE[String(f.provenance)] ?? f.provenance, f.source, f.collectedAt]))}
<h2>Your consents</h2>
${table(['Purpose', 'Decision', 'Notice version', 'How', 'When', 'Proof (SHA-256)'], d.consents.history.map((e) => [e.purpose, e.granted ? 'agreed' : 'withdrew', e.noticeVersion, e.source, e.capturedAt, e.hash]))}
<h2>Your channels</h2>
${table(['Channel', 'Allowed', 'How often'], Object.entries(d.preferences.channels).map(([c, p]) => [c, p.optedIn ? 'yes' : 'no', p.frequency]))}
<p>Quiet hours: ${d.preferences.quietHours ? `${escape(d.preferences.quietHours.start)}–${escape(d.preferences.quietHours.end)}` : 'none'}. Topics: ${escape(d.preferences.topics.join(', ') || 'none')}.</p>
<h2>Who read your data</h2>
${table(['When', 'Who', 'What for', 'Which data'], d.accessLog.map((a) => [a.at, a.reader, a.purpose ?? a.kind, a.fields.join(', ')]))}
<h2>Your requests</h2>
${table(['Request', 'Status', 'Received by', 'Received', 'Due'], d.privacyRequests.map((r) => [r.type, r.status, r.channel ?? '', r.receivedAt, r.dueAt]))}
<h2>Why we process it</h2>
${table(['Purpose', 'Legal basis', 'Data used', 'Kept'], d.context.purposes.map((p) => [p.name.en ?? p.key, p.legalBasis, p.dataCategories.join(', '), p.retention]))}
<p>Shared with: ${escape(d.context.recipients.map((r) => r.name).join(', ') || 'no one')}. Sources: ${escape(d.context.sources.join(', '))}.</p>
<p>${escape(d.context.rights)}</p>
</body></html>`;
}

/** JSON by default; a readable page when the client prefers HTML. Personal data is never cached. */
export function sendExport(document: SubjectExport, accept: string | undefined, res: Response): SubjectExport | string {
  res.setHeader('Cache-Control', 'no-store');
  if (accept && /text\/html/.test(accept) && !/application\/json/.test(accept)) {
    res.type('text/html');
    return renderExportHtml(document);
  }
  return document;
}

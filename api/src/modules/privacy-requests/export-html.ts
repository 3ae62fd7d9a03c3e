import type { Response } from 'express';
import { formatList, formatMoment, pickLocale, type Locale } from '../../common/i18n/locale';
import { messagesFor } from '../../common/i18n/messages';
import type { SubjectExport } from './export.service';

const escape = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function table(headers: string[], rows: unknown[][], empty: string): string {
  if (!rows.length) return `<p>${escape(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th scope="col">${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/**
 * The export as a page a person can read (the JSON stays the machine-readable copy), in the
 * customer's stored language (else English): Candor's words and labels from the API's message
 * catalogue, dates in their time zone, purpose names in their language where the brand wrote one.
 * Fact keys, values and sources are the brand's codes and words, shown as stored.
 */
export function renderExportHtml(doc: SubjectExport): string {
  const d = doc as SubjectExport & {
    brand: { name: string };
    generatedAt: string;
    preferences: {
      channels: Record<string, { optedIn: boolean; frequency: string }>;
      quietHours: { start: string; end: string } | null;
      topics: string[];
      purposes?: Record<string, { channels: string[] }>;
    };
    preferenceChanges?: Array<{ at: string; changedBy: string; source: string; fields: string[] }>;
    accessLog: Array<{ at: string; reader: string; kind: string; purpose: string | null; fields: string[] }>;
    privacyRequests: Array<{ type: string; status: string; channel?: string; receivedAt: string; dueAt: string }>;
    identifiers?: Array<{ type: string; system: string | null; value: string; addedAt?: string }>;
    mergedRecords?: Array<{ subjectId: string; mergedAt: string }>;
    context: {
      purposes: Array<{ key: string; name: Record<string, string>; legalBasis: string; dataCategories: string[]; retentionDays?: number | null }>;
      recipients: Array<{ name: string }>;
      sources: string[];
    };
  };
  const s = d.subject;
  const locale: Locale = pickLocale(s.locale);
  const t = messagesFor(locale).exportPage;
  const when = (iso: string | null | undefined) => (iso ? formatMoment(new Date(iso), locale, s.timezone) : '');
  const list = (items: string[]) => (items.length ? formatList(items, locale) : t.none);
  const purposeName = (key: string | null) => {
    const names = key ? d.context.purposes.find((p) => p.key === key)?.name : undefined;
    return key ? (names?.[locale] ?? names?.en ?? key) : '';
  };
  // A preferences setting a change names, in words: a channel, a kind of message (its purpose), quiet hours, topics.
  const field = (f: string) =>
    f.startsWith('channels.') ? (t.channels[f.slice(9)] ?? f.slice(9))
      : f.startsWith('purposes.') ? purposeName(f.slice(9))
      : f === 'quietHours' ? t.quietHoursField
      : f === 'topics' ? t.topicsField : f;
  const kept = (p: (typeof d.context.purposes)[number]) =>
    typeof p.retentionDays === 'number' ? t.keptFor(p.retentionDays) : p.legalBasis === 'consent' ? t.keptUntilWithdrawn : t.keptUntilErased;
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(t.title(d.brand.name))}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2b2a}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid #d5dcda;padding:.4rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}h2{margin-top:2rem}</style>
</head><body>
<h1>${escape(t.heading(d.brand.name))}</h1>
<p>${escape(t.prepared(when(d.generatedAt)))}</p>
<h2>${escape(t.you)}</h2>
${table(['', ''], [[t.customerNumber, s.externalId], [t.email, s.email ?? t.none], [t.phone, s.phone ?? t.none], [t.language, s.locale ?? t.none], [t.timeZone, s.timezone ?? t.none]], t.empty)}
${d.identifiers?.length ? `<h2>${escape(t.identifiersTitle)}</h2>\n${table(t.identifierHeaders, d.identifiers.map((i) => [`${t.identifierTypes[i.type] ?? i.type}${i.system ? ` (${i.system})` : ''}`, i.value, when(i.addedAt)]), t.empty)}\n` : ''}${
    d.mergedRecords?.length ? `<h2>${escape(t.mergedTitle)}</h2>\n<p>${escape(t.mergedIntro)}</p>\n${table(t.mergedHeaders, d.mergedRecords.map((m) => [m.subjectId, when(m.mergedAt)]), t.empty)}\n` : ''
  }<h2>${escape(t.factsTitle)}</h2>
${table(t.factHeaders, d.facts.map((f) => [f.key, f.value, t.provenance[String(f.provenance)] ?? f.provenance, f.source, when(f.collectedAt as string)]), t.empty)}
<h2>${escape(t.consentsTitle)}</h2>
${table(t.consentHeaders, d.consents.history.map((e) => [purposeName(e.purpose as string), e.granted ? t.agreed : t.withdrew, e.noticeVersion ?? '—', t.sources[String(e.source)] ?? e.source, when(e.capturedAt as string), e.hash]), t.empty)}
<h2>${escape(t.channelsTitle)}</h2>
${table(t.channelHeaders, Object.entries(d.preferences.channels).map(([c, p]) => [t.channels[c] ?? c, p.optedIn ? t.yes : t.no, t.frequencies[p.frequency] ?? p.frequency]), t.empty)}
<p>${escape(t.quietHours(d.preferences.quietHours ? `${d.preferences.quietHours.start}–${d.preferences.quietHours.end}` : t.none))} ${escape(t.topics(list(d.preferences.topics)))}</p>
${Object.keys(d.preferences.purposes ?? {}).length ? table(t.purposeChannelsHeaders, Object.entries(d.preferences.purposes ?? {}).map(([p, choice]) => [purposeName(p), list(choice.channels.map((c) => t.channels[c] ?? c))]), t.empty) : ''}
<h2>${escape(t.changesTitle)}</h2>
${table(t.changeHeaders, (d.preferenceChanges ?? []).map((c) => [when(c.at), c.changedBy === 'you' ? t.byYou : c.changedBy, t.sources[c.source] ?? c.source, list(c.fields.map(field))]), t.empty)}
<h2>${escape(t.readsTitle)}</h2>
${table(t.readHeaders, d.accessLog.map((a) => [when(a.at), a.reader, a.purpose ? purposeName(a.purpose) : a.kind, a.fields.join(', ')]), t.empty)}
<h2>${escape(t.requestsTitle)}</h2>
${table(t.requestHeaders, d.privacyRequests.map((r) => [t.requestTypes[r.type] ?? r.type, t.requestStatuses[r.status] ?? r.status, when(r.receivedAt), when(r.dueAt)]), t.empty)}
<h2>${escape(t.whyTitle)}</h2>
${table(t.purposeHeaders, d.context.purposes.map((p) => [purposeName(p.key), t.legalBasis[p.legalBasis] ?? p.legalBasis, list(p.dataCategories), kept(p)]), t.empty)}
<p>${escape(t.sharedWith(d.context.recipients.length ? formatList(d.context.recipients.map((r) => r.name), locale) : t.noOne))} ${escape(t.sourcesLine(list(d.context.sources.map((src) => t.sources[src] ?? src))))}</p>
<p>${escape(t.rights)}</p>
</body></html>`;
}

/** JSON by default; a readable page when the client prefers HTML. Personal data is never cached. */
export function sendExport(document: SubjectExport, accept: string | undefined, res: Response): SubjectExport | string {
  res.setHeader('Cache-Control', 'no-store');
  if (accept && /text\/html/.test(accept) && !/application\/json/.test(accept)) {
    res.type('text/html');
    res.setHeader('Content-Language', pickLocale(document.subject.locale));
    return renderExportHtml(document);
  }
  return document;
}

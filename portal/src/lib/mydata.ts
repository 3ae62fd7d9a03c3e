/**
 * "My data": the customer's copy of everything the brand holds (`GET /v1/me/export`) as a JSON
 * file and as a readable page, and "Forget me" (`POST /v1/me/erasure`).
 */
import { ok, type ApiClient, type Schemas } from './api';
import { fieldLabel, settingInWords, sourceInWords } from './activity';
import { formatDate, formatDateTime, formatList, humanize, languageName, localized, timeZoneName, type Locale, type Messages } from './i18n';
import { categoryTitle, valueInWords } from './profile';

/**
 * The parts of the export (docs/export.schema.json) the readable page shows. The OpenAPI document
 * publishes the export as a JSON Schema of its own rather than a component, so this is written
 * against that schema; the JSON download passes the API's document through untouched.
 */
export interface ExportDocument {
  generatedAt: string;
  brand: { slug: string; name: string };
  subject: Schemas['SubjectResponse'];
  facts: Array<{ key: string; value: string | number | boolean | string[]; category: string; provenance: 'declared' | 'observed' | 'inferred'; source: string; collectedAt: string; expiresAt?: string | null; disputed?: boolean }>;
  preferences: {
    channels: Record<string, { optedIn: boolean; frequency: string }>;
    quietHours?: { start: string; end: string } | null;
    topics: string[];
    purposes?: Record<string, { channels: string[] }>;
  };
  preferenceChanges?: Array<{ at: string; changedBy: string; source: string; fields: string[] }>;
  /** The customer's choices of what each purpose may use (absent from exports made before there were any). */
  factUse?: Array<{ purpose: string; use: 'declared-only' | 'all'; updatedAt: string }>;
  consents: { history: Array<{ id: string; purpose: string; granted: boolean; noticeVersion?: number | null; noticeText?: Record<string, string> | null; source: string; capturedAt: string; hash: string; prevHash?: string | null }> };
  accessLog: Array<{ at: string; reader: string; kind: string; purpose?: string | null; fields: string[] }>;
  privacyRequests: Array<{ id: string; type: string; status: string; receivedAt: string; dueAt: string; completedAt?: string | null }>;
  context: {
    purposes: Array<{ key: string; name?: Record<string, string>; legalBasis: string; dataCategories: string[]; retention: string; retentionDays?: number | null }>;
    dataCategories: string[];
    recipients: Array<{ name: string }>;
    sources: string[];
    /** The brand's words for what the document names, per language (the API applies its fallbacks). */
    dictionary?: {
      factKeys: Record<string, Record<string, string>>;
      /** By fact key, then the value as text (a typed value as its JSON). */
      values: Record<string, Record<string, Record<string, string>>>;
      sources: Record<string, Record<string, string>>;
      topics: Record<string, Record<string, string>>;
      readers: Record<string, Record<string, string>>;
    };
  };
}

/** A fact value as the export's dictionary keys it: text as it is, anything else as its JSON. */
const valueText = (value: ExportDocument['facts'][number]['value']) => (typeof value === 'string' ? value : JSON.stringify(value));

/** The export exactly as the API wrote it, for the download. */
export async function exportJson(api: ApiClient): Promise<string> {
  const result = await api.GET('/v1/me/export', { parseAs: 'text', headers: { accept: 'application/json' } });
  return ok(result) as unknown as string;
}

export interface NoticeView {
  /** "The notice you agreed to (version 2)". */
  title: string;
  text: string;
  /** The language the text is in, for its `lang` attribute. */
  lang: string;
  /** The same notice in the brand's other languages, each named in the reader's language. */
  others: Array<{ language: string; lang: string; text: string }>;
}

export interface ReadableExport {
  brand: string;
  generated: string;
  you: Array<[string, string]>;
  facts: Array<{ label: string; value: string; how: string; category: string; source: string; when: string; expires: string | null; disputed: boolean }>;
  consents: Array<{ purpose: string; decision: string; version: string; how: string; when: string; notice: NoticeView | null; hash: string; shortHash: string; prevHash: string | null }>;
  /** What the customer lets each purpose use, as they chose it. */
  choices: Array<{ purpose: string; use: string; when: string }>;
  channels: Array<{ channel: string; allowed: boolean; frequency: string }>;
  quietHours: string | null;
  topics: string;
  /** The channels chosen per kind of message ("Order and delivery updates": "Text messages (SMS)"). */
  purposeChannels: Array<{ purpose: string; channels: string }>;
  changes: Array<{ when: string; who: string; what: string; how: string }>;
  reads: Array<{ when: string; who: string; why: string; what: string }>;
  requests: Array<{ type: string; status: string; received: string; due: string }>;
  purposes: Array<{ name: string; basis: string; data: string; kept: string }>;
  recipients: string;
  sources: string;
}

export async function loadReadableExport(api: ApiClient, locale: Locale, t: Messages, brandDefault: string): Promise<ReadableExport> {
  const doc = JSON.parse(await exportJson(api)) as ExportDocument;
  const tz = doc.subject.timezone;
  const purposeName = new Map(doc.context.purposes.map((p) => [p.key, localized(p.name, locale, brandDefault) || humanize(p.key)]));
  const nameOf = (key: string | null | undefined) => (key ? (purposeName.get(key) ?? humanize(key)) : '—');
  const none = t.myData.none;
  const s = doc.subject;
  const words = doc.context.dictionary;
  const sourceName = (source: string) => localized(words?.sources[source], locale) || source;
  return {
    brand: doc.brand.name,
    generated: formatDateTime(doc.generatedAt, locale, tz),
    you: [
      [t.myData.customerNumber, s.externalId],
      [t.myData.email, s.email ?? none],
      [t.myData.phone, s.phone ?? none],
      [t.myData.language, s.locale ? languageName(s.locale, locale) : none],
      [t.myData.timeZone, s.timezone ? timeZoneName(s.timezone, locale) : none],
    ],
    facts: doc.facts.map((f) => ({
      label: localized(words?.factKeys[f.key], locale) || humanize(f.key),
      value: localized(words?.values[f.key]?.[valueText(f.value)], locale) || valueInWords(valueText(f.value)),
      how: t.provenance[f.provenance],
      category: categoryTitle(f.category, t),
      source: sourceName(f.source),
      when: formatDate(f.collectedAt, locale, tz),
      expires: f.expiresAt ? formatDate(f.expiresAt, locale, tz) : null,
      disputed: f.disputed === true,
    })),
    consents: [...doc.consents.history].reverse().map((e) => ({
      purpose: nameOf(e.purpose),
      decision: e.granted ? t.consents.agreed : t.consents.withdrew,
      version: e.noticeVersion ? String(e.noticeVersion) : '—',
      how: t.sources[e.source] ?? humanize(e.source),
      when: formatDateTime(e.capturedAt, locale, tz),
      notice: noticeView(e, locale, t, brandDefault),
      hash: e.hash,
      shortHash: e.hash.slice(0, 12),
      prevHash: e.prevHash ?? null,
    })),
    choices: (doc.factUse ?? []).map((u) => ({
      purpose: nameOf(u.purpose),
      use: u.use === 'all' ? t.factUse.all : t.factUse.declared,
      when: formatDateTime(u.updatedAt, locale, tz),
    })),
    channels: Object.entries(doc.preferences.channels).map(([channel, p]) => ({
      channel: t.channelTitles[channel] ?? humanize(channel),
      allowed: p.optedIn,
      frequency: t.frequencies[p.frequency] ?? humanize(p.frequency),
    })),
    quietHours: doc.preferences.quietHours ? `${doc.preferences.quietHours.start}–${doc.preferences.quietHours.end}` : null,
    topics: doc.preferences.topics.length ? formatList(doc.preferences.topics.map((topic) => localized(words?.topics[topic], locale) || humanize(topic)), locale) : none,
    purposeChannels: Object.entries(doc.preferences.purposes ?? {}).map(([purpose, choice]) => ({
      purpose: nameOf(purpose),
      channels: choice.channels.length ? formatList(choice.channels.map((c) => t.channelTitles[c] ?? humanize(c)), locale) : none,
    })),
    changes: [...(doc.preferenceChanges ?? [])].reverse().map((c) => ({
      when: formatDateTime(c.at, locale, tz),
      who: c.changedBy === 'you' ? t.activity.you : localized(words?.readers[c.changedBy], locale) || c.changedBy,
      what: c.fields.length ? formatList(c.fields.map((f) => settingInWords(f, t, nameOf)), locale) : t.activity.nothing,
      how: sourceInWords(c.source, localized(words?.sources[c.source], locale), t),
    })),
    reads: [...doc.accessLog].reverse().map((a) => ({
      when: formatDateTime(a.at, locale, tz),
      who: localized(words?.readers[a.reader], locale) || a.reader,
      why: a.purpose ? nameOf(a.purpose) : (t.activity.kinds[a.kind] ?? humanize(a.kind)),
      what: a.fields.length
        ? formatList(a.fields.map((f) => fieldLabel(f, t, nameOf, (field) => localized(words?.factKeys[field.replace(/^facts\./, '')], locale))), locale)
        : t.activity.nothing,
    })),
    requests: doc.privacyRequests.map((r) => ({
      type: t.requestTypes[r.type] ?? humanize(r.type),
      status: t.requestStatuses[r.status] ?? humanize(r.status),
      received: formatDate(r.receivedAt, locale, tz),
      due: formatDate(r.dueAt, locale, tz),
    })),
    purposes: doc.context.purposes.map((p) => ({
      name: nameOf(p.key),
      basis: t.legalBasis[p.legalBasis] ?? humanize(p.legalBasis),
      data: p.dataCategories.length ? formatList(p.dataCategories.map((c) => categoryTitle(c, t)), locale) : '—',
      kept: keptFor(p, t),
    })),
    recipients: doc.context.recipients.length ? formatList(doc.context.recipients.map((r) => r.name), locale) : t.myData.noRecipients,
    // Where a consent came from has a label ("When you signed up"); a fact's source in the brand's words.
    sources: doc.context.sources.length ? formatList(doc.context.sources.map((source) => (words?.sources[source] ? sourceName(source) : (t.sources[source] ?? source))), locale) : none,
  };
}

/**
 * The notice a decision refers to, in the reader's language when the brand wrote one (else the
 * brand's default, else any), and every other language it exists in: the ledger does not record
 * which language the person was shown, so all of them are there to read, each marked with its `lang`.
 */
function noticeView(e: ExportDocument['consents']['history'][number], locale: Locale, t: Messages, brandDefault: string): NoticeView | null {
  const texts = e.noticeText;
  if (!texts || !Object.keys(texts).length) return null;
  const lang = texts[locale] !== undefined ? locale : texts[brandDefault] !== undefined ? brandDefault : texts.en !== undefined ? 'en' : Object.keys(texts)[0]!;
  const version = e.noticeVersion;
  return {
    title: version ? (e.granted ? t.readable.noticeGranted(version) : t.readable.noticeWithdrawn(version)) : t.readable.noticeUnversioned,
    text: texts[lang]!,
    lang,
    others: Object.entries(texts)
      .filter(([code]) => code !== lang)
      .map(([code, text]) => ({ language: languageName(code, locale), lang: code, text })),
  };
}

/** How long a purpose keeps what it uses, from the period the export gives as data (older exports: the API's sentence). */
function keptFor(p: ExportDocument['context']['purposes'][number], t: Messages): string {
  if (typeof p.retentionDays === 'number') return t.readable.keptFor(p.retentionDays);
  if (p.retentionDays === null) return p.legalBasis === 'consent' ? t.readable.keptUntilWithdrawn : t.readable.keptUntilErased;
  return p.retention;
}

export type ErasureRequest = Schemas['PrivacyRequestResponse'];

/** Forget me: erased at once; the API ends the session with it. The receipt email comes in the page's language. */
export async function forgetMe(api: ApiClient, locale: Locale): Promise<ErasureRequest> {
  return ok(await api.POST('/v1/me/erasure', { body: { confirm: true, locale } }));
}

/** When the erasure was certified: the certificate's time, else the request's completion. */
export function certifiedAt(request: ErasureRequest): string | null {
  const fromCertificate = request.certificate?.erasedAt ?? request.certificate?.completedAt;
  return typeof fromCertificate === 'string' ? fromCertificate : request.completedAt;
}

/** Consents: every purpose with its notice in the reader's language, and the ledger history. */
import { allPages, ok, type ApiClient, type Schemas } from './api';
import { formatDate, formatDateTime, humanize, localized, type Locale, type Messages } from './i18n';
import { categoryTitle, loadMe, purposeNames } from './profile';

export type ConsentStatus = 'granted' | 'withdrawn' | 'undecided' | 'not-needed' | 'objected';

export interface PurposeView {
  key: string;
  name: string;
  basis: string;
  status: ConsentStatus;
  /** Whether the customer decides (legal basis "consent"); the others show no consent button. */
  decidable: boolean;
  /** Legitimate interest: the customer may object (and take the objection back) at any time. */
  objectable: boolean;
  granted: boolean;
  notice: string;
  /** "You agreed to version 2 on 3 March 2026." or the current version when never decided. */
  versionLine: string;
  dataCategories: string[];
  /** What of that data it may use now (null: it uses no data category, so there is nothing to choose). */
  use: Schemas['FactUseResponse']['use'] | null;
  saleOrShare: boolean;
}

export interface ReceiptRow {
  id: string;
  when: string;
  purpose: string;
  granted: boolean;
  source: string;
  hash: string;
}

/** A restriction of processing the customer asked for, as it stands. */
export interface RequestRow {
  id: string;
  /** "Asked on 3 March 2026 · Received · answer due by 2 April 2026" */
  line: string;
  status: string;
}

export interface ConsentsView {
  purposes: PurposeView[];
  history: ReceiptRow[];
  restrictions: RequestRow[];
}

export async function loadConsents(api: ApiClient, locale: Locale, t: Messages, brandDefault: string): Promise<ConsentsView> {
  const [me, events] = await Promise.all([loadMe(api), allPages((cursor) => api.GET('/v1/me/consents', { params: { query: { limit: 200, cursor } } }).then(ok))]);
  const history = { data: events };
  const names = purposeNames(me, locale);
  const tz = me.subject.timezone;
  const purposes = me.consents.map((c): PurposeView => {
    const decidable = c.legalBasis === 'consent';
    const objectable = c.legalBasis === 'legitimate_interest';
    const status: ConsentStatus = !decidable
      ? objectable && c.granted === false ? 'objected' : 'not-needed'
      : c.granted === true ? 'granted' : c.granted === false ? 'withdrawn' : 'undecided';
    let versionLine = '';
    if (status === 'granted' && c.noticeVersion !== null && c.updatedAt) versionLine = t.consents.agreedOn(c.noticeVersion, formatDate(c.updatedAt, locale, tz));
    else if (status === 'withdrawn' && c.updatedAt) versionLine = t.consents.withdrawnOn(formatDate(c.updatedAt, locale, tz));
    else if (c.noticeVersion !== null) versionLine = t.consents.latestVersion(c.noticeVersion);
    return {
      key: c.purpose,
      name: names.get(c.purpose) ?? humanize(c.purpose),
      basis: t.legalBasis[c.legalBasis] ?? humanize(c.legalBasis),
      status,
      decidable,
      objectable,
      granted: c.granted === true,
      notice: localized(c.noticeText, locale, brandDefault),
      versionLine,
      dataCategories: c.dataCategories.map((d) => categoryTitle(d, t)),
      use: c.dataCategories.length ? (me.factUse.find((u) => u.purpose === c.purpose)?.use ?? null) : null,
      saleOrShare: c.saleOrShare,
    };
  });
  // What the customer agreed to first, then what they refused, then the undecided, then the
  // purposes that need no consent; within each group, keep the API's order (sort is stable).
  const order: ConsentStatus[] = ['granted', 'withdrawn', 'undecided', 'objected', 'not-needed'];
  purposes.sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
  return {
    purposes,
    restrictions: me.requests
      .filter((r) => r.type === 'restriction')
      .map((r) => ({
        id: r.id,
        status: r.status,
        line: t.restrict.requestLine(formatDate(r.receivedAt, locale, tz), formatDate(r.dueAt, locale, tz), r.status === 'received' || r.status === 'in_progress'),
      })),
    history: [...history.data].reverse().map((e) => ({
      id: e.id,
      when: formatDateTime(e.capturedAt, locale, tz),
      purpose: names.get(e.purpose) ?? humanize(e.purpose),
      granted: e.granted,
      source: t.sources[e.source] ?? humanize(e.source),
      hash: e.hash,
    })),
  };
}

export type Receipt = Schemas['ConsentReceiptResponse'];

export async function loadReceipt(api: ApiClient, eventId: string): Promise<Receipt> {
  return ok(await api.GET('/v1/me/consents/receipts/{id}', { params: { path: { id: eventId } } }));
}

/** A receipt to download: the API's receipt untouched, plus `readable`, the same in the reader's words. */
export interface ReceiptDownload {
  fileName: string;
  body: Receipt & {
    readable: { language: Locale; decision: string; notice: string | null; noticeLanguage: string | null; howToCheck: string };
  };
}

/**
 * The receipt for one of the customer's consent events, as a file: `content`, `hash`, `algorithm`
 * and `verified` exactly as the API gave them (the hash covers `content`), and a `readable` part in
 * the page's language — what was decided and when, the notice, how to check the hash. Another
 * customer's event id → the API's 404.
 */
export async function loadReceiptDownload(api: ApiClient, eventId: string, locale: Locale, t: Messages, brandDefault: string): Promise<ReceiptDownload> {
  const [receipt, me] = [await loadReceipt(api, eventId), await loadMe(api)];
  const c = receipt.content as { purpose?: string; granted?: boolean; capturedAt?: string; recordedAt?: string };
  const purpose = String(c.purpose ?? '');
  const name = purposeNames(me, locale).get(purpose) ?? humanize(purpose);
  const at = c.capturedAt ?? c.recordedAt;
  const when = at ? formatDateTime(at, locale, me.subject.timezone) : '—';
  const texts = receipt.noticeText ?? null;
  const noticeLanguage = texts ? ([locale, brandDefault, 'en'].find((l) => texts[l] !== undefined) ?? Object.keys(texts)[0] ?? null) : null;
  const day = String(at ?? '').slice(0, 10) || 'receipt';
  return {
    fileName: `${t.readable.receiptFile}-${purpose.replace(/[^a-z0-9_-]/gi, '') || 'consent'}-${day}.json`,
    body: {
      ...receipt,
      readable: {
        language: locale,
        decision: c.granted ? t.readable.receiptAgreed(name, when) : t.readable.receiptWithdrew(name, when),
        notice: noticeLanguage && texts ? texts[noticeLanguage]! : null,
        noticeLanguage,
        howToCheck: t.readable.receiptHowToCheck,
      },
    },
  };
}

export async function setConsent(api: ApiClient, purpose: string, granted: boolean): Promise<void> {
  ok(await api.PUT('/v1/me/consents/{purpose}', { params: { path: { purpose } }, body: { granted } }));
}

/** Asks the brand's staff to restrict processing (GDPR Art. 18), in the customer's own words. */
export async function askRestriction(api: ApiClient, details: string): Promise<void> {
  ok(await api.POST('/v1/me/privacy-requests', { body: { type: 'restriction', ...(details ? { details } : {}) } }));
}

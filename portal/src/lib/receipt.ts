/**
 * The erasure receipt page (`/{brand}/erasure-receipt/{token}`): what the API says about one
 * erasure, for whoever holds the emailed link. No session: the token is the credential, and the
 * receipt holds nothing personal.
 */
import { ok, publicApi, type Schemas } from './api';
import { formatDateTimeUtc, type Locale, type Messages } from './i18n';

/** How often the page fetches the confirmations again while a downstream system has not answered yet. */
export const RECEIPT_REFRESH_SECONDS = 5;

export interface DownstreamView {
  system: string;
  status: 'pending' | 'confirmed' | 'failed';
  line: string;
}

export interface ReceiptView {
  requestId: string;
  completed: boolean;
  received: string;
  completedAt: string | null;
  tombstone: string | null;
  ledgerVerified: boolean;
  dataKeyDestroyed: boolean;
  downstream: DownstreamView[];
  confirmedCount: number;
  /** Something is still on its way: the page keeps fetching the confirmations. */
  updating: boolean;
}

/** Shape check before the API is asked: anything else is a 404 without a call. */
export const RECEIPT_TOKEN = /^cer_[A-Za-z0-9_-]{43}$/;

/** Loads the receipt; an unknown token throws the API's 404, which the middleware turns into the 404 page. */
export async function loadReceipt(token: string, locale: Locale, t: Messages): Promise<ReceiptView> {
  const r: Schemas['ErasureReceiptResponse'] = ok(await publicApi().GET('/v1/erasure-receipts/{token}', { params: { path: { token } } }));
  const downstream = r.downstream.map((d) => ({
    system: d.system,
    status: d.status,
    line: d.status === 'confirmed' ? t.receipt.confirmed(d.confirmedAt ? formatDateTimeUtc(d.confirmedAt, locale) : '') : d.status === 'pending' ? t.receipt.pending : t.receipt.failed,
  }));
  const completed = r.status === 'completed';
  return {
    requestId: r.requestId,
    completed,
    // The person's time zone was erased with the rest: times are in UTC and say so.
    received: formatDateTimeUtc(r.receivedAt, locale),
    completedAt: r.completedAt ? formatDateTimeUtc(r.completedAt, locale) : null,
    tombstone: r.certificate.tombstone,
    ledgerVerified: r.certificate.ledgerVerified,
    dataKeyDestroyed: r.certificate.dataKeyDestroyed,
    downstream,
    confirmedCount: downstream.filter((d) => d.status === 'confirmed').length,
    updating: !completed || downstream.some((d) => d.status === 'pending'),
  };
}

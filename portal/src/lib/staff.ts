/**
 * The staff console (`/{brand}/admin`): staff sign-in by emailed link, the privacy-request queue
 * with its deadlines, a request's history and actions, filing a request for a customer, exports,
 * the integrity of the ledger and audit log, and consent trends. Every call uses the staff
 * session, never a customer's; what a role may do is decided by the API (this module only hides
 * buttons a role cannot use, so a viewer is not offered them).
 */
import { allPages, ApiProblem, ok, publicApi, staffApi, type ApiClient, type Schemas } from './api';
import { formatDate, formatDateTime, formatShortDate, humanize, localized, type Locale, type Messages } from './i18n';

export type StaffRole = Schemas['StaffSessionResponse']['role'];
export type PrivacyRequest = Schemas['PrivacyRequestResponse'];
export type RequestStatus = PrivacyRequest['status'];
export type RequestType = PrivacyRequest['type'];
export type Jurisdiction = PrivacyRequest['jurisdiction'];

export const REQUEST_STATUSES: RequestStatus[] = ['received', 'in_progress', 'completed', 'rejected'];
export const REQUEST_TYPES: RequestType[] = ['access', 'erasure', 'rectification', 'restriction', 'objection'];
export const JURISDICTIONS: Jurisdiction[] = ['gdpr', 'ccpa'];
/** Types whose execution must say what was done (the API requires a note for them). */
export const NOTE_REQUIRED: RequestType[] = ['rectification', 'restriction'];

export interface StaffMember {
  staffId: string;
  name: string;
  role: StaffRole;
  /** Compliance and admin act on requests; viewers watch. */
  canAct: boolean;
}

export function canAct(role: string): boolean {
  return role === 'compliance' || role === 'admin';
}

// ---------- signing in and out ----------

export interface NewStaffSession {
  token: string;
  expiresAt: string;
  brand: string;
}

/** Asks the API to email a staff sign-in link; it always accepts, known address or not. */
export async function requestStaffLink(brand: string, email: string, locale: Locale): Promise<void> {
  // The page's language: the email is written in the language the person is reading.
  ok(await publicApi().POST('/v1/auth/staff-links', { body: { brand, email, locale } }));
}

/** Exchanges a staff link's one-time token; null when it is spent, expired or unknown. */
export async function exchangeStaffLink(token: string): Promise<NewStaffSession | null> {
  const result = await publicApi().POST('/v1/auth/staff-sessions', { body: { token } });
  if (result.response.status === 401 || result.response.status === 422) return null;
  const session = ok(result);
  return { token: session.sessionToken, expiresAt: session.expiresAt, brand: session.brand };
}

/** Ends the staff session at the API; an already-ended one is fine. */
export async function endStaffSession(token: string): Promise<void> {
  const result = await staffApi(token).DELETE('/v1/auth/staff-sessions/current');
  if (!result.response.ok && result.response.status !== 401) throw new ApiProblem(result.response.status, undefined, 'sign-out failed');
}

export async function loadStaffMe(api: ApiClient): Promise<StaffMember> {
  const me = ok(await api.GET('/v1/staff/me'));
  const role = (me.role ?? 'viewer') as StaffRole;
  return { staffId: me.staffId ?? '', name: me.name ?? '', role, canAct: canAct(role) };
}

// ---------- the queue ----------

export interface DueView {
  /** "12 March 2026" */
  date: string;
  /** "in 3 days", "today", "5 days late", or "done" for closed requests. */
  relative: string;
  overdue: boolean;
  /** Open and due within a week: worth a look. */
  soon: boolean;
}

export interface RequestRow {
  id: string;
  subjectId: string;
  type: string;
  typeKey: RequestType;
  jurisdiction: string;
  channel: string;
  status: string;
  statusKey: RequestStatus;
  received: string;
  due: DueView;
  acknowledgeBy: string | null;
  extended: boolean;
  /** Who it is about, as the API lets this role see it (the API records each display in the customer's access log). */
  customer: { label: string | null; masked: boolean; erased: boolean };
}

export interface QueueFilter {
  status: RequestStatus | null;
  overdue: boolean;
}

export function queueFilterOf(params: URLSearchParams): QueueFilter {
  const status = params.get('status');
  return {
    status: REQUEST_STATUSES.includes(status as RequestStatus) ? (status as RequestStatus) : null,
    overdue: params.get('overdue') === 'true',
  };
}

export interface QueueView {
  rows: RequestRow[];
  overdueCount: number;
  openCount: number;
  more: boolean;
}

const DAY = 86_400_000;

export async function loadQueue(api: ApiClient, filter: QueueFilter, locale: Locale, t: Messages, now = new Date()): Promise<QueueView> {
  const page = ok(
    await api.GET('/v1/privacy-requests', {
      params: { query: { limit: 100, ...(filter.status ? { status: filter.status } : {}), ...(filter.overdue ? { overdue: true } : {}) } },
    }),
  );
  const rows = page.data.map((r) => requestRow(r, locale, t, now));
  return {
    rows,
    overdueCount: rows.filter((r) => r.due.overdue).length,
    openCount: rows.filter((r) => isOpen(r.statusKey)).length,
    more: page.nextCursor !== null,
  };
}

export function isOpen(status: RequestStatus): boolean {
  return status === 'received' || status === 'in_progress';
}

function requestRow(r: PrivacyRequest, locale: Locale, t: Messages, now: Date): RequestRow {
  return {
    id: r.id,
    subjectId: r.subjectId,
    type: t.requestTypes[r.type] ?? humanize(r.type),
    typeKey: r.type,
    jurisdiction: t.console.jurisdictions[r.jurisdiction] ?? r.jurisdiction.toUpperCase(),
    channel: t.console.channels[r.channel] ?? humanize(r.channel),
    status: t.requestStatuses[r.status] ?? humanize(r.status),
    statusKey: r.status,
    received: formatDate(r.receivedAt, locale),
    due: dueView(r, locale, t, now),
    acknowledgeBy: r.acknowledgeBy ? formatDate(r.acknowledgeBy, locale) : null,
    extended: r.extendedAt !== null,
    customer: { label: r.customer?.label ?? null, masked: r.customer?.masked ?? false, erased: r.customer?.erased ?? false },
  };
}

function dueView(r: PrivacyRequest, locale: Locale, t: Messages, now: Date): DueView {
  const date = formatDate(r.dueAt, locale);
  if (!isOpen(r.status)) return { date, relative: t.console.closed, overdue: false, soon: false };
  const days = Math.floor((new Date(r.dueAt).getTime() - now.getTime()) / DAY);
  const relative = r.overdue ? t.console.daysLate(Math.max(1, -days)) : days <= 0 ? t.console.dueToday : t.console.dueIn(days);
  return { date, relative, overdue: r.overdue, soon: !r.overdue && days < 7 };
}

// ---------- one request ----------

export interface RequestDetail extends RequestRow {
  receivedAt: string;
  extensionReason: string | null;
  completed: string | null;
  certificate: string | null;
  open: boolean;
  history: Array<{ when: string; action: string; status: string; actor: string; note: string | null }>;
}

export async function loadRequest(api: ApiClient, id: string, locale: Locale, t: Messages, now = new Date()): Promise<RequestDetail> {
  const r = ok(await api.GET('/v1/privacy-requests/{id}', { params: { path: { id } } }));
  return {
    ...requestRow(r, locale, t, now),
    receivedAt: formatDateTime(r.receivedAt, locale),
    extensionReason: r.extensionReason,
    completed: r.completedAt ? formatDateTime(r.completedAt, locale) : null,
    certificate: r.certificate ? JSON.stringify(r.certificate, null, 2) : null,
    open: isOpen(r.status),
    history: (r.history ?? []).map((h) => ({
      when: formatDateTime(h.at, locale),
      action: t.console.actions[h.action] ?? humanize(h.action),
      status: t.requestStatuses[h.status] ?? humanize(h.status),
      actor: actorName(h.actor, t),
      note: h.note,
    })),
  };
}

/** History names actors as `staff:<id>`, `customer:<id>`, `key:<id>`: say what they are. */
function actorName(actor: string, t: Messages): string {
  const kind = actor.split(':')[0] ?? actor;
  return t.console.actors[kind] ?? actor;
}

export async function executeRequest(api: ApiClient, id: string, note: string): Promise<void> {
  ok(await api.POST('/v1/privacy-requests/{id}/execute', { params: { path: { id } }, body: note ? { note } : {} }));
}

/** The API's reasons for refusing an extension; the page explains each in words. */
export type ExtensionRefusal = 'closed' | 'already-extended' | 'reason-required' | 'too-late' | 'too-long';
const REFUSALS: ExtensionRefusal[] = ['closed', 'already-extended', 'reason-required', 'too-late', 'too-long'];

/** Extends the deadline; a refusal (409 with `refusal`) is returned, not thrown. */
export async function extendRequest(api: ApiClient, id: string, reason: string, days: number | undefined): Promise<ExtensionRefusal | null> {
  const result = await api.POST('/v1/privacy-requests/{id}/extend', { params: { path: { id } }, body: days ? { reason, days } : { reason } });
  // An empty reason fails validation before the deadline rules are even asked.
  if (result.response.status === 422) return 'reason-required';
  if (result.response.status === 409) {
    const refusal = (result.error as Record<string, unknown> | undefined)?.refusal;
    return REFUSALS.includes(refusal as ExtensionRefusal) ? (refusal as ExtensionRefusal) : 'closed';
  }
  ok(result);
  return null;
}

// ---------- subjects ----------

export interface SubjectMatch {
  id: string;
  externalId: string;
  email: string;
  since: string;
}

export async function findSubjects(api: ApiClient, email: string, locale: Locale): Promise<SubjectMatch[]> {
  const page = ok(await api.GET('/v1/subjects', { params: { query: { email, limit: 10 } } }));
  return page.data.map((s) => ({ id: s.id, externalId: s.externalId, email: s.email ?? '', since: formatDate(s.createdAt, locale) }));
}

/** How a request filed in the console may have arrived (`staff` when staff took it down themselves). */
export const CONSOLE_CHANNELS = ['letter', 'email', 'phone', 'in_person', 'staff'] as const;
export type ConsoleChannel = (typeof CONSOLE_CHANNELS)[number];

/**
 * The receipt time of a day picked in the console: the start of that day (UTC), so the deadline is
 * never later than the law's; today (or no day) is "now". Null when it is not a calendar date.
 */
export function receivedAtOf(day: string, now = new Date()): string | undefined | null {
  if (!day) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const start = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== day) return null;
  // Today, or "tomorrow" in UTC for staff east of Greenwich just after midnight: now. Later days go
  // to the API as they are, which refuses them.
  if (day === now.toISOString().slice(0, 10) || (start.getTime() > now.getTime() && start.getTime() - now.getTime() < 86_400_000)) return undefined;
  return start.toISOString();
}

/** Files a request; null when the API refuses the receipt date (422), which the form explains. */
export async function fileRequest(
  api: ApiClient,
  subjectId: string,
  type: RequestType,
  jurisdiction: Jurisdiction,
  intake: { channel?: ConsoleChannel; receivedAt?: string } = {},
): Promise<PrivacyRequest | null> {
  const result = await api.POST('/v1/privacy-requests', { body: { subjectId, type, jurisdiction, ...intake } });
  if (result.response.status === 422) return null;
  return ok(result);
}

/** A subject's full export as the API wrote it, for a download. */
export async function subjectExportJson(api: ApiClient, subjectId: string): Promise<string> {
  const result = await api.GET('/v1/subjects/{id}/export', { params: { path: { id: subjectId } }, parseAs: 'text', headers: { accept: 'application/json' } });
  return ok(result) as unknown as string;
}

// ---------- integrity and trends ----------

export interface IntegrityView {
  name: 'ledger' | 'audit';
  ok: boolean;
  events: number;
  firstBadEventId: string | null;
  fault: string | null;
}

export async function loadIntegrity(api: ApiClient, t: Messages): Promise<IntegrityView[]> {
  const [ledger, audit] = await Promise.all([api.GET('/v1/ledger/verify').then(ok), api.GET('/v1/audit-log/verify').then(ok)]);
  const view = (name: IntegrityView['name'], v: Schemas['LedgerVerificationResponse']): IntegrityView => ({
    name,
    ok: v.ok,
    events: v.events,
    firstBadEventId: v.firstBadEventId ?? null,
    fault: v.fault ? (t.console.faults[v.fault] ?? v.fault) : null,
  });
  return [view('ledger', ledger), view('audit', audit)];
}

export interface TrendBucket {
  /** "3 Mar" — the first day of the week. */
  label: string;
  /** "3 Mar – 9 Mar", for the table and the bars' titles. */
  range: string;
  granted: number;
  withdrawn: number;
}

export interface TrendView {
  purpose: string;
  key: string;
  buckets: TrendBucket[];
  granted: number;
  withdrawn: number;
  /** The largest weekly count, so every bar of this purpose shares one scale. */
  max: number;
}

export interface StatsView {
  days: number;
  purposes: TrendView[];
}

/**
 * Consent grants and withdrawals per purpose over `days`, in weeks (ninety daily bars are too
 * thin to read on a phone; thirteen weekly ones are not). The page draws them as CSS bars with a
 * table of the same numbers.
 */
export async function loadStats(api: ApiClient, days: number, locale: Locale, brandDefault: string, now = new Date()): Promise<StatsView> {
  const [stats, purposes] = await Promise.all([
    api.GET('/v1/consent-stats', { params: { query: { days } } }).then(ok),
    allPages((cursor) => api.GET('/v1/purposes', { params: { query: { limit: 200, cursor } } }).then(ok)),
  ]);
  const names = new Map(purposes.map((p) => [p.key, localized(p.name, locale, brandDefault) || humanize(p.key)]));
  return {
    days: stats.days,
    purposes: (stats.purposes ?? []).map((p) => {
      // The API lists only the days something happened: lay them on the whole period, day by day.
      const byDate = new Map((p.series ?? []).map((d) => [String(d.date).slice(0, 10), d]));
      const series = calendar(stats.days, now).map((date) => ({ date, granted: byDate.get(date)?.granted ?? 0, withdrawn: byDate.get(date)?.withdrawn ?? 0 }));
      const buckets: TrendBucket[] = [];
      for (let i = 0; i < series.length; i += 7) {
        const week = series.slice(i, i + 7);
        const first = week[0]!.date;
        const last = week[week.length - 1]!.date;
        buckets.push({
          label: formatShortDate(first, locale),
          range: first === last ? formatShortDate(first, locale) : `${formatShortDate(first, locale)} – ${formatShortDate(last, locale)}`,
          granted: week.reduce((sum, d) => sum + d.granted, 0),
          withdrawn: week.reduce((sum, d) => sum + d.withdrawn, 0),
        });
      }
      const key = p.purpose ?? '';
      return {
        key,
        purpose: names.get(key) ?? humanize(key),
        buckets,
        granted: buckets.reduce((sum, b) => sum + b.granted, 0),
        withdrawn: buckets.reduce((sum, b) => sum + b.withdrawn, 0),
        max: Math.max(1, ...buckets.map((b) => Math.max(b.granted, b.withdrawn))),
      };
    }),
  };
}

/** The `days` UTC dates (YYYY-MM-DD) ending today, oldest first. */
function calendar(days: number, now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * DAY).toISOString().slice(0, 10));
}

/** A bar's height as one of twenty steps (classes `h-0`…`h-20`): the CSP allows no inline styles. */
export function barStep(count: number, max: number): number {
  if (count <= 0) return 0;
  return Math.max(1, Math.round((count / max) * 20));
}

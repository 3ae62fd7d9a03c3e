/**
 * Activity: the access log — who read the customer's data, for which purpose, when — the
 * propagation receipts: which of the brand's systems confirmed each consent change, and when — and
 * the customer's choices of what each purpose may use.
 */
import { ok, type ApiClient, type Schemas } from './api';
import { formatDate, formatDateTime, formatList, formatTime, humanize, localized, type Locale, type Messages } from './i18n';
import { loadMe, purposeNames } from './profile';

export interface AccessView {
  id: string;
  when: string;
  who: string;
  what: string;
  purpose: string;
  fields: string;
}

export type ReachStatus = Schemas['PropagationReceipt']['status'];

export interface ReachView {
  system: string;
  status: ReachStatus;
  /** "✓ 10:02", "waiting for confirmation", "did not confirm after 5 attempts"… */
  line: string;
}

export interface PropagationView {
  eventId: string;
  /** "Your withdrawal of “Email newsletters”" */
  change: string;
  when: string;
  reached: ReachView[];
}

/** A choice of what a purpose may use, as the customer made it (the latest for each purpose). */
export interface FactUseChoiceView {
  purpose: string;
  name: string;
  use: Schemas['FactUseResponse']['use'];
  when: string;
}

/** One change of the customer's preferences: who, how, when and what. */
export interface ChangeView {
  id: string;
  when: string;
  /** "You", "Call centre", "Astrid Berg (staff)" */
  who: string;
  byYou: boolean;
  /** "text messages, how we reach you about “Order updates”" */
  what: string;
  /** "On this page", "Call centre", "Imported from an earlier system" */
  how: string;
}

/** Another record of the person the brand found and joined into this one. */
export interface MergeView {
  mergedSubjectId: string;
  /** "We found two records of you and joined them on 3 December 2026; …" */
  line: string;
  /** "Where they disagreed: “Email newsletters”, text message." — null when they agreed. */
  kept: string | null;
}

export interface ActivityView {
  reads: AccessView[];
  propagation: PropagationView[];
  choices: FactUseChoiceView[];
  changes: ChangeView[];
  merges: MergeView[];
}

export async function loadActivity(api: ApiClient, locale: Locale, t: Messages): Promise<ActivityView> {
  const [me, log, propagation, changes] = await Promise.all([
    loadMe(api),
    api.GET('/v1/me/access-log', { params: { query: { limit: 100 } } }).then(ok),
    // The most recent changes, as with reads above.
    api.GET('/v1/me/propagation', { params: { query: { limit: 100 } } }).then(ok),
    api.GET('/v1/me/preference-changes', { params: { query: { limit: 100 } } }).then(ok),
  ]);
  const names = purposeNames(me, locale);
  const tz = me.subject.timezone;
  return {
    reads: readsOf(log.data, names, locale, tz, t),
    // Newest first, as the reads above.
    choices: me.factUse
      .filter((u) => u.chosen && u.updatedAt)
      .sort((a, b) => b.updatedAt!.localeCompare(a.updatedAt!))
      .map((u) => ({ purpose: u.purpose, name: names.get(u.purpose) ?? humanize(u.purpose), use: u.use, when: formatDateTime(u.updatedAt!, locale, tz) })),
    propagation: propagation.data.map((event) => {
      const purpose = names.get(event.purpose) ?? humanize(event.purpose);
      return {
        eventId: event.eventId,
        change: event.granted ? t.activity.yourGrant(purpose) : t.activity.yourWithdrawal(purpose),
        when: formatDateTime(event.at, locale, tz),
        reached: event.reached.map((r) => ({ system: r.system, status: r.status, line: reachLine(r, locale, tz, t) })),
      };
    }),
    changes: changes.data.map((c) => ({
      id: c.id,
      when: formatDateTime(c.at, locale, tz),
      who: c.byYou ? t.activity.you : localized(c.changedByLabel, locale) || c.changedBy,
      byYou: c.byYou,
      what: c.fields.length ? formatList(c.fields.map((f) => settingInWords(f, t, (key) => names.get(key) ?? humanize(key))), locale) : t.activity.nothing,
      how: sourceInWords(c.source, localized(c.sourceLabel, locale), t),
    })),
    merges: (me.merges ?? []).map((m) => {
      // Purposes (consent, objection, channels chosen for them, fact use), channels, and quiet hours.
      const things = [
        ...m.disagreedPurposes.map((p) => t.activity.disagreedPurpose(names.get(p) ?? humanize(p))),
        ...m.disagreedChannels.map((c) => t.channels[c] ?? humanize(c)),
        ...((m.disagreedSettings ?? []).includes('quietHours') ? [t.activity.quietHoursSetting] : []),
      ];
      return {
        mergedSubjectId: m.mergedSubjectId,
        line: t.activity.merged(formatDate(m.mergedAt, locale, tz)),
        kept: things.length ? t.activity.mergedKept(formatList(things, locale)) : null,
      };
    }),
  };
}

/** A setting a change names (`channels.sms`, `purposes.order_updates`, `quietHours`, `topics`), in words. */
export function settingInWords(field: string, t: Messages, purposeName: (key: string) => string): string {
  if (field.startsWith('channels.')) return t.activity.channelSetting(t.channels[field.slice('channels.'.length)] ?? humanize(field.slice('channels.'.length)));
  if (field.startsWith('purposes.')) return t.activity.purposeSetting(purposeName(field.slice('purposes.'.length)));
  if (field === 'quietHours') return t.activity.quietHoursSetting;
  if (field === 'topics') return t.activity.topicsSetting;
  return humanize(field);
}

/**
 * How a change came, in words: Candor's own codes in the reader's language, a source the brand
 * registered in its words (`label`, when it differs from the code), else the code in plain words.
 */
export function sourceInWords(source: string, label: string, t: Messages): string {
  return t.sources[source] ?? (label && label !== source ? label : humanize(source));
}

function reachLine(receipt: Schemas['PropagationReceipt'], locale: Locale, tz: string | null, t: Messages): string {
  switch (receipt.status) {
    case 'delivered':
      return t.activity.reachedAt(receipt.confirmedAt ? formatTime(receipt.confirmedAt, locale, tz) : '');
    case 'pending':
      return t.activity.pending(receipt.attempts);
    case 'failed':
      return t.activity.failed(receipt.attempts);
    default:
      return t.activity.cancelled;
  }
}

function readsOf(records: Schemas['AccessRecordResponse'][], names: Map<string, string>, locale: Locale, tz: string | null, t: Messages): AccessView[] {
  return records.map((record) => ({
    id: record.id,
    when: formatDateTime(record.at, locale, tz),
    who: localized(record.readerLabel, locale) || record.reader,
    what: t.activity.kinds[record.kind] ?? humanize(record.kind),
    purpose: record.purpose ? (names.get(record.purpose) ?? humanize(record.purpose)) : '—',
    fields: record.fields.length
      ? formatList(record.fields.map((f) => fieldLabel(f, t, (key) => names.get(key) ?? humanize(key), (field) => localized(record.fieldLabels[field], locale))), locale)
      : t.activity.nothing,
  }));
}

/**
 * Access records name fields as `facts.<key>`, `consents.<purpose>`, `preferences` or a contact
 * detail (`email`, `phone`, `locale`…): say them in words. `purposeName` names a purpose;
 * `brandLabel` gives the brand's word for a fact key (its dictionary), when it has one.
 */
export function fieldLabel(field: string, t: Messages, purposeName?: (key: string) => string, brandLabel?: (field: string) => string | undefined): string {
  if (field === 'preferences') return t.activity.preferencesField;
  if (t.activity.identityFields[field]) return t.activity.identityFields[field];
  if (t.readable.fields[field]) return t.readable.fields[field];
  if (field.startsWith('consents.') && purposeName) return t.readable.consentField(purposeName(field.slice('consents.'.length)));
  return brandLabel?.(field) || humanize(field.replace(/^facts\./, ''));
}

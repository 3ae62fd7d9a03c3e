/**
 * Preferences: channels, frequency, the channels chosen per kind of message, quiet hours and
 * topics. The API versions them: the form carries the version (ETag) it was drawn from, and a save
 * made from a stale form is refused (412) rather than silently overwriting a change made elsewhere.
 * Beside the form: what the brand would be told right now (GET /v1/me/decisions), in words.
 */
import { ok, problemOf, type ApiClient, type Schemas } from './api';
import { formatDateTime, formatList, formatTime, humanize, localized, type Locale, type Messages } from './i18n';
import { loadMe, purposeNames } from './profile';

export type Preferences = Schemas['MyPreferencesResponse'];
export type Frequency = Schemas['ChannelPreferenceDto']['frequency'];
export type Channel = keyof Schemas['ChannelsDto'];

export const CHANNELS: Channel[] = ['email', 'sms', 'push', 'messenger', 'post'];
export const FREQUENCIES: Frequency[] = ['immediately', 'daily', 'weekly', 'monthly'];

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** One kind of message the person may choose channels for ("Order and delivery updates"). */
export interface PurposeChoiceView {
  key: string;
  name: string;
  /** It serves a contract or a legal duty: it cannot be refused, only routed (one channel at least). */
  required: boolean;
  channels: Array<{ key: Channel; chosen: boolean }>;
}

/** What the brand would be told for one kind of message, channel by channel. */
export interface ToldView {
  purpose: string;
  /** "May Calm Harbor contact you about “Newsletters and offers by email” now?" */
  question: string;
  lines: Array<{ channel: string; title: string; allowed: boolean; answer: string }>;
}

/** What the preferences form shows; pages use this rather than the API's shapes. */
export interface PreferencesView {
  /** The version the form is drawn from, sent back as If-Match. */
  etag: string;
  channels: Array<{ key: Channel; optedIn: boolean; frequency: Frequency }>;
  /** Kinds of message that use more than one channel (or already have a choice): the person picks which. */
  purposes: PurposeChoiceView[];
  quietHours: { enabled: boolean; start: string; end: string };
  topics: string[];
  /** Each topic in the reader's language, from the brand's dictionary ("Søvn"). */
  topicNames: Record<string, string>;
  told: ToldView[];
}

export async function loadPreferences(api: ApiClient, locale: Locale, t: Messages, brandName: string): Promise<PreferencesView> {
  const [result, me, decisions] = await Promise.all([api.GET('/v1/me/preferences'), loadMe(api), api.GET('/v1/me/decisions').then(ok)]);
  const preferences: Preferences = ok(result);
  const names = purposeNames(me, locale);
  return {
    etag: result.response.headers.get('etag') ?? `"${preferences.version}"`,
    channels: CHANNELS.flatMap((key) => {
      const channel = preferences.channels[key];
      return channel ? [{ key, optedIn: channel.optedIn, frequency: channel.frequency }] : [];
    }),
    // A choice between channels needs two; a choice already made (by the call centre, say) is shown whatever the count, so it can be undone here.
    purposes: me.consents
      .filter((c) => c.channels.length > 1 || (c.channels.length > 0 && preferences.purposes[c.purpose] !== undefined))
      .map((c) => {
        const chosen = preferences.purposes[c.purpose]?.channels;
        return {
          key: c.purpose,
          name: names.get(c.purpose) ?? humanize(c.purpose),
          required: c.legalBasis === 'contract' || c.legalBasis === 'legal_obligation',
          channels: (c.channels as Channel[]).map((key) => ({ key, chosen: !chosen || (chosen as string[]).includes(key) })),
        };
      }),
    // Unset quiet hours still offer a sensible evening-to-morning default to switch on.
    quietHours: { enabled: preferences.quietHours !== null, start: preferences.quietHours?.start ?? '21:00', end: preferences.quietHours?.end ?? '07:00' },
    topics: preferences.topics,
    topicNames: Object.fromEntries(preferences.topics.map((topic) => [topic, localized(preferences.topicLabels[topic], locale) || humanize(topic)])),
    told: toldView(decisions.data, names, locale, me.subject.timezone, t, brandName),
  };
}

/** The brand's answers, grouped by kind of message, in the person's words. */
export function toldView(
  decisions: Schemas['MyDecisionResponse'][],
  names: Map<string, string>,
  locale: Locale,
  timeZone: string | null,
  t: Messages,
  brandName: string,
  now = new Date(),
): ToldView[] {
  const views = new Map<string, ToldView>();
  for (const d of decisions) {
    const name = names.get(d.purpose) ?? humanize(d.purpose);
    const view = views.get(d.purpose) ?? { purpose: d.purpose, question: t.told.question(brandName, name), lines: [] };
    const title = t.channelTitles[d.channel] ?? humanize(d.channel);
    view.lines.push({ channel: d.channel, title, allowed: d.allowed, answer: answerInWords(d, locale, timeZone, t, now) });
    views.set(d.purpose, view);
  }
  return [...views.values()];
}

/** "Yes", or "No — your quiet hours (until 07:00)". */
export function answerInWords(d: Pick<Schemas['MyDecisionResponse'], 'allowed' | 'reasons' | 'until'>, locale: Locale, timeZone: string | null, t: Messages, now = new Date()): string {
  if (d.allowed) return t.told.yes;
  const why = formatList([...new Set(d.reasons.map((r) => reasonInWords(r, t)))], locale);
  if (!d.until) return t.told.no(why);
  // Within a day, the time says enough ("07:00"); later, the date too.
  const soon = Date.parse(d.until) - now.getTime() < 24 * 3600_000;
  return t.told.noUntil(why, soon ? formatTime(d.until, locale, timeZone) : formatDateTime(d.until, locale, timeZone));
}

/** One reason the brand would be given, as the person would say it. */
export function reasonInWords(reason: string, t: Messages): string {
  if (reason.startsWith('frequency-cap:')) return t.told.frequencyCap[reason.slice('frequency-cap:'.length)] ?? t.told.reasons['frequency-cap'] ?? humanize(reason);
  if (reason.startsWith('suppressed:')) return t.told.suppressed[reason.slice('suppressed:'.length)] ?? t.told.reasons.suppressed ?? humanize(reason);
  return t.told.reasons[reason] ?? humanize(reason);
}

export type SaveOutcome = 'saved' | 'stale' | 'invalid' | 'no-channel';

/**
 * Turns the posted form into the API's body; `invalid` when a field makes no sense (a bad time),
 * `no-channel` when a kind of message that cannot be refused was left without any channel.
 */
export function preferencesFromForm(form: FormData): Schemas['UpdatePreferencesDto'] | 'invalid' | 'no-channel' {
  const channels: Schemas['ChannelsDto'] = {};
  for (const channel of CHANNELS) {
    if (!form.getAll('channel').includes(channel)) continue;
    const frequency = form.get(`${channel}.frequency`);
    if (!FREQUENCIES.includes(frequency as Frequency)) return 'invalid';
    channels[channel] = { optedIn: form.get(`${channel}.optedIn`) === 'on', frequency: frequency as Frequency };
  }
  // Channels chosen per kind of message: every channel ticked is no choice at all (null).
  const purposes: NonNullable<Schemas['UpdatePreferencesDto']['purposes']> = {};
  for (const key of form.getAll('purpose').map(String)) {
    if (!KEY.test(key)) return 'invalid';
    const offered = String(form.get(`purpose.${key}.channels`) ?? '').split(',').filter((c): c is Channel => (CHANNELS as string[]).includes(c));
    const ticked = form.getAll(`purpose.${key}`).map(String).filter((c): c is Channel => offered.includes(c as Channel));
    if (!ticked.length && form.get(`purpose.${key}.required`) === '1') return 'no-channel';
    purposes[key] = ticked.length === offered.length ? null : { channels: ticked };
  }
  let quietHours: Schemas['QuietHoursDto'] | null = null;
  if (form.get('quiet.use') === 'on') {
    const start = String(form.get('quiet.start') ?? '');
    const end = String(form.get('quiet.end') ?? '');
    if (!TIME.test(start) || !TIME.test(end)) return 'invalid';
    quietHours = { start, end };
  }
  const kept = form.getAll('topics').map(String);
  const added = String(form.get('topics.add') ?? '')
    .split(',')
    .map((topic) => topic.trim().toLowerCase().replace(/\s+/g, '_'))
    .filter(Boolean);
  const topics = [...new Set([...kept, ...added])].filter((topic) => topic.length <= 64);
  return { channels, ...(Object.keys(purposes).length ? { purposes } : {}), quietHours, topics };
}

/** The characters an entity tag may hold (RFC 9110 `etagc`, quotes and the weak prefix). */
const ETAG_CHARS = /^[\x21-\x7e]{1,200}$/;

export async function savePreferences(api: ApiClient, etag: string, body: Schemas['UpdatePreferencesDto']): Promise<SaveOutcome> {
  // An entity tag is visible ASCII (RFC 9110); anything else (a tampered form) cannot match the current version.
  if (!ETAG_CHARS.test(etag)) return 'stale';
  const result = await api.PUT('/v1/me/preferences', { params: { header: { 'If-Match': etag } }, body });
  if (result.response.ok) return 'saved';
  const status = result.response.status;
  if (status === 412 || status === 428) return 'stale';
  if (status === 422) return 'invalid';
  throw problemOf(result);
}

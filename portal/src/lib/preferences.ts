/**
 * Preferences: channels, frequency, quiet hours and topics. The API versions them: the form
 * carries the version (ETag) it was drawn from, and a save made from a stale form is refused
 * (412) rather than silently overwriting a change made elsewhere.
 */
import { ok, problemOf, type ApiClient, type Schemas } from './api';
import { humanize, localized, type Locale } from './i18n';

export type Preferences = Schemas['MyPreferencesResponse'];
export type Frequency = Schemas['ChannelPreferenceDto']['frequency'];
export type Channel = keyof Schemas['ChannelsDto'];

export const CHANNELS: Channel[] = ['email', 'sms', 'push', 'messenger', 'post'];
export const FREQUENCIES: Frequency[] = ['immediately', 'daily', 'weekly', 'monthly'];

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What the preferences form shows; pages use this rather than the API's shapes. */
export interface PreferencesView {
  /** The version the form is drawn from, sent back as If-Match. */
  etag: string;
  channels: Array<{ key: Channel; optedIn: boolean; frequency: Frequency }>;
  quietHours: { enabled: boolean; start: string; end: string };
  topics: string[];
  /** Each topic in the reader's language, from the brand's dictionary ("Søvn"). */
  topicNames: Record<string, string>;
}

export async function loadPreferences(api: ApiClient, locale: Locale = 'en'): Promise<PreferencesView> {
  const result = await api.GET('/v1/me/preferences');
  const preferences: Preferences = ok(result);
  return {
    etag: result.response.headers.get('etag') ?? `"${preferences.version}"`,
    channels: CHANNELS.flatMap((key) => {
      const channel = preferences.channels[key];
      return channel ? [{ key, optedIn: channel.optedIn, frequency: channel.frequency }] : [];
    }),
    // Unset quiet hours still offer a sensible evening-to-morning default to switch on.
    quietHours: { enabled: preferences.quietHours !== null, start: preferences.quietHours?.start ?? '21:00', end: preferences.quietHours?.end ?? '07:00' },
    topics: preferences.topics,
    topicNames: Object.fromEntries(preferences.topics.map((topic) => [topic, localized(preferences.topicLabels[topic], locale) || humanize(topic)])),
  };
}

export type SaveOutcome = 'saved' | 'stale' | 'invalid';

/** Turns the posted form into the API's body; null when a field makes no sense (bad time). */
export function preferencesFromForm(form: FormData): Schemas['UpdatePreferencesDto'] | null {
  const channels: Schemas['ChannelsDto'] = {};
  for (const channel of CHANNELS) {
    if (!form.getAll('channel').includes(channel)) continue;
    const frequency = form.get(`${channel}.frequency`);
    if (!FREQUENCIES.includes(frequency as Frequency)) return null;
    channels[channel] = { optedIn: form.get(`${channel}.optedIn`) === 'on', frequency: frequency as Frequency };
  }
  let quietHours: Schemas['QuietHoursDto'] | null = null;
  if (form.get('quiet.use') === 'on') {
    const start = String(form.get('quiet.start') ?? '');
    const end = String(form.get('quiet.end') ?? '');
    if (!TIME.test(start) || !TIME.test(end)) return null;
    quietHours = { start, end };
  }
  const kept = form.getAll('topics').map(String);
  const added = String(form.get('topics.add') ?? '')
    .split(',')
    .map((topic) => topic.trim().toLowerCase().replace(/\s+/g, '_'))
    .filter(Boolean);
  const topics = [...new Set([...kept, ...added])].filter((topic) => topic.length <= 64);
  return { channels, quietHours, topics };
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


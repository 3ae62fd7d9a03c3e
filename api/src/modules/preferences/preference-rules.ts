import { CHANNELS, Channel } from '../purposes/purpose-catalogue';

export const FREQUENCIES = ['immediately', 'daily', 'weekly', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export interface ChannelPreference {
  optedIn: boolean;
  frequency: Frequency;
}
export type ChannelPreferences = Partial<Record<Channel, ChannelPreference>>;

/** The channels a person chose per purpose (`{ order_updates: { channels: ['sms'] } }`); a purpose not here uses every channel. */
export type PurposeChoices = Record<string, { channels: Channel[] }>;

/** How many purposes one write may name. */
export const MAX_PURPOSE_CHOICES = 100;

/** Local wall-clock times, `HH:MM`, in the subject's time zone; may wrap past midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

/**
 * A channel the customer never set is reachable, with no frequency cap. Reachable is not opted in
 * to marketing: a consent-based purpose still needs the person's consent, so a new subject hears
 * no marketing on any channel until they agree.
 */
export const DEFAULT_CHANNEL: ChannelPreference = { optedIn: true, frequency: 'immediately' };

/** The shortest gap between two marketing messages on a channel, by frequency. */
export const FREQUENCY_WINDOW_MS: Record<Frequency, number> = {
  immediately: 0,
  daily: 24 * 3600_000,
  weekly: 7 * 24 * 3600_000,
  monthly: 30 * 24 * 3600_000,
};

export function channelPreference(channels: ChannelPreferences | null | undefined, channel: Channel): ChannelPreference {
  return channels?.[channel] ?? DEFAULT_CHANNEL;
}

/**
 * The channels the person chose for `purpose`, or null when they chose none (every channel of the
 * purpose may be used).
 */
export function chosenChannels(purposes: PurposeChoices | null | undefined, purpose: string): Channel[] | null {
  const choice = purposes?.[purpose];
  return choice && Array.isArray(choice.channels) ? choice.channels : null;
}

/** Every channel with its effective preference, for reading. */
export function effectiveChannels(channels: ChannelPreferences | null | undefined): Record<Channel, ChannelPreference> {
  return Object.fromEntries(CHANNELS.map((c) => [c, channelPreference(channels, c)])) as Record<Channel, ChannelPreference>;
}

/**
 * One formatter per time zone: constructing an `Intl.DateTimeFormat` costs far more than using one,
 * and quiet hours are read on every contact decision. Bounded by the IANA zones there are.
 */
const localClocks = new Map<string, Intl.DateTimeFormat>();

/** Minutes after local midnight at `at` in `timeZone`. */
export function localMinutes(at: Date, timeZone: string): number {
  let clock = localClocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    localClocks.set(timeZone, clock);
  }
  const parts = clock.formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')!.value);
  const minute = Number(parts.find((p) => p.type === 'minute')!.value);
  return hour * 60 + minute;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** True when `at` falls inside the quiet hours, read in `timeZone` (start inclusive, end exclusive). */
export function inQuietHours(quiet: QuietHours | null | undefined, at: Date, timeZone: string): boolean {
  if (!quiet) return false;
  const now = localMinutes(at, timeZone);
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The strong ETag of a preferences version. */
export function preferencesEtag(version: number): string {
  return `"prefs-v${version}"`;
}

/** Preferences as stored, for comparing two versions. */
export interface PreferenceState {
  channels: ChannelPreferences;
  purposes: PurposeChoices;
  quietHours: QuietHours | null;
  topics: string[];
}

/**
 * Which settings differ between two versions, by name: `channels.<channel>`, `purposes.<purpose>`,
 * `quietHours`, `topics` (names only: what someone changed, never the values).
 */
export function changedFields(before: PreferenceState, after: PreferenceState): string[] {
  const fields: string[] = [];
  for (const channel of CHANNELS) {
    const a = channelPreference(before.channels, channel);
    const b = channelPreference(after.channels, channel);
    if (a.optedIn !== b.optedIn || a.frequency !== b.frequency) fields.push(`channels.${channel}`);
  }
  const purposes = [...new Set([...Object.keys(before.purposes), ...Object.keys(after.purposes)])].sort();
  for (const purpose of purposes) {
    const a = chosenChannels(before.purposes, purpose);
    const b = chosenChannels(after.purposes, purpose);
    const same = a === null || b === null ? a === b : a.length === b.length && a.every((c) => b.includes(c));
    if (!same) fields.push(`purposes.${purpose}`);
  }
  if ((before.quietHours?.start ?? null) !== (after.quietHours?.start ?? null) || (before.quietHours?.end ?? null) !== (after.quietHours?.end ?? null)) {
    fields.push('quietHours');
  }
  const topicsA = [...before.topics].sort();
  const topicsB = [...after.topics].sort();
  if (topicsA.length !== topicsB.length || topicsA.some((t, i) => t !== topicsB[i])) fields.push('topics');
  return fields;
}

import { CHANNELS } from '../purposes/purpose-catalogue';
import { channelPreference, ChannelPreference, ChannelPreferences, FREQUENCIES, QuietHours } from '../preferences/preference-rules';

/**
 * What a merge keeps when two records of one person disagree, pure. Consent has its rule next to
 * the ledger's one writer (`mergedConsent` in ledger-writer.ts); these are the others.
 */

/** Preferences as a merge reads them: channels, quiet hours and topics (opened). */
export interface MergeablePreferences {
  channels: ChannelPreferences;
  quietHours: QuietHours | null;
  topics: string[];
}

/**
 * The more protective preferences, channel by channel: a channel is open only if both records
 * left it open, at the less frequent of the two frequencies (a channel a record never set counts
 * as that record's default: open, no cap). Quiet hours: the longer window (the survivor's on a
 * tie). Topics: both records' (what the person said they care about, not a permission).
 * Channels neither record set stay unset. `disagreed` names the channels whose settings differed.
 */
export function mergePreferences(survivor: MergeablePreferences | null, merged: MergeablePreferences | null): { preferences: MergeablePreferences | null; disagreed: string[] } {
  if (!merged) return { preferences: survivor, disagreed: [] };
  if (!survivor) return { preferences: merged, disagreed: [] };
  const channels: ChannelPreferences = {};
  const disagreed: string[] = [];
  for (const channel of CHANNELS) {
    if (!survivor.channels[channel] && !merged.channels[channel]) continue;
    const a = channelPreference(survivor.channels, channel);
    const b = channelPreference(merged.channels, channel);
    channels[channel] = stricterChannel(a, b);
    if (a.optedIn !== b.optedIn || a.frequency !== b.frequency) disagreed.push(channel);
  }
  return {
    preferences: {
      channels,
      quietHours: longerQuietHours(survivor.quietHours, merged.quietHours),
      topics: [...new Set([...survivor.topics, ...merged.topics])].sort(),
    },
    disagreed,
  };
}

function stricterChannel(a: ChannelPreference, b: ChannelPreference): ChannelPreference {
  return { optedIn: a.optedIn && b.optedIn, frequency: FREQUENCIES[Math.max(FREQUENCIES.indexOf(a.frequency), FREQUENCIES.indexOf(b.frequency))] };
}

/** Minutes a quiet-hours window lasts (it may wrap past midnight; start = end is no window). */
export function quietMinutes(q: QuietHours | null): number {
  if (!q) return 0;
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return (minutes(q.end) - minutes(q.start) + 24 * 60) % (24 * 60);
}

function longerQuietHours(a: QuietHours | null, b: QuietHours | null): QuietHours | null {
  return quietMinutes(b) > quietMinutes(a) ? b : a;
}

/** A fact as a merge compares them: by key and value hash, kept by collection time. */
export interface MergeableFact {
  id: string;
  subjectId: string;
  key: string;
  valueHash: string;
  collectedAt: Date;
  disputedAt: Date | null;
}

/**
 * Facts of both records with the same key and value are one fact: the earliest collected stays
 * (the survivor's on a tie), with its provenance and source; a dispute of any copy carries over.
 * Returns which facts stay, which go (and which stays in their place), and the disputes to carry.
 */
export function collapseFacts(facts: readonly MergeableFact[], survivorId: string): { dropped: Map<string, string>; disputed: Map<string, Date> } {
  const groups = new Map<string, MergeableFact[]>();
  for (const f of facts) groups.set(`${f.key}\u0000${f.valueHash}`, [...(groups.get(`${f.key}\u0000${f.valueHash}`) ?? []), f]);
  const dropped = new Map<string, string>();
  const disputed = new Map<string, Date>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const [kept, ...rest] = [...group].sort(
      (x, y) => x.collectedAt.getTime() - y.collectedAt.getTime() || Number(y.subjectId === survivorId) - Number(x.subjectId === survivorId) || (x.id < y.id ? -1 : 1),
    );
    for (const f of rest) dropped.set(f.id, kept.id);
    const dispute = group.map((f) => f.disputedAt).filter((d): d is Date => d !== null).sort((x, y) => x.getTime() - y.getTime())[0];
    if (dispute && !kept.disputedAt) disputed.set(kept.id, dispute);
  }
  return { dropped, disputed };
}

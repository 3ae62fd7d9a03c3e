import { defaultFactUse, type FactUse } from '../fact-use/fact-use';
import { CHANNELS, type Channel } from '../purposes/purpose-catalogue';
import { channelPreference, ChannelPreference, ChannelPreferences, chosenChannels, FREQUENCIES, PurposeChoices, QuietHours } from '../preferences/preference-rules';

/**
 * What a merge keeps when two records of one person disagree, pure. Consent has its rule next to
 * the ledger's one writer (`mergedConsent` in ledger-writer.ts); these are the others.
 */

/** Preferences as a merge reads them: channels, per-purpose channel choices, quiet hours and topics (opened). */
export interface MergeablePreferences {
  channels: ChannelPreferences;
  /** The channels chosen per purpose (absent: none chosen, every channel of the purpose). */
  purposes?: PurposeChoices;
  quietHours: QuietHours | null;
  topics: string[];
}

/** What merging two records' preferences kept, and where they differed. */
export interface MergedPreferences {
  preferences: MergeablePreferences | null;
  /** Channels whose opt-in or frequency differed (the stricter was kept). */
  disagreed: string[];
  /** Purposes whose chosen channels differed (the narrower choice was kept). */
  disagreedPurposes: string[];
  /** The records had different quiet hours (the longer window was kept). */
  disagreedQuietHours: boolean;
}

const NO_PREFERENCES: MergeablePreferences = { channels: {}, purposes: {}, quietHours: null, topics: [] };

/**
 * The more protective preferences. A record without preferences counts as every default (open
 * channels, no cap, no quiet hours, no per-purpose choice), so what the other record set is kept —
 * and reported as a disagreement.
 * - Channels: open only if both records left it open, at the less frequent of the two frequencies
 *   (a channel a record never set counts as that record's default: open, no cap). Channels
 *   neither record set stay unset.
 * - Per-purpose channels (`purposes`): if both records chose, the channels both chose; if only
 *   one chose, its choice. When both chose and no channel is common to both: a purpose the person
 *   may refuse keeps no channel at all; one they cannot refuse (`mustKeepChannel`: contract, legal
 *   obligation) keeps the choice naming fewer channels (the survivor's on a tie), so it still
 *   reaches the person one way they chose.
 * - Quiet hours: the longer window (the survivor's on a tie).
 * - Topics: both records' (what the person said they care about, not a permission).
 */
export function mergePreferences(
  survivor: MergeablePreferences | null,
  merged: MergeablePreferences | null,
  mustKeepChannel: (purpose: string) => boolean = () => false,
): MergedPreferences {
  if (!survivor && !merged) return { preferences: null, disagreed: [], disagreedPurposes: [], disagreedQuietHours: false };
  const a = survivor ?? NO_PREFERENCES;
  const b = merged ?? NO_PREFERENCES;
  const channels: ChannelPreferences = {};
  const disagreed: string[] = [];
  for (const channel of CHANNELS) {
    if (!a.channels[channel] && !b.channels[channel]) continue;
    const x = channelPreference(a.channels, channel);
    const y = channelPreference(b.channels, channel);
    channels[channel] = stricterChannel(x, y);
    if (x.optedIn !== y.optedIn || x.frequency !== y.frequency) disagreed.push(channel);
  }
  const purposes: PurposeChoices = {};
  const disagreedPurposes: string[] = [];
  for (const purpose of [...new Set([...Object.keys(a.purposes ?? {}), ...Object.keys(b.purposes ?? {})])].sort()) {
    const x = chosenChannels(a.purposes, purpose);
    const y = chosenChannels(b.purposes, purpose);
    const kept = narrowerChoice(x, y, mustKeepChannel(purpose));
    if (kept === null) continue;
    purposes[purpose] = { channels: kept };
    if (!sameChannels(x, y)) disagreedPurposes.push(purpose);
  }
  const quietHours = longerQuietHours(a.quietHours, b.quietHours);
  return {
    preferences: { channels, purposes, quietHours, topics: [...new Set([...a.topics, ...b.topics])].sort() },
    disagreed,
    disagreedPurposes,
    disagreedQuietHours: (a.quietHours?.start ?? null) !== (b.quietHours?.start ?? null) || (a.quietHours?.end ?? null) !== (b.quietHours?.end ?? null),
  };
}

/** Two per-purpose choices as one, the protective way (see `mergePreferences`); null: neither chose. */
export function narrowerChoice(a: Channel[] | null, b: Channel[] | null, mustKeepChannel: boolean): Channel[] | null {
  if (a === null) return b === null ? null : inChannelOrder(b);
  if (b === null) return inChannelOrder(a);
  const both = inChannelOrder(a.filter((c) => b.includes(c)));
  if (both.length || !mustKeepChannel) return both;
  return inChannelOrder(b.length < a.length ? b : a);
}

function inChannelOrder(channels: readonly Channel[]): Channel[] {
  return CHANNELS.filter((c) => channels.includes(c));
}

function sameChannels(a: Channel[] | null, b: Channel[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((c) => b.includes(c));
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

/**
 * What a purpose may use after a merge (`fact_use`), given the purpose's default and each record's
 * own choice (null: none): "use only what I told you" (`declared-only`) if either record's use in
 * force was that, else `all`. `record`: the choice to store on the survivor — the use in force when
 * it differs from the default or either record chose it; null (no row, the default) otherwise.
 * `disagreed`: the two records' uses in force differed (the declared-only one was kept).
 */
export function mergedFactUse(defaultUse: FactUse, survivor: FactUse | null, merged: FactUse | null): { use: FactUse; record: FactUse | null; disagreed: boolean } {
  const [x, y] = [survivor ?? defaultUse, merged ?? defaultUse];
  const use: FactUse = x === 'declared-only' || y === 'declared-only' ? 'declared-only' : 'all';
  const record = use !== defaultUse || survivor === use || merged === use ? use : null;
  return { use, record, disagreed: x !== y };
}

/** `defaultFactUse` for a purpose whose basis a merge read (an unknown purpose: as consent, the stricter). */
export function defaultFactUseOf(legalBasis: string | null | undefined): FactUse {
  return defaultFactUse({ legalBasis: legalBasis ?? 'consent' });
}

/** One record's state on one purpose, as a merge compares them: granted, or withdrawn/objected. */
export type ConsentStanding = { granted: boolean } | null;

/**
 * The purposes on which two records' consent disagreed and the merge kept the more protective:
 * one record withdrew (or objected) where the other's decision in force allowed — its grant, or
 * on a basis other than consent no decision at all (no objection). A grant only one record holds
 * on a consent purpose is carried over, not a disagreement settled the private way.
 */
export function consentDisagreements(purposes: ReadonlyMap<string, { legalBasis: string | null; survivor: ConsentStanding; merged: ConsentStanding }>): string[] {
  const out: string[] = [];
  for (const [purpose, { legalBasis, survivor, merged }] of [...purposes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const allows = (s: ConsentStanding) => (s ? s.granted : legalBasis !== 'consent' && legalBasis !== null);
    const refused = (survivor !== null && !survivor.granted) || (merged !== null && !merged.granted);
    if (refused && allows(survivor) !== allows(merged)) out.push(purpose);
  }
  return out;
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

import { isConsentValid } from '../consents/consent-validity';
import type { LegalBasis } from '../purposes/purpose.entity';
import type { Channel } from '../purposes/purpose-catalogue';
import {
  channelPreference,
  ChannelPreferences,
  FREQUENCY_WINDOW_MS,
  inQuietHours,
  localMinutes,
  QuietHours,
} from '../preferences/preference-rules';

/** Everything a contact decision needs, read in one query. */
export interface ContactFacts {
  subjectExists: boolean;
  erased: boolean;
  timezone: string | null;
  purposeExists: boolean;
  legalBasis: LegalBasis | null;
  purposeChannels: string[];
  consent: { granted: boolean; expiresAt: Date | null } | null;
  channels: ChannelPreferences | null;
  quietHours: QuietHours | null;
  lastMarketingContactAt: Date | null;
  suppression: { reason: string; until: Date } | null;
  /** A double opt-in grant waits for the person's confirmation (asked for, not yet confirmed, not expired). */
  pendingConfirmation?: boolean;
  /**
   * Whether the purpose is marketing (suppressions and frequency caps bind it). Left out: every
   * purpose that serves no contract or legal duty, as before purposes said so themselves.
   */
  marketing?: boolean;
  /** The channels the person chose for this purpose; null or left out: they chose none (every channel). */
  chosenChannels?: string[] | null;
}

export interface ContactDecision {
  allowed: boolean;
  reasons: string[];
}

/**
 * May the brand contact this subject on this channel for this purpose now? Returns every reason
 * that says no (so the caller can act on all of them), or the reason that says yes.
 *
 * Every message needs a reachable channel: one the purpose uses, the person did not turn off, and
 * — where the person chose channels for this purpose ("order updates by SMS only") — one they
 * chose. Contract and legal-obligation messages (order updates) need nothing more. Other purposes
 * need standing consent where the legal basis is consent (no objection where it is legitimate
 * interest) and no quiet hours; marketing purposes also keep to the frequency cap and wait out
 * suppressions ("not now": an open cart, a support case). Customer care is not marketing: it goes on.
 */
export function decideContact(f: ContactFacts, channel: Channel, now: Date): ContactDecision {
  if (!f.subjectExists) return { allowed: false, reasons: ['subject-unknown'] };
  if (f.erased) return { allowed: false, reasons: ['subject-erased'] };
  if (!f.purposeExists) return { allowed: false, reasons: ['purpose-unknown'] };

  const reasons: string[] = [];
  const serviceMessage = isServiceBasis(f.legalBasis);
  const marketing = f.marketing ?? !serviceMessage;
  // A purpose with no channels (personalization) contacts no one: every channel is outside it.
  if (!f.purposeChannels.includes(channel)) reasons.push('channel-not-in-purpose');
  const preference = channelPreference(f.channels, channel);
  if (!preference.optedIn) reasons.push('channel-opted-out');
  if (f.chosenChannels && !f.chosenChannels.includes(channel)) reasons.push('channel-not-chosen');

  if (!serviceMessage) {
    reasons.push(...standingReasons(f, now));
    if (marketing) {
      const cap = capReason(f, preference.frequency, now);
      if (cap) reasons.push(cap);
    }
    if (inQuietHours(f.quietHours, now, f.timezone ?? 'UTC')) reasons.push('quiet-hours');
    if (marketing) {
      const suppressed = suppressionReason(f, now);
      if (suppressed) reasons.push(suppressed);
    }
  }

  if (reasons.length) return { allowed: false, reasons };
  return { allowed: true, reasons: [serviceMessage ? `service-message:${f.legalBasis}` : f.legalBasis === 'consent' ? 'consent-granted' : 'legitimate-interest'] };
}

/**
 * A marketing mention inside a service message ("your order has shipped — and you might like…"):
 * may the message that `service` allows carry it? The message goes out as a service message, so
 * quiet hours do not hold it back; the mention needs what marketing needs besides: a marketing
 * purpose, standing consent (no objection), a channel the mention's purpose uses and the person
 * chose for it, no suppression and the frequency cap not reached. No, with `message-not-allowed`,
 * when the service message itself may not go.
 */
export function decideMention(service: ContactDecision, f: ContactFacts, channel: Channel, now: Date): ContactDecision {
  if (!service.allowed) return { allowed: false, reasons: ['message-not-allowed'] };
  if (!f.subjectExists) return { allowed: false, reasons: ['subject-unknown'] };
  if (f.erased) return { allowed: false, reasons: ['subject-erased'] };
  if (!f.purposeExists) return { allowed: false, reasons: ['purpose-unknown'] };
  const reasons: string[] = [];
  if (isServiceBasis(f.legalBasis) || f.marketing === false) reasons.push('not-marketing');
  // A purpose with no channels (personalization) contacts no one: every channel is outside it.
  if (!f.purposeChannels.includes(channel)) reasons.push('channel-not-in-purpose');
  const preference = channelPreference(f.channels, channel);
  if (!preference.optedIn) reasons.push('channel-opted-out');
  if (f.chosenChannels && !f.chosenChannels.includes(channel)) reasons.push('channel-not-chosen');
  reasons.push(...standingReasons(f, now));
  const cap = capReason(f, preference.frequency, now);
  if (cap) reasons.push(cap);
  const suppressed = suppressionReason(f, now);
  if (suppressed) reasons.push(suppressed);
  if (reasons.length) return { allowed: false, reasons };
  return { allowed: true, reasons: [f.legalBasis === 'consent' ? 'consent-granted' : 'legitimate-interest'] };
}

/**
 * When a no lifts by itself, if it does: the latest end of its passing obstacles (quiet hours,
 * the frequency cap's window, a suppression). Null for a yes, or when any obstacle lasts until
 * someone acts (no consent, a channel turned off…).
 */
export function decisionUntil(decision: ContactDecision, f: ContactFacts, channel: Channel, now: Date): Date | null {
  if (decision.allowed) return null;
  let until = 0;
  for (const reason of decision.reasons) {
    let end: number | null = null;
    if (reason === 'quiet-hours' && f.quietHours) end = quietHoursEnd(f.quietHours, now, f.timezone ?? 'UTC');
    else if (reason.startsWith('frequency-cap:') && f.lastMarketingContactAt) {
      end = f.lastMarketingContactAt.getTime() + FREQUENCY_WINDOW_MS[channelPreference(f.channels, channel).frequency];
    } else if (reason.startsWith('suppressed:') && f.suppression) end = f.suppression.until.getTime();
    if (end === null) return null;
    until = Math.max(until, end);
  }
  return until ? new Date(until) : null;
}

/** Contract and legal-obligation messages serve the person: they need no consent and wait for nothing. */
export function isServiceBasis(legalBasis: LegalBasis | null): boolean {
  return legalBasis === 'contract' || legalBasis === 'legal_obligation';
}

/** Consent (for a consent-based purpose) or the absence of an objection (legitimate interest). */
function standingReasons(f: ContactFacts, now: Date): string[] {
  if (f.legalBasis === 'consent') {
    if (f.pendingConfirmation && !isConsentValid(f.consent, now)) return ['pending-confirmation'];
    if (!f.consent) return ['no-consent'];
    if (!f.consent.granted) return ['consent-withdrawn'];
    if (!isConsentValid(f.consent, now)) return ['consent-expired'];
    return [];
  }
  // Legitimate interest: an objection (recorded as a withdrawal) stops it.
  return f.consent && !f.consent.granted ? ['objected'] : [];
}

function capReason(f: ContactFacts, frequency: keyof typeof FREQUENCY_WINDOW_MS, now: Date): string | null {
  const window = FREQUENCY_WINDOW_MS[frequency];
  return window && f.lastMarketingContactAt && now.getTime() - f.lastMarketingContactAt.getTime() < window ? `frequency-cap:${frequency}` : null;
}

function suppressionReason(f: ContactFacts, now: Date): string | null {
  return f.suppression && f.suppression.until.getTime() > now.getTime() ? `suppressed:${f.suppression.reason}` : null;
}

/** The next moment quiet hours end, from `now` inside them, at the minute. */
function quietHoursEnd(quiet: QuietHours, now: Date, timeZone: string): number {
  const [h, m] = quiet.end.split(':').map(Number);
  const minutesLeft = (h * 60 + m - localMinutes(now, timeZone) + 1440) % 1440 || 1440;
  const minuteStart = now.getTime() - (now.getTime() % 60_000);
  return minuteStart + minutesLeft * 60_000;
}

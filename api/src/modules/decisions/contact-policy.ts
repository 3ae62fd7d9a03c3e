import { isConsentValid } from '../consents/consent-validity';
import type { LegalBasis } from '../purposes/purpose.entity';
import type { Channel } from '../purposes/purpose-catalogue';
import {
  channelPreference,
  ChannelPreferences,
  FREQUENCY_WINDOW_MS,
  inQuietHours,
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
}

export interface ContactDecision {
  allowed: boolean;
  reasons: string[];
}

/**
 * May the brand contact this subject on this channel for this purpose now? Returns every reason
 * that says no (so the caller can act on all of them), or the reason that says yes.
 *
 * Marketing (consent and legitimate-interest purposes) needs standing consent where the legal
 * basis is consent, channel opt-in, the frequency cap, no quiet hours and no suppression window.
 * Contract and legal-obligation messages (order updates) need only a reachable channel.
 */
export function decideContact(f: ContactFacts, channel: Channel, now: Date): ContactDecision {
  if (!f.subjectExists) return { allowed: false, reasons: ['subject-unknown'] };
  if (f.erased) return { allowed: false, reasons: ['subject-erased'] };
  if (!f.purposeExists) return { allowed: false, reasons: ['purpose-unknown'] };

  const reasons: string[] = [];
  const serviceMessage = f.legalBasis === 'contract' || f.legalBasis === 'legal_obligation';
  if (f.purposeChannels.length && !f.purposeChannels.includes(channel)) reasons.push('channel-not-in-purpose');
  const preference = channelPreference(f.channels, channel);
  if (!preference.optedIn) reasons.push('channel-opted-out');

  if (!serviceMessage) {
    if (f.legalBasis === 'consent') {
      if (f.pendingConfirmation && !isConsentValid(f.consent, now)) reasons.push('pending-confirmation');
      else if (!f.consent) reasons.push('no-consent');
      else if (!f.consent.granted) reasons.push('consent-withdrawn');
      else if (!isConsentValid(f.consent, now)) reasons.push('consent-expired');
    } else if (f.consent && !f.consent.granted) {
      // Legitimate interest: an objection (recorded as a withdrawal) stops it.
      reasons.push('objected');
    }
    const window = FREQUENCY_WINDOW_MS[preference.frequency];
    if (window && f.lastMarketingContactAt && now.getTime() - f.lastMarketingContactAt.getTime() < window) {
      reasons.push(`frequency-cap:${preference.frequency}`);
    }
    if (inQuietHours(f.quietHours, now, f.timezone ?? 'UTC')) reasons.push('quiet-hours');
    if (f.suppression && f.suppression.until.getTime() > now.getTime()) reasons.push(`suppressed:${f.suppression.reason}`);
  }

  if (reasons.length) return { allowed: false, reasons };
  return { allowed: true, reasons: [serviceMessage ? `service-message:${f.legalBasis}` : f.legalBasis === 'consent' ? 'consent-granted' : 'legitimate-interest'] };
}

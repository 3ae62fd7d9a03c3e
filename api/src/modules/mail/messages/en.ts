import { plural } from '../mail-locale';

/**
 * English: the source of truth for every email Candor sends a customer. The other languages are
 * typed as `MailMessages`, so a message added here and forgotten elsewhere fails the type check.
 * Functions take the values to weave in, so each language can order words its own way.
 */
export const en = {
  common: {
    hello: 'Hello,',
    linkFallback: 'If the button does not work, copy this address into your browser:',
    footer: (brand: string) => `${brand} sent you this email from its privacy portal, run with Candor.`,
  },
  signIn: {
    subject: (brand: string) => `Your sign-in link for ${brand}`,
    body: (brand: string, minutes: number) =>
      `Use this link within ${plural('en', minutes, { one: '# minute', other: '# minutes' })} to see and manage what ${brand} knows about you. It works once.`,
    action: 'Sign in',
    ignore: 'If you did not ask for it, ignore this email: nothing happens without the link.',
  },
  staffSignIn: {
    subject: (brand: string) => `Your sign-in link for the ${brand} privacy console`,
    body: (brand: string, minutes: number) =>
      `Use this link within ${plural('en', minutes, { one: '# minute', other: '# minutes' })} to sign in to the privacy console of ${brand}. It works once.`,
    action: 'Open the console',
    ignore: 'If you did not ask for it, ignore this email: nothing happens without the link.',
  },
  erasureReceipt: {
    subject: (brand: string) => `${brand} has erased your data`,
    intro: (brand: string, date: string) => `As you asked, ${brand} erased the personal data it held about you on ${date}:`,
    erased: [
      'what you told us (your profile), your answers and your contact preferences',
      'your email address, phone number and customer number',
      'your sign-in links and sessions, and the record of who read your data',
      'your personal data key, so the evidence kept in the consent ledger can no longer be read by anyone',
    ],
    receipt: (brand: string) => `Your receipt shows the erasure certificate and which of ${brand}'s other systems have confirmed the erasure:`,
    action: 'Open the receipt',
    keep: 'The receipt holds nothing that identifies you, so it stays available after the erasure. Keep this email: the link is the only way to open it, and this is the last email you will get from us at this address.',
  },
};

export type MailMessages = typeof en;

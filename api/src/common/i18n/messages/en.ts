import { plural } from '../locale';

/**
 * English: the source of truth for every email and page the API writes for a person. The other languages are
 * typed as `Messages`, so a message added here and forgotten elsewhere fails the type check.
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
  /** Double opt-in: the email that asks the person to confirm a grant the brand recorded for them. */
  doubleOptIn: {
    subject: (brand: string, purpose: string) => `Please confirm: ${purpose} from ${brand}`,
    intro: (brand: string, purpose: string) => `Someone — most likely you — asked ${brand} for this, using your email address: “${purpose}”.`,
    body: (days: number) => `Nothing starts until you confirm. Open the link within ${plural('en', days, { one: '# day', other: '# days' })} and press “Confirm”.`,
    action: 'Confirm',
    ignore: 'If this was not you, ignore this email: without your confirmation nothing changes, and the link then expires.',
  },
  /** The export as a page (`Accept: text/html`), in the customer's language. */
  exportPage: {
    title: (brand: string) => `Your data at ${brand}`,
    heading: (brand: string) => `Everything ${brand} holds about you`,
    prepared: (date: string) => `Prepared ${date}. The machine-readable copy of this page is the JSON export.`,
    you: 'You',
    customerNumber: 'Customer number',
    email: 'Email',
    phone: 'Phone',
    language: 'Language',
    timeZone: 'Time zone',
    factsTitle: 'What you told us, and what we observed or inferred',
    factHeaders: ['What', 'Value', 'How we know', 'Source', 'When'],
    provenance: { declared: 'you told us', observed: 'we observed', inferred: 'we inferred' } as Record<string, string>,
    consentsTitle: 'Your consents',
    consentHeaders: ['Purpose', 'Decision', 'Notice version', 'How', 'When', 'Proof (SHA-256)'],
    agreed: 'agreed',
    withdrew: 'withdrew',
    sources: { portal: 'in the portal', gpc: 'your browser’s privacy signal', 'signup-form': 'when you signed up', 'preference-center': 'in your settings', api: 'by the brand’s systems', import: 'imported from an earlier system', 'one-click-unsubscribe': 'with the unsubscribe link in an email', 'double-opt-in': 'when you confirmed by email', merge: 'when we joined two records of you' } as Record<string, string>,
    channelsTitle: 'Your channels',
    channelHeaders: ['Channel', 'Allowed', 'How often'],
    channels: { email: 'Email', sms: 'Text messages (SMS)', push: 'Push notifications', messenger: 'Messenger', post: 'Post' } as Record<string, string>,
    frequencies: { immediately: 'whenever there is news', daily: 'at most once a day', weekly: 'at most once a week', monthly: 'at most once a month' } as Record<string, string>,
    yes: 'yes',
    no: 'no',
    quietHours: (hours: string) => `Quiet hours: ${hours}.`,
    topics: (topics: string) => `Topics: ${topics}.`,
    purposeChannelsHeaders: ['Kind of message', 'Channels you chose'],
    changesTitle: 'Who changed your preferences',
    changeHeaders: ['When', 'Who', 'How', 'What changed'],
    byYou: 'you',
    quietHoursField: 'quiet hours',
    topicsField: 'topics',
    none: 'none',
    readsTitle: 'Who read your data',
    readHeaders: ['When', 'Who', 'What for', 'Which data'],
    requestsTitle: 'Your requests',
    requestHeaders: ['Request', 'Status', 'Received', 'Due'],
    requestTypes: { access: 'copy of data', erasure: 'erasure', rectification: 'correction', restriction: 'restriction', objection: 'objection' } as Record<string, string>,
    requestStatuses: { received: 'received', in_progress: 'in progress', completed: 'completed', rejected: 'rejected' } as Record<string, string>,
    whyTitle: 'Why we process it',
    purposeHeaders: ['Purpose', 'Legal basis', 'Data used', 'Kept'],
    legalBasis: { consent: 'your consent', legitimate_interest: 'our legitimate interest', contract: 'needed to serve your orders', legal_obligation: 'required by law' } as Record<string, string>,
    keptFor: (days: number) => plural('en', days, { one: '# day after it was collected', other: '# days after it was collected' }),
    keptUntilWithdrawn: 'until you withdraw your consent or ask us to erase it',
    keptUntilErased: 'until you ask us to erase it',
    sharedWith: (names: string) => `Shared with: ${names}.`,
    noOne: 'no one',
    sourcesLine: (sources: string) => `Sources: ${sources}.`,
    rights: 'You may see, correct and delete this data, download it, withdraw any consent, object, restrict how it is used and ask to be forgotten — in the portal or by writing to us.',
    empty: 'None.',
    identifiersTitle: 'Other ways we know you',
    identifierHeaders: ['What', 'Value', 'Added'],
    identifierTypes: { email: 'Email', phone: 'Phone', external: 'Customer number' } as Record<string, string>,
    mergedTitle: 'Records of you we joined',
    mergedIntro: 'We found other records of you and joined them into this one. Where they disagreed, we kept the more private choice.',
    mergedHeaders: ['Record', 'Joined'],
  },
};

export type Messages = typeof en;

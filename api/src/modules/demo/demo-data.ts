/**
 * Demo brands drawn from the journeys Candor exists for: a meditation app whose members come for
 * different reasons, and a kitchen store that remembers what it sold.
 */
export interface DemoCustomer {
  externalId: string;
  email: string;
  phone?: string;
  locale: string;
  timezone: string;
  /** purpose → granted (false records a withdrawal after an earlier grant). */
  consents: Record<string, boolean>;
}

export interface DemoBrand {
  slug: string;
  name: string;
  defaultLocale: string;
  purposes: string[];
  customers: DemoCustomer[];
}

export const DEMO_BRANDS: DemoBrand[] = [
  {
    slug: 'calm-harbor',
    name: 'Calm Harbor',
    defaultLocale: 'en',
    purposes: ['email_marketing', 'sms_marketing', 'personalization', 'analytics', 'partner_sharing'],
    customers: [
      // Meditates to sleep better and lower stress.
      { externalId: 'ch-member-1001', email: 'ingrid.solberg@example.com', phone: '+4791234567', locale: 'nb', timezone: 'Europe/Oslo', consents: { email_marketing: true, personalization: true } },
      // Trains the mind for sport; said no to newsletters after a while.
      { externalId: 'ch-member-1002', email: 'marek.nowak@example.com', locale: 'pl', timezone: 'Europe/Warsaw', consents: { personalization: true, email_marketing: false } },
      // Wants to unplug five minutes a day; happy to hear from partners.
      { externalId: 'ch-member-1003', email: 'anna.kovacs@example.com', locale: 'hu', timezone: 'Europe/Budapest', consents: { email_marketing: true, partner_sharing: true, analytics: true } },
      // Sceptical, trying it to build a new habit: personalisation only.
      { externalId: 'ch-member-1004', email: 'sam.carter@example.com', locale: 'en', timezone: 'Europe/London', consents: { personalization: true } },
    ],
  },
  {
    slug: 'kitchen-atelier',
    name: 'Kitchen Atelier',
    defaultLocale: 'da',
    purposes: ['email_marketing', 'sms_marketing', 'personalization', 'order_updates', 'customer_care'],
    customers: [
      // Bought an espresso machine; likes dark roasts.
      { externalId: 'ka-customer-5001', email: 'mette.jensen@example.com', phone: '+4520123456', locale: 'da', timezone: 'Europe/Copenhagen', consents: { email_marketing: true, personalization: true, sms_marketing: false } },
      // Cookware enthusiast; delivery updates by SMS, newsletters monthly.
      { externalId: 'ka-customer-5002', email: 'olivia.brown@example.com', phone: '+447700900123', locale: 'en', timezone: 'Europe/London', consents: { email_marketing: true, sms_marketing: true } },
      // Buys beans every month; no marketing at all.
      { externalId: 'ka-customer-5003', email: 'lars.nielsen@example.com', locale: 'nb', timezone: 'Europe/Oslo', consents: { personalization: true } },
    ],
  },
];

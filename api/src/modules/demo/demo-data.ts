import type { UpdatePreferencesDto } from '../preferences/dto/preferences.dto';

/**
 * Demo brands drawn from the journeys Candor exists for: a meditation app whose members come for
 * different reasons, and a kitchen store that remembers what it sold.
 */
export interface DemoFact {
  key: string;
  value: string;
  category: string;
  provenance: 'declared' | 'observed' | 'inferred';
  source: string;
  daysAgo: number;
}

export interface DemoQuestion {
  key: string;
  text: Record<string, string>;
  factKey: string;
  category: string;
  multiple?: boolean;
  options: Array<{ value: string; label: Record<string, string> }>;
}

export interface DemoCustomer {
  externalId: string;
  facts?: DemoFact[];
  preferences?: UpdatePreferencesDto;
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
  questions: DemoQuestion[];
  /** What the brand may recommend, tagged with the fact values it suits. */
  catalog: Array<{ sku: string; title: string; url?: string; tags: Array<{ factKey: string; value: string; weight: number }> }>;
  customers: DemoCustomer[];
}

const opt = (value: string, en: string, nb: string, da: string, pl: string, hu: string) => ({ value, label: { en, nb, da, pl, hu } });

export const DEMO_BRANDS: DemoBrand[] = [
  {
    slug: 'calm-harbor',
    name: 'Calm Harbor',
    defaultLocale: 'en',
    purposes: ['email_marketing', 'sms_marketing', 'personalization', 'analytics', 'partner_sharing'],
    questions: [
      {
        key: 'why_meditate',
        factKey: 'motivation',
        category: 'motivations',
        multiple: true,
        text: {
          en: 'What brings you to meditation?',
          nb: 'Hva får deg til å meditere?',
          da: 'Hvad får dig til at meditere?',
          pl: 'Co skłania Cię do medytacji?',
          hu: 'Mi vezet el a meditációhoz?',
        },
        options: [
          opt('reduce_stress', 'To lower my stress', 'Å senke stressnivået', 'At sænke mit stressniveau', 'Chcę zmniejszyć stres', 'Hogy csökkentsem a stresszt'),
          opt('ease_anxiety', 'To ease anxiety', 'Å dempe angst', 'At dæmpe angst', 'Chcę złagodzić niepokój', 'Hogy enyhítsem a szorongást'),
          opt('sleep_better', 'To sleep better', 'Å sove bedre', 'At sove bedre', 'Chcę lepiej spać', 'Hogy jobban aludjak'),
          opt('unplug_five_minutes', 'To unplug five minutes a day', 'Å koble av fem minutter om dagen', 'At koble af fem minutter om dagen', 'Chcę się wyłączyć na pięć minut dziennie', 'Hogy napi öt percre kikapcsoljak'),
          opt('mental_training_sport', 'To train my mind for sport', 'Mental trening for idrett', 'Mental træning til sport', 'Trening mentalny dla sportu', 'Mentális edzés a sporthoz'),
          opt('build_habit', 'To build a new habit', 'Å bygge en ny vane', 'At opbygge en ny vane', 'Chcę zbudować nowy nawyk', 'Hogy új szokást alakítsak ki'),
          opt('new_age_lifestyle', 'It is part of my new-age lifestyle', 'Det er en del av min new age-livsstil', 'Det er en del af min new age-livsstil', 'To część mojego stylu życia new age', 'A new age életmódom része'),
          opt('relaxed_fulfilled', 'To feel relaxed and fulfilled', 'Å føle meg avslappet og tilfreds', 'At føle mig afslappet og tilfreds', 'Chcę czuć się zrelaksowany i spełniony', 'Hogy nyugodtnak és kiegyensúlyozottnak érezzem magam'),
          opt('sceptical', 'Honestly, I am sceptical', 'Ærlig talt er jeg skeptisk', 'Ærligt talt er jeg skeptisk', 'Szczerze mówiąc, jestem sceptyczny', 'Őszintén szólva szkeptikus vagyok'),
        ],
      },
      {
        key: 'practice_time',
        factKey: 'practice_time',
        category: 'preferences',
        text: {
          en: 'When do you like to practise?',
          nb: 'Når liker du å øve?',
          da: 'Hvornår kan du bedst lide at øve?',
          pl: 'Kiedy najchętniej ćwiczysz?',
          hu: 'Mikor gyakorolsz szívesen?',
        },
        options: [
          opt('morning', 'In the morning', 'Om morgenen', 'Om morgenen', 'Rano', 'Reggel'),
          opt('lunch', 'At lunch', 'I lunsjen', 'I frokostpausen', 'W porze lunchu', 'Ebédidőben'),
          opt('evening', 'In the evening', 'Om kvelden', 'Om aftenen', 'Wieczorem', 'Este'),
        ],
      },
    ],
    catalog: [
      { sku: 'sleep-stories', title: 'Sleep stories: the lighthouse keeper', tags: [{ factKey: 'motivation', value: 'sleep_better', weight: 3 }, { factKey: 'interest', value: 'sleep_stories', weight: 1 }] },
      { sku: 'breathing-for-stress', title: 'Seven days of breathing for stress', tags: [{ factKey: 'motivation', value: 'reduce_stress', weight: 3 }, { factKey: 'motivation', value: 'ease_anxiety', weight: 2 }] },
      { sku: 'five-minute-reset', title: 'The five-minute reset', tags: [{ factKey: 'motivation', value: 'unplug_five_minutes', weight: 3 }] },
      { sku: 'athlete-focus', title: 'Focus training for athletes', tags: [{ factKey: 'motivation', value: 'mental_training_sport', weight: 3 }, { factKey: 'sport', value: 'running', weight: 1 }] },
      { sku: 'habit-streak', title: 'Build the habit: a 21-day streak', tags: [{ factKey: 'motivation', value: 'build_habit', weight: 3 }] },
      { sku: 'evening-wind-down', title: 'Evening wind-down', tags: [{ factKey: 'practice_time', value: 'evening', weight: 2 }, { factKey: 'motivation', value: 'sleep_better', weight: 1 }] },
      { sku: 'meditation-for-sceptics', title: 'Meditation for sceptics: the science, no incense', tags: [{ factKey: 'motivation', value: 'sceptical', weight: 3 }] },
      { sku: 'sound-bath', title: 'Sound bath collection', tags: [{ factKey: 'lifestyle', value: 'new_age', weight: 2 }, { factKey: 'motivation', value: 'relaxed_fulfilled', weight: 2 }] },
    ],
    customers: [
      // Meditates to sleep better and lower stress.
      {
        externalId: 'ch-member-1001', email: 'ingrid.solberg@example.com', phone: '+4791234567', locale: 'nb', timezone: 'Europe/Oslo',
        consents: { email_marketing: true, personalization: true },
        facts: [
          { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome question', daysAgo: 270 },
          { key: 'motivation', value: 'reduce_stress', category: 'motivations', provenance: 'declared', source: 'welcome question', daysAgo: 270 },
          { key: 'practice_time', value: 'evening', category: 'behavior', provenance: 'observed', source: 'app sessions', daysAgo: 12 },
          { key: 'interest', value: 'sleep_stories', category: 'interests', provenance: 'inferred', source: 'content you played', daysAgo: 5 },
        ],
        preferences: { channels: { email: { optedIn: true, frequency: 'monthly' }, sms: { optedIn: false, frequency: 'immediately' }, push: { optedIn: false, frequency: 'immediately' } }, quietHours: { start: '21:00', end: '07:00' }, topics: ['sleep', 'breathing'] },
      },
      // Trains the mind for sport; said no to newsletters after a while.
      {
        externalId: 'ch-member-1002', email: 'marek.nowak@example.com', locale: 'pl', timezone: 'Europe/Warsaw',
        consents: { personalization: true, email_marketing: false },
        facts: [
          { key: 'motivation', value: 'mental_training_sport', category: 'motivations', provenance: 'declared', source: 'welcome question', daysAgo: 90 },
          { key: 'sport', value: 'running', category: 'interests', provenance: 'declared', source: 'profile', daysAgo: 90 },
        ],
      },
      // Wants to unplug five minutes a day; happy to hear from partners.
      {
        externalId: 'ch-member-1003', email: 'anna.kovacs@example.com', locale: 'hu', timezone: 'Europe/Budapest',
        consents: { email_marketing: true, partner_sharing: true, analytics: true },
        facts: [
          { key: 'motivation', value: 'unplug_five_minutes', category: 'motivations', provenance: 'declared', source: 'welcome question', daysAgo: 30 },
          { key: 'lifestyle', value: 'new_age', category: 'interests', provenance: 'inferred', source: 'content you played', daysAgo: 3 },
        ],
      },
      // Sceptical, trying it to build a new habit: personalisation only.
      {
        externalId: 'ch-member-1004', email: 'sam.carter@example.com', locale: 'en', timezone: 'Europe/London',
        consents: { personalization: true },
        facts: [
          { key: 'motivation', value: 'sceptical', category: 'motivations', provenance: 'declared', source: 'welcome question', daysAgo: 14 },
          { key: 'motivation', value: 'build_habit', category: 'motivations', provenance: 'declared', source: 'welcome question', daysAgo: 14 },
        ],
      },
    ],
  },
  {
    slug: 'kitchen-atelier',
    name: 'Kitchen Atelier',
    defaultLocale: 'da',
    purposes: ['email_marketing', 'sms_marketing', 'personalization', 'order_updates', 'customer_care'],
    questions: [
      {
        key: 'machine_for_whom',
        factKey: 'purchase_for',
        category: 'interests',
        text: {
          en: 'Was your last purchase for you, or a gift?',
          nb: 'Var det siste kjøpet til deg selv, eller en gave?',
          da: 'Var dit seneste køb til dig selv eller en gave?',
          pl: 'Czy ostatni zakup był dla Ciebie, czy na prezent?',
          hu: 'A legutóbbi vásárlásod magadnak szólt, vagy ajándék volt?',
        },
        options: [
          opt('myself', 'For me', 'Til meg selv', 'Til mig selv', 'Dla mnie', 'Magamnak'),
          opt('gift', 'A gift', 'En gave', 'En gave', 'Na prezent', 'Ajándék'),
        ],
      },
      {
        key: 'coffee_roast',
        factKey: 'coffee_roast',
        category: 'interests',
        text: {
          en: 'Which roast do you like best?',
          nb: 'Hvilken brenning liker du best?',
          da: 'Hvilken ristning kan du bedst lide?',
          pl: 'Jaki stopień palenia kawy lubisz najbardziej?',
          hu: 'Melyik pörkölést szereted a legjobban?',
        },
        options: [
          opt('light', 'Light', 'Lys', 'Lys', 'Jasny', 'Világos'),
          opt('medium', 'Medium', 'Middels', 'Mellem', 'Średni', 'Közepes'),
          opt('dark', 'Dark', 'Mørk', 'Mørk', 'Ciemny', 'Sötét'),
        ],
      },
    ],
    catalog: [
      { sku: 'descaling-kit', title: 'Descaling kit for espresso machines', tags: [{ factKey: 'owns', value: 'espresso_machine', weight: 3 }] },
      { sku: 'dark-roast-beans', title: 'Dark roast beans, 1 kg', tags: [{ factKey: 'coffee_roast', value: 'dark', weight: 3 }, { factKey: 'owns', value: 'espresso_machine', weight: 1 }] },
      { sku: 'milk-frothing-jug', title: 'Milk frothing jug', tags: [{ factKey: 'owns', value: 'espresso_machine', weight: 2 }] },
      { sku: 'light-roast-beans', title: 'Light roast beans, 500 g', tags: [{ factKey: 'coffee_roast', value: 'light', weight: 3 }] },
      { sku: 'cast-iron-pan', title: 'Cast-iron pan, 26 cm', tags: [{ factKey: 'interest', value: 'cookware', weight: 3 }] },
      { sku: 'bean-subscription-upgrade', title: 'Single-origin bean subscription', tags: [{ factKey: 'buys', value: 'coffee_beans_monthly', weight: 2 }] },
      { sku: 'gift-wrapping', title: 'Gift wrapping and a card', tags: [{ factKey: 'purchase_for', value: 'gift', weight: 2 }] },
    ],
    customers: [
      // Bought an espresso machine; likes dark roasts.
      {
        externalId: 'ka-customer-5001', email: 'mette.jensen@example.com', phone: '+4520123456', locale: 'da', timezone: 'Europe/Copenhagen',
        consents: { email_marketing: true, personalization: true, sms_marketing: false },
        facts: [
          { key: 'owns', value: 'espresso_machine', category: 'behavior', provenance: 'observed', source: 'order #10442', daysAgo: 7 },
          { key: 'coffee_roast', value: 'dark', category: 'interests', provenance: 'declared', source: 'coffee quiz', daysAgo: 6 },
        ],
        preferences: { channels: { email: { optedIn: true, frequency: 'weekly' }, sms: { optedIn: true, frequency: 'immediately' }, push: { optedIn: false, frequency: 'immediately' } }, quietHours: { start: '21:00', end: '08:00' }, topics: ['coffee', 'cleaning_tips'] },
      },
      // Cookware enthusiast; delivery updates by SMS, newsletters monthly.
      {
        externalId: 'ka-customer-5002', email: 'olivia.brown@example.com', phone: '+447700900123', locale: 'en', timezone: 'Europe/London',
        consents: { email_marketing: true, sms_marketing: true },
        facts: [
          { key: 'interest', value: 'cookware', category: 'interests', provenance: 'declared', source: 'newsletter sign-up', daysAgo: 120 },
          // Years of menswear, then a dress: we guessed, so we ask.
          { key: 'purchase_for', value: 'gift', category: 'interests', provenance: 'inferred', source: 'purchase history', daysAgo: 2 },
        ],
        preferences: { channels: { email: { optedIn: true, frequency: 'monthly' }, sms: { optedIn: true, frequency: 'immediately' }, push: { optedIn: false, frequency: 'immediately' } }, quietHours: { start: '21:00', end: '07:00' } },
      },
      // Buys beans every month; no marketing at all.
      {
        externalId: 'ka-customer-5003', email: 'lars.nielsen@example.com', locale: 'nb', timezone: 'Europe/Oslo',
        consents: { personalization: true },
        facts: [{ key: 'buys', value: 'coffee_beans_monthly', category: 'behavior', provenance: 'observed', source: 'subscription orders', daysAgo: 20 }],
      },
    ],
  },
];

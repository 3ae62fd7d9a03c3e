import type { FactType, FactValue } from '../dictionary/fact-values';
import type { FactUse } from '../fact-use/fact-use';
import type { UpdatePreferencesDto } from '../preferences/dto/preferences.dto';

/**
 * Demo brands drawn from the journeys Candor exists for: a meditation app whose members come for
 * different reasons, and a kitchen store that remembers what it sold.
 */
export interface DemoFact {
  key: string;
  value: FactValue;
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
  /** Guesses under `factKey` are never used: only the customer's answer counts. */
  askBeforeUse?: boolean;
  /** A timed follow-up: due `days` days after a fact `factKey` (= `value`) was collected. */
  after?: { factKey: string; value?: string; days: number };
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
  /** purpose → what the customer chose it may use in the portal (else the purpose's default). */
  factUse?: Record<string, FactUse>;
}

/** The brand's data dictionary: every fact key, value, source and topic in the five languages. */
export interface DemoDictionary {
  factKeys: Array<{ key: string; category: string; label: Record<string, string>; type?: FactType; values?: Array<{ value: string; label: Record<string, string> }> }>;
  sources: Array<{ key: string; label: Record<string, string> }>;
  topics: Array<{ key: string; label: Record<string, string> }>;
}

export interface DemoBrand {
  slug: string;
  name: string;
  defaultLocale: string;
  purposes: string[];
  questions: DemoQuestion[];
  dictionary: DemoDictionary;
  /** What the brand may recommend, tagged with the fact values it suits; titles in every language. */
  catalog: Array<{ sku: string; title: Record<string, string>; url?: string; tags: Array<{ factKey: string; value: string; weight: number }> }>;
  customers: DemoCustomer[];
  /** What customers read for the brand's newsletter service in "who read your data". */
  newsletterLabel: Record<string, string>;
}

/** One text in the five languages, in the order en, nb, da, pl, hu. */
const t5 = (en: string, nb: string, da: string, pl: string, hu: string) => ({ en, nb, da, pl, hu });
const opt = (value: string, en: string, nb: string, da: string, pl: string, hu: string) => ({ value, label: t5(en, nb, da, pl, hu) });

const WHY_MEDITATE = [
  opt('reduce_stress', 'To lower my stress', 'Å senke stressnivået', 'At sænke mit stressniveau', 'Chcę zmniejszyć stres', 'Hogy csökkentsem a stresszt'),
  opt('ease_anxiety', 'To ease anxiety', 'Å dempe angst', 'At dæmpe angst', 'Chcę złagodzić niepokój', 'Hogy enyhítsem a szorongást'),
  opt('sleep_better', 'To sleep better', 'Å sove bedre', 'At sove bedre', 'Chcę lepiej spać', 'Hogy jobban aludjak'),
  opt('unplug_five_minutes', 'To unplug five minutes a day', 'Å koble av fem minutter om dagen', 'At koble af fem minutter om dagen', 'Chcę się wyłączyć na pięć minut dziennie', 'Hogy napi öt percre kikapcsoljak'),
  opt('mental_training_sport', 'To train my mind for sport', 'Mental trening for idrett', 'Mental træning til sport', 'Trening mentalny dla sportu', 'Mentális edzés a sporthoz'),
  opt('build_habit', 'To build a new habit', 'Å bygge en ny vane', 'At opbygge en ny vane', 'Chcę zbudować nowy nawyk', 'Hogy új szokást alakítsak ki'),
  opt('new_age_lifestyle', 'It is part of my new-age lifestyle', 'Det er en del av min new age-livsstil', 'Det er en del af min new age-livsstil', 'To część mojego stylu życia new age', 'A new age életmódom része'),
  opt('relaxed_fulfilled', 'To feel relaxed and fulfilled', 'Å føle meg avslappet og tilfreds', 'At føle mig afslappet og tilfreds', 'Chcę czuć się zrelaksowany i spełniony', 'Hogy nyugodtnak és kiegyensúlyozottnak érezzem magam'),
  opt('sceptical', 'Honestly, I am sceptical', 'Ærlig talt er jeg skeptisk', 'Ærligt talt er jeg skeptisk', 'Szczerze mówiąc, jestem sceptyczny', 'Őszintén szólva szkeptikus vagyok'),
];
const PRACTICE_TIMES = [
  opt('morning', 'In the morning', 'Om morgenen', 'Om morgenen', 'Rano', 'Reggel'),
  opt('lunch', 'At lunch', 'I lunsjen', 'I frokostpausen', 'W porze lunchu', 'Ebédidőben'),
  opt('evening', 'In the evening', 'Om kvelden', 'Om aftenen', 'Wieczorem', 'Este'),
];
const PURCHASE_FOR = [opt('myself', 'For me', 'Til meg selv', 'Til mig selv', 'Dla mnie', 'Magamnak'), opt('gift', 'A gift', 'En gave', 'En gave', 'Na prezent', 'Ajándék')];
const MACHINE_STATES = [
  opt('works_well', 'It works well', 'Den fungerer bra', 'Den fungerer godt', 'Działa bez zarzutu', 'Jól működik'),
  opt('needs_help', 'It could use some help', 'Den trenger litt hjelp', 'Den har brug for lidt hjælp', 'Przydałaby się pomoc', 'Elkelne egy kis segítség'),
  opt('hardly_used', 'I have hardly used it yet', 'Jeg har knapt brukt den ennå', 'Jeg har knap nok brugt den endnu', 'Jeszcze prawie go nie używam', 'Még alig használtam'),
];
const ROASTS = [
  opt('light', 'Light', 'Lys', 'Lys', 'Jasny', 'Világos'),
  opt('medium', 'Medium', 'Middels', 'Mellem', 'Średni', 'Közepes'),
  opt('dark', 'Dark', 'Mørk', 'Mørk', 'Ciemny', 'Sötét'),
];

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
        options: WHY_MEDITATE,
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
        options: PRACTICE_TIMES,
      },
    ],
    dictionary: {
      factKeys: [
        { key: 'motivation', category: 'motivations', label: t5('Motivation', 'Motivasjon', 'Motivation', 'Motywacja', 'Motiváció'), type: 'choices', values: WHY_MEDITATE },
        { key: 'practice_time', category: 'behavior', label: t5('Practice time', 'Når du mediterer', 'Hvornår du mediterer', 'Pora medytacji', 'A gyakorlás ideje'), type: 'choice', values: PRACTICE_TIMES },
        { key: 'sessions_per_week', category: 'behavior', label: t5('Sessions per week', 'Økter per uke', 'Sessioner om ugen', 'Sesje w tygodniu', 'Alkalmak hetente'), type: 'number' },
        { key: 'interest', category: 'interests', label: t5('Interest', 'Interesse', 'Interesse', 'Zainteresowanie', 'Érdeklődés'), type: 'text',
          values: [opt('sleep_stories', 'Sleep stories', 'Søvnhistorier', 'Søvnhistorier', 'Historie do zasypiania', 'Történetek elalváshoz')] },
        { key: 'sport', category: 'interests', label: t5('Sport', 'Idrett', 'Sport', 'Sport', 'Sport'), type: 'text', values: [opt('running', 'Running', 'Løping', 'Løb', 'Bieganie', 'Futás')] },
        { key: 'lifestyle', category: 'interests', label: t5('Lifestyle', 'Livsstil', 'Livsstil', 'Styl życia', 'Életmód'), type: 'text',
          values: [opt('new_age', 'New age', 'New age', 'New age', 'New age', 'New age')] },
      ],
      sources: [
        { key: 'welcome_question', label: t5('the welcome question', 'velkomstspørsmålet', 'velkomstspørgsmålet', 'pytanie powitalne', 'az üdvözlő kérdés') },
        { key: 'app_sessions', label: t5('your sessions in the app', 'øktene dine i appen', 'dine sessioner i appen', 'Twoje sesje w aplikacji', 'az alkalmazásban töltött alkalmaid') },
        { key: 'content_played', label: t5('content you played', 'innhold du har spilt av', 'indhold, du har afspillet', 'odtwarzane przez Ciebie treści', 'a lejátszott tartalmaid') },
        { key: 'profile', label: t5('your profile', 'profilen din', 'din profil', 'Twój profil', 'a profilod') },
      ],
      topics: [
        { key: 'sleep', label: t5('Sleep', 'Søvn', 'Søvn', 'Sen', 'Alvás') },
        { key: 'breathing', label: t5('Breathing', 'Pust', 'Vejrtrækning', 'Oddychanie', 'Légzés') },
        { key: 'stress', label: t5('Stress', 'Stress', 'Stress', 'Stres', 'Stressz') },
        { key: 'focus', label: t5('Focus', 'Fokus', 'Fokus', 'Koncentracja', 'Fókusz') },
      ],
    },
    newsletterLabel: t5('Newsletter service', 'Nyhetsbrevtjenesten', 'Nyhedsbrevstjenesten', 'Serwis newslettera', 'Hírlevélküldő szolgáltatás'),
    catalog: [
      { sku: 'sleep-stories', title: t5('Sleep stories: the lighthouse keeper', 'Søvnhistorier: fyrvokteren', 'Søvnhistorier: fyrpasseren', 'Historie do zasypiania: latarnik', 'Történetek elalváshoz: a világítótorony őre'), tags: [{ factKey: 'motivation', value: 'sleep_better', weight: 3 }, { factKey: 'interest', value: 'sleep_stories', weight: 1 }] },
      { sku: 'breathing-for-stress', title: t5('Seven days of breathing for stress', 'Sju dager med pusteøvelser mot stress', 'Syv dage med åndedrætsøvelser mod stress', 'Siedem dni ćwiczeń oddechowych na stres', 'Hét nap légzőgyakorlat a stressz ellen'), tags: [{ factKey: 'motivation', value: 'reduce_stress', weight: 3 }, { factKey: 'motivation', value: 'ease_anxiety', weight: 2 }] },
      { sku: 'five-minute-reset', title: t5('The five-minute reset', 'Fem minutter for å lade opp', 'Fem minutter til at lade op', 'Pięciominutowy reset', 'Ötperces feltöltődés'), tags: [{ factKey: 'motivation', value: 'unplug_five_minutes', weight: 3 }] },
      { sku: 'athlete-focus', title: t5('Focus training for athletes', 'Fokustrening for idrettsutøvere', 'Fokustræning for atleter', 'Trening koncentracji dla sportowców', 'Fókuszedzés sportolóknak'), tags: [{ factKey: 'motivation', value: 'mental_training_sport', weight: 3 }, { factKey: 'sport', value: 'running', weight: 1 }] },
      { sku: 'habit-streak', title: t5('Build the habit: a 21-day streak', 'Bygg vanen: 21 dager på rad', 'Byg vanen: 21 dage i træk', 'Zbuduj nawyk: 21 dni z rzędu', 'Alakítsd ki a szokást: 21 nap egymás után'), tags: [{ factKey: 'motivation', value: 'build_habit', weight: 3 }] },
      { sku: 'evening-wind-down', title: t5('Evening wind-down', 'Kveldsro', 'Aftenro', 'Wieczorne wyciszenie', 'Esti lecsendesedés'), tags: [{ factKey: 'practice_time', value: 'evening', weight: 2 }, { factKey: 'motivation', value: 'sleep_better', weight: 1 }] },
      { sku: 'meditation-for-sceptics', title: t5('Meditation for sceptics: the science, no incense', 'Meditasjon for skeptikere: vitenskapen, uten røkelse', 'Meditation for skeptikere: videnskaben, uden røgelse', 'Medytacja dla sceptyków: nauka, bez kadzidełek', 'Meditáció szkeptikusoknak: tudomány, füstölő nélkül'), tags: [{ factKey: 'motivation', value: 'sceptical', weight: 3 }] },
      { sku: 'sound-bath', title: t5('Sound bath collection', 'Lydbad-samling', 'Lydbadsamling', 'Kolekcja kąpieli dźwiękowych', 'Hangfürdő-gyűjtemény'), tags: [{ factKey: 'lifestyle', value: 'new_age', weight: 2 }, { factKey: 'motivation', value: 'relaxed_fulfilled', weight: 2 }] },
    ],
    customers: [
      // Meditates to sleep better and lower stress.
      {
        externalId: 'ch-member-1001', email: 'ingrid.solberg@example.com', phone: '+4791234567', locale: 'nb', timezone: 'Europe/Oslo',
        consents: { email_marketing: true, personalization: true },
        facts: [
          { key: 'motivation', value: 'sleep_better', category: 'motivations', provenance: 'declared', source: 'welcome_question', daysAgo: 270 },
          { key: 'motivation', value: 'reduce_stress', category: 'motivations', provenance: 'declared', source: 'welcome_question', daysAgo: 270 },
          { key: 'practice_time', value: 'evening', category: 'behavior', provenance: 'observed', source: 'app_sessions', daysAgo: 12 },
          { key: 'interest', value: 'sleep_stories', category: 'interests', provenance: 'inferred', source: 'content_played', daysAgo: 5 },
        ],
        preferences: { channels: { email: { optedIn: true, frequency: 'monthly' }, sms: { optedIn: false, frequency: 'immediately' }, push: { optedIn: false, frequency: 'immediately' } }, quietHours: { start: '21:00', end: '07:00' }, topics: ['sleep', 'breathing'] },
      },
      // Trains the mind for sport; said no to newsletters after a while.
      {
        externalId: 'ch-member-1002', email: 'marek.nowak@example.com', locale: 'pl', timezone: 'Europe/Warsaw',
        consents: { personalization: true, email_marketing: false },
        facts: [
          { key: 'motivation', value: 'mental_training_sport', category: 'motivations', provenance: 'declared', source: 'welcome_question', daysAgo: 90 },
          { key: 'sport', value: 'running', category: 'interests', provenance: 'declared', source: 'profile', daysAgo: 90 },
        ],
      },
      // Wants to unplug five minutes a day; happy to hear from partners.
      {
        externalId: 'ch-member-1003', email: 'anna.kovacs@example.com', locale: 'hu', timezone: 'Europe/Budapest',
        consents: { email_marketing: true, partner_sharing: true, analytics: true },
        facts: [
          { key: 'motivation', value: 'unplug_five_minutes', category: 'motivations', provenance: 'declared', source: 'welcome_question', daysAgo: 30 },
          { key: 'lifestyle', value: 'new_age', category: 'interests', provenance: 'inferred', source: 'content_played', daysAgo: 3 },
        ],
      },
      // Sceptical, trying it to build a new habit: personalisation only.
      {
        externalId: 'ch-member-1004', email: 'sam.carter@example.com', locale: 'en', timezone: 'Europe/London',
        consents: { personalization: true },
        facts: [
          { key: 'motivation', value: 'sceptical', category: 'motivations', provenance: 'declared', source: 'welcome_question', daysAgo: 14 },
          { key: 'motivation', value: 'build_habit', category: 'motivations', provenance: 'declared', source: 'welcome_question', daysAgo: 14 },
          // A number: how often the app saw them meditate last week.
          { key: 'sessions_per_week', value: 3, category: 'behavior', provenance: 'observed', source: 'app_sessions', daysAgo: 1 },
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
        // "A gift?" is a guess from the purchase history: nothing (gift wrapping…) follows from it until she says so.
        askBeforeUse: true,
        text: {
          en: 'Was your last purchase for you, or a gift?',
          nb: 'Var det siste kjøpet til deg selv, eller en gave?',
          da: 'Var dit seneste køb til dig selv eller en gave?',
          pl: 'Czy ostatni zakup był dla Ciebie, czy na prezent?',
          hu: 'A legutóbbi vásárlásod magadnak szólt, vagy ajándék volt?',
        },
        options: PURCHASE_FOR,
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
        options: ROASTS,
      },
      {
        // A week after the shop saw an espresso machine bought: asked then, not at checkout.
        key: 'machine_checkin',
        factKey: 'machine_state',
        category: 'behavior',
        after: { factKey: 'owns', value: 'espresso_machine', days: 7 },
        text: {
          en: 'How is your espresso machine doing?',
          nb: 'Hvordan går det med espressomaskinen din?',
          da: 'Hvordan går det med din espressomaskine?',
          pl: 'Jak sprawuje się Twój ekspres do espresso?',
          hu: 'Hogy működik az eszpresszógéped?',
        },
        options: MACHINE_STATES,
      },
    ],
    dictionary: {
      factKeys: [
        { key: 'owns', category: 'behavior', label: t5('You own', 'Du eier', 'Du ejer', 'Posiadasz', 'Ami már megvan neked'), type: 'text',
          values: [opt('espresso_machine', 'An espresso machine', 'En espressomaskin', 'En espressomaskine', 'Ekspres do espresso', 'Egy eszpresszógép')] },
        { key: 'machine_state', category: 'behavior', label: t5('How your espresso machine is doing', 'Hvordan espressomaskinen din fungerer', 'Hvordan din espressomaskine fungerer', 'Jak sprawuje się Twój ekspres', 'Hogyan működik az eszpresszógéped'), type: 'choice', values: MACHINE_STATES },
        { key: 'coffee_roast', category: 'interests', label: t5('Favourite roast', 'Favorittbrenning', 'Yndlingsristning', 'Ulubiony stopień palenia', 'Kedvenc pörkölés'), type: 'choice', values: ROASTS },
        { key: 'purchase_for', category: 'interests', label: t5('Who you buy for', 'Hvem du kjøper til', 'Hvem du køber til', 'Dla kogo kupujesz', 'Kinek vásárolsz'), type: 'choice', values: PURCHASE_FOR },
        { key: 'interest', category: 'interests', label: t5('Interest', 'Interesse', 'Interesse', 'Zainteresowanie', 'Érdeklődés'), type: 'text',
          values: [opt('cookware', 'Cookware', 'Kokekar og stekepanner', 'Gryder og pander', 'Naczynia kuchenne', 'Edények és serpenyők')] },
        { key: 'buys', category: 'behavior', label: t5('Buys regularly', 'Kjøper jevnlig', 'Køber jævnligt', 'Regularnie kupujesz', 'Rendszeresen vásárolod'), type: 'text',
          values: [opt('coffee_beans_monthly', 'Coffee beans every month', 'Kaffebønner hver måned', 'Kaffebønner hver måned', 'Kawę ziarnistą co miesiąc', 'Havonta kávébabot')] },
      ],
      sources: [
        // A fact's source `order:10442` reads "order #10442", "ordre nr. 10442"…
        { key: 'order', label: t5('order #{ref}', 'ordre nr. {ref}', 'ordre nr. {ref}', 'zamówienie nr {ref}', '{ref}. számú rendelés') },
        { key: 'coffee_quiz', label: t5('the coffee quiz', 'kaffequizen', 'kaffequizzen', 'quiz kawowy', 'a kávékvíz') },
        { key: 'newsletter_signup', label: t5('your newsletter sign-up', 'påmeldingen din til nyhetsbrevet', 'din tilmelding til nyhedsbrevet', 'Twój zapis do newslettera', 'a hírlevél-feliratkozásod') },
        { key: 'purchase_history', label: t5('your purchase history', 'kjøpshistorikken din', 'din købshistorik', 'Twoja historia zakupów', 'a vásárlási előzményeid') },
        { key: 'subscription_orders', label: t5('your subscription orders', 'abonnementsbestillingene dine', 'dine abonnementsordrer', 'Twoje zamówienia w subskrypcji', 'az előfizetéses rendeléseid') },
      ],
      topics: [
        { key: 'coffee', label: t5('Coffee', 'Kaffe', 'Kaffe', 'Kawa', 'Kávé') },
        { key: 'cleaning_tips', label: t5('Cleaning tips', 'Rengjøringstips', 'Rengøringstips', 'Porady dotyczące czyszczenia', 'Tisztítási tippek') },
        { key: 'recipes', label: t5('Recipes', 'Oppskrifter', 'Opskrifter', 'Przepisy', 'Receptek') },
      ],
    },
    newsletterLabel: t5('Newsletter service', 'Nyhetsbrevtjenesten', 'Nyhedsbrevstjenesten', 'Serwis newslettera', 'Hírlevélküldő szolgáltatás'),
    catalog: [
      { sku: 'descaling-kit', title: t5('Descaling kit for espresso machines', 'Avkalkingssett for espressomaskiner', 'Afkalkningssæt til espressomaskiner', 'Zestaw do odkamieniania ekspresów do kawy', 'Vízkőmentesítő készlet eszpresszógépekhez'), tags: [{ factKey: 'owns', value: 'espresso_machine', weight: 3 }] },
      { sku: 'dark-roast-beans', title: t5('Dark roast beans, 1 kg', 'Mørkbrente bønner, 1 kg', 'Mørkristede bønner, 1 kg', 'Ciemno palona kawa ziarnista, 1 kg', 'Sötét pörkölésű kávébab, 1 kg'), tags: [{ factKey: 'coffee_roast', value: 'dark', weight: 3 }, { factKey: 'owns', value: 'espresso_machine', weight: 1 }] },
      { sku: 'milk-frothing-jug', title: t5('Milk frothing jug', 'Melkekanne til skumming', 'Mælkekande til skum', 'Dzbanek do spieniania mleka', 'Tejhabosító kancsó'), tags: [{ factKey: 'owns', value: 'espresso_machine', weight: 2 }] },
      { sku: 'light-roast-beans', title: t5('Light roast beans, 500 g', 'Lysbrente bønner, 500 g', 'Lyst ristede bønner, 500 g', 'Jasno palona kawa ziarnista, 500 g', 'Világos pörkölésű kávébab, 500 g'), tags: [{ factKey: 'coffee_roast', value: 'light', weight: 3 }] },
      { sku: 'cast-iron-pan', title: t5('Cast-iron pan, 26 cm', 'Støpejernspanne, 26 cm', 'Støbejernspande, 26 cm', 'Patelnia żeliwna, 26 cm', 'Öntöttvas serpenyő, 26 cm'), tags: [{ factKey: 'interest', value: 'cookware', weight: 3 }] },
      { sku: 'bean-subscription-upgrade', title: t5('Single-origin bean subscription', 'Abonnement på single origin-bønner', 'Abonnement på single origin-bønner', 'Subskrypcja kawy single origin', 'Egyeredetű kávébab-előfizetés'), tags: [{ factKey: 'buys', value: 'coffee_beans_monthly', weight: 2 }] },
      { sku: 'gift-wrapping', title: t5('Gift wrapping and a card', 'Gaveinnpakning og kort', 'Gaveindpakning og kort', 'Pakowanie na prezent i kartka', 'Ajándékcsomagolás és üdvözlőkártya'), tags: [{ factKey: 'purchase_for', value: 'gift', weight: 2 }] },
    ],
    customers: [
      // Bought an espresso machine a week ago (so "How is your espresso machine doing?" is due for her now); likes
      // dark roasts. Lets suggestions use what the shop saw her buy.
      {
        externalId: 'ka-customer-5001', email: 'mette.jensen@example.com', phone: '+4520123456', locale: 'da', timezone: 'Europe/Copenhagen',
        consents: { email_marketing: true, personalization: true, sms_marketing: false },
        factUse: { personalization: 'all' },
        facts: [
          { key: 'owns', value: 'espresso_machine', category: 'behavior', provenance: 'observed', source: 'order:10442', daysAgo: 7 },
          { key: 'coffee_roast', value: 'dark', category: 'interests', provenance: 'declared', source: 'coffee_quiz', daysAgo: 6 },
        ],
        preferences: { channels: { email: { optedIn: true, frequency: 'weekly' }, sms: { optedIn: true, frequency: 'immediately' }, push: { optedIn: false, frequency: 'immediately' } }, quietHours: { start: '21:00', end: '08:00' }, topics: ['coffee', 'cleaning_tips'] },
      },
      // Cookware enthusiast; delivery updates by SMS, newsletters monthly.
      {
        externalId: 'ka-customer-5002', email: 'olivia.brown@example.com', phone: '+447700900123', locale: 'en', timezone: 'Europe/London',
        consents: { email_marketing: true, sms_marketing: true },
        facts: [
          { key: 'interest', value: 'cookware', category: 'interests', provenance: 'declared', source: 'newsletter_signup', daysAgo: 120 },
          // Years of menswear, then a dress: we guessed, so we ask.
          { key: 'purchase_for', value: 'gift', category: 'interests', provenance: 'inferred', source: 'purchase_history', daysAgo: 2 },
        ],
        preferences: {
          channels: { email: { optedIn: true, frequency: 'monthly' }, sms: { optedIn: true, frequency: 'immediately' }, push: { optedIn: false, frequency: 'immediately' } },
          quietHours: { start: '21:00', end: '07:00' },
          purposes: { order_updates: { channels: ['sms'] } },
        },
      },
      // Buys beans every month; no marketing at all.
      {
        externalId: 'ka-customer-5003', email: 'lars.nielsen@example.com', locale: 'nb', timezone: 'Europe/Oslo',
        consents: { personalization: true },
        facts: [{ key: 'buys', value: 'coffee_beans_monthly', category: 'behavior', provenance: 'observed', source: 'subscription_orders', daysAgo: 20 }],
      },
    ],
  },
];

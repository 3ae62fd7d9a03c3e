import type { LegalBasis } from './purpose.entity';

export const CHANNELS = ['email', 'sms', 'push', 'messenger', 'post'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * DPV terms that name a service rather than marketing: a legitimate-interest purpose with one of
 * these is not marketing by default (customer care answers even while marketing waits).
 */
export const SERVICE_DPV_TERMS: readonly string[] = ['dpv:CustomerCare', 'dpv:CustomerManagement', 'dpv:ServiceProvision', 'dpv:CommunicationForCustomerCare'];

/**
 * Whether a purpose is marketing when its creator does not say: never for a contract or legal
 * obligation, always for consent, and for legitimate interest unless its DPV term names a service.
 * Suppressions and frequency caps bind marketing purposes only.
 */
export function isMarketingByDefault(legalBasis: LegalBasis, dpvTerm: string | null | undefined): boolean {
  if (legalBasis === 'contract' || legalBasis === 'legal_obligation') return false;
  if (legalBasis === 'consent') return true;
  return !SERVICE_DPV_TERMS.includes(dpvTerm ?? '');
}

export interface CataloguePurpose {
  key: string;
  /** The W3C Data Privacy Vocabulary term the purpose maps to. */
  dpvTerm: string;
  legalBasis: LegalBasis;
  dataCategories: string[];
  channels: Channel[];
  saleOrShare: boolean;
  name: Record<string, string>;
  /** The first notice version a brand publishes when it adopts the purpose. */
  notice: Record<string, string>;
}

/**
 * The default purposes a brand can adopt, mapped to W3C DPV (https://w3id.org/dpv) terms, with
 * names and a plain-words notice in every language Candor ships.
 */
export const PURPOSE_CATALOGUE: readonly CataloguePurpose[] = [
  {
    key: 'email_marketing',
    dpvTerm: 'dpv:DirectMarketing',
    legalBasis: 'consent',
    dataCategories: ['contact', 'interests', 'motivations', 'preferences'],
    channels: ['email'],
    saleOrShare: false,
    name: {
      en: 'Newsletters and offers by email',
      nb: 'Nyhetsbrev og tilbud på e-post',
      da: 'Nyhedsbreve og tilbud på e-mail',
      pl: 'Newslettery i oferty e-mailem',
      hu: 'Hírlevelek és ajánlatok e-mailben',
    },
    notice: {
      en: 'We will email you newsletters and offers chosen with the interests and motivations you share with us. You can withdraw at any time, as easily as you agreed.',
      nb: 'Vi sender deg nyhetsbrev og tilbud på e-post, valgt ut fra interessene og motivasjonene du deler med oss. Du kan trekke samtykket når som helst, like enkelt som du ga det.',
      da: 'Vi sender dig nyhedsbreve og tilbud på e-mail, udvalgt efter de interesser og motivationer, du deler med os. Du kan trække samtykket tilbage når som helst, lige så nemt som du gav det.',
      pl: 'Będziemy wysyłać Ci e-mailem newslettery i oferty dobrane do zainteresowań i motywacji, którymi się z nami dzielisz. Możesz wycofać zgodę w każdej chwili, równie łatwo, jak jej udzieliłeś.',
      hu: 'E-mailben hírleveleket és ajánlatokat küldünk, az általad megosztott érdeklődési körök és motivációk alapján válogatva. Hozzájárulásodat bármikor visszavonhatod, ugyanolyan egyszerűen, ahogy megadtad.',
    },
  },
  {
    key: 'sms_marketing',
    dpvTerm: 'dpv:DirectMarketing',
    legalBasis: 'consent',
    dataCategories: ['contact', 'preferences'],
    channels: ['sms', 'push', 'messenger'],
    saleOrShare: false,
    name: {
      en: 'Offers by text message and app notifications',
      nb: 'Tilbud på SMS og appvarsler',
      da: 'Tilbud på sms og app-notifikationer',
      pl: 'Oferty SMS-em i w powiadomieniach aplikacji',
      hu: 'Ajánlatok SMS-ben és alkalmazásértesítésben',
    },
    notice: {
      en: 'We will send you occasional offers by text message or app notification, never during your quiet hours. Reply STOP or withdraw here at any time.',
      nb: 'Vi sender deg tilbud av og til på SMS eller som appvarsel, aldri i de stille timene dine. Svar STOPP eller trekk samtykket her når som helst.',
      da: 'Vi sender dig af og til tilbud på sms eller som app-notifikation, aldrig i dine stille timer. Svar STOP eller træk samtykket tilbage her når som helst.',
      pl: 'Od czasu do czasu wyślemy Ci ofertę SMS-em lub powiadomieniem w aplikacji, nigdy w Twoich godzinach ciszy. Odpisz STOP albo wycofaj zgodę tutaj w każdej chwili.',
      hu: 'Időnként ajánlatokat küldünk SMS-ben vagy alkalmazásértesítésben, a csendes óráidban soha. Válaszolj STOP-pal, vagy vond vissza itt bármikor.',
    },
  },
  {
    key: 'personalization',
    dpvTerm: 'dpv:Personalisation',
    legalBasis: 'consent',
    dataCategories: ['motivations', 'interests', 'preferences', 'behavior'],
    channels: [],
    saleOrShare: false,
    name: {
      en: 'Recommendations based on what you tell us',
      nb: 'Anbefalinger basert på det du forteller oss',
      da: 'Anbefalinger baseret på det, du fortæller os',
      pl: 'Rekomendacje na podstawie tego, co nam mówisz',
      hu: 'Ajánlások az általad elmondottak alapján',
    },
    notice: {
      en: 'We use what you choose to tell us — your motivations, interests and preferences — to suggest things for you, and we always show you why. We never guess behind your back.',
      nb: 'Vi bruker det du velger å fortelle oss – motivasjoner, interesser og preferanser – til å foreslå ting for deg, og vi viser alltid hvorfor. Vi gjetter aldri bak ryggen din.',
      da: 'Vi bruger det, du vælger at fortælle os – dine motivationer, interesser og præferencer – til at foreslå ting til dig, og vi viser altid hvorfor. Vi gætter aldrig bag din ryg.',
      pl: 'Wykorzystujemy to, co zdecydujesz się nam powiedzieć — Twoje motywacje, zainteresowania i preferencje — aby coś Ci zaproponować, i zawsze pokazujemy dlaczego. Nigdy nie zgadujemy za Twoimi plecami.',
      hu: 'Amit megosztasz velünk – motivációidat, érdeklődési köreidet és preferenciáidat –, arra használjuk, hogy ajánlásokat tegyünk, és mindig megmutatjuk, miért. Soha nem találgatunk a hátad mögött.',
    },
  },
  {
    key: 'analytics',
    dpvTerm: 'dpv:ServiceUsageAnalytics',
    legalBasis: 'consent',
    dataCategories: ['behavior'],
    channels: [],
    saleOrShare: false,
    name: {
      en: 'Improving our service with usage statistics',
      nb: 'Forbedre tjenesten med bruksstatistikk',
      da: 'Forbedre tjenesten med brugsstatistik',
      pl: 'Ulepszanie usługi dzięki statystykom użycia',
      hu: 'A szolgáltatás fejlesztése használati statisztikákkal',
    },
    notice: {
      en: 'We count how our app and shop are used, in aggregate, to make them better. We never sell these statistics.',
      nb: 'Vi teller hvordan appen og butikken brukes, samlet, for å gjøre dem bedre. Vi selger aldri denne statistikken.',
      da: 'Vi tæller, hvordan appen og butikken bruges, samlet, for at gøre dem bedre. Vi sælger aldrig denne statistik.',
      pl: 'Zliczamy zbiorczo, jak korzystasz z aplikacji i sklepu, aby je ulepszać. Nigdy nie sprzedajemy tych statystyk.',
      hu: 'Összesítve mérjük, hogyan használják az alkalmazást és a boltot, hogy jobbá tegyük őket. Ezeket a statisztikákat soha nem adjuk el.',
    },
  },
  {
    key: 'partner_sharing',
    dpvTerm: 'dpv:SellDataToThirdParties',
    legalBasis: 'consent',
    dataCategories: ['contact', 'interests'],
    channels: [],
    saleOrShare: true,
    name: {
      en: 'Sharing with selected partners',
      nb: 'Deling med utvalgte partnere',
      da: 'Deling med udvalgte partnere',
      pl: 'Udostępnianie wybranym partnerom',
      hu: 'Megosztás kiválasztott partnerekkel',
    },
    notice: {
      en: 'We may share your contact details and interests with partners we name on our website so they can send you their own offers. A Global Privacy Control signal from your browser turns this off.',
      nb: 'Vi kan dele kontaktopplysningene og interessene dine med partnere vi navngir på nettstedet vårt, slik at de kan sende deg egne tilbud. Et Global Privacy Control-signal fra nettleseren din slår dette av.',
      da: 'Vi kan dele dine kontaktoplysninger og interesser med partnere, som vi nævner på vores hjemmeside, så de kan sende dig deres egne tilbud. Et Global Privacy Control-signal fra din browser slår dette fra.',
      pl: 'Możemy udostępniać Twoje dane kontaktowe i zainteresowania partnerom wymienionym na naszej stronie, aby mogli wysyłać Ci własne oferty. Sygnał Global Privacy Control z Twojej przeglądarki to wyłącza.',
      hu: 'Elérhetőségeidet és érdeklődési köreidet megoszthatjuk a weboldalunkon megnevezett partnerekkel, hogy saját ajánlataikat küldhessék. A böngésződ Global Privacy Control jelzése ezt kikapcsolja.',
    },
  },
  {
    key: 'order_updates',
    dpvTerm: 'dpv:ServiceProvision',
    legalBasis: 'contract',
    dataCategories: ['contact'],
    channels: ['email', 'sms', 'push'],
    saleOrShare: false,
    name: {
      en: 'Order and delivery updates',
      nb: 'Ordre- og leveringsoppdateringer',
      da: 'Ordre- og leveringsopdateringer',
      pl: 'Informacje o zamówieniu i dostawie',
      hu: 'Rendelési és szállítási értesítések',
    },
    notice: {
      en: 'To deliver what you ordered we send you order confirmations and delivery updates on the channels you choose.',
      nb: 'For å levere det du har bestilt, sender vi ordrebekreftelser og leveringsoppdateringer på kanalene du velger.',
      da: 'For at levere det, du har bestilt, sender vi ordrebekræftelser og leveringsopdateringer på de kanaler, du vælger.',
      pl: 'Aby dostarczyć zamówienie, wysyłamy potwierdzenia i informacje o dostawie kanałami, które wybierzesz.',
      hu: 'A megrendelt termékek kézbesítéséhez rendelésvisszaigazolást és szállítási értesítéseket küldünk az általad választott csatornákon.',
    },
  },
  {
    key: 'customer_care',
    dpvTerm: 'dpv:CustomerCare',
    legalBasis: 'legitimate_interest',
    dataCategories: ['contact', 'behavior'],
    channels: ['email', 'messenger'],
    saleOrShare: false,
    name: {
      en: 'Help when you contact us',
      nb: 'Hjelp når du kontakter oss',
      da: 'Hjælp, når du kontakter os',
      pl: 'Pomoc, gdy się z nami kontaktujesz',
      hu: 'Segítség, amikor megkeresel minket',
    },
    notice: {
      en: 'When you contact us, our support team reads your contact details and recent orders to help you. You can object at any time.',
      nb: 'Når du kontakter oss, leser kundeservice kontaktopplysningene og de siste ordrene dine for å hjelpe deg. Du kan protestere når som helst.',
      da: 'Når du kontakter os, læser kundeservice dine kontaktoplysninger og seneste ordrer for at hjælpe dig. Du kan gøre indsigelse når som helst.',
      pl: 'Gdy się z nami kontaktujesz, zespół obsługi odczytuje Twoje dane kontaktowe i ostatnie zamówienia, aby Ci pomóc. Możesz w każdej chwili wnieść sprzeciw.',
      hu: 'Amikor megkeresel minket, ügyfélszolgálatunk az elérhetőségeidet és legutóbbi rendeléseidet használja, hogy segítsen. Bármikor tiltakozhatsz.',
    },
  },
];

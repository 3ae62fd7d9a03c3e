import { plural } from '../locale';
import type { Messages } from './en';

/** "w ciągu 1 minuty", "w ciągu 2 minut", "w ciągu 15 minut" (genitive after "w ciągu"; fractions take "minuty"). */
const minutes = (n: number) => plural('pl', n, { one: '# minuty', few: '# minut', many: '# minut', other: '# minuty' });

/**
 * Polski. A brand's name has no grammatical gender of its own, so the copy says "marka …" (she)
 * wherever a verb must agree with it, and addresses the reader without gendered past forms.
 */
export const pl: Messages = {
  common: {
    hello: 'Dzień dobry,',
    linkFallback: 'Jeśli przycisk nie działa, skopiuj ten adres do przeglądarki:',
    footer: (brand) => `Tę wiadomość wysłała marka ${brand} ze swojego portalu prywatności, działającego na platformie Candor.`,
  },
  signIn: {
    subject: (brand) => `Twój link do logowania: ${brand}`,
    body: (brand, n) => `Użyj tego linku w ciągu ${minutes(n)}, aby zobaczyć i zmienić to, co marka ${brand} o Tobie wie. Link działa jeden raz.`,
    action: 'Zaloguj się',
    ignore: 'Jeśli to nie była Twoja prośba, zignoruj tę wiadomość: bez linku nic się nie wydarzy.',
  },
  staffSignIn: {
    subject: (brand) => `Twój link do konsoli prywatności marki ${brand}`,
    body: (brand, n) => `Użyj tego linku w ciągu ${minutes(n)}, aby zalogować się do konsoli prywatności marki ${brand}. Link działa jeden raz.`,
    action: 'Otwórz konsolę',
    ignore: 'Jeśli to nie była Twoja prośba, zignoruj tę wiadomość: bez linku nic się nie wydarzy.',
  },
  erasureReceipt: {
    subject: (brand) => `Marka ${brand} usunęła Twoje dane`,
    intro: (brand, date) => `Zgodnie z Twoją prośbą marka ${brand} usunęła dnia ${date} dane osobowe, które o Tobie przechowywała:`,
    erased: [
      'Twój profil z informacjami od Ciebie, Twoje odpowiedzi i ustawienia kontaktu',
      'Twój adres e-mail, numer telefonu i numer klienta',
      'Twoje linki logowania i sesje oraz rejestr tego, kto odczytywał Twoje dane',
      'Twój osobisty klucz danych, więc dowodów zapisanych w rejestrze zgód nie może już nikt odczytać',
    ],
    receipt: (brand) => `Potwierdzenie pokazuje certyfikat usunięcia oraz to, które z pozostałych systemów marki ${brand} potwierdziły usunięcie:`,
    action: 'Otwórz potwierdzenie',
    keep: 'Potwierdzenie nie zawiera niczego, co pozwala Cię zidentyfikować, więc pozostaje dostępne po usunięciu danych. Zachowaj tę wiadomość: link jest jedynym sposobem, by je otworzyć, a to ostatnia wiadomość, jaką od nas otrzymasz na ten adres.',
  },
  doubleOptIn: {
    subject: (brand, purpose) => `Potwierdź: ${purpose} – marka ${brand}`,
    intro: (brand, purpose) => `Ktoś — najpewniej Ty — poprosił markę ${brand} o to, podając Twój adres e-mail: „${purpose}”.`,
    body: (days) => `Nic się nie zacznie, dopóki tego nie potwierdzisz. Otwórz link w ciągu ${plural('pl', days, { one: '# dnia', few: '# dni', many: '# dni', other: '# dnia' })} i naciśnij „Potwierdź”.`,
    action: 'Potwierdź',
    ignore: 'Jeśli to nie Ty, zignoruj tę wiadomość: bez Twojego potwierdzenia nic się nie zmieni, a link potem wygaśnie.',
  },
  exportPage: {
    title: (brand) => `Twoje dane w ${brand}`,
    heading: (brand) => `Wszystko, co marka ${brand} o Tobie przechowuje`,
    prepared: (date) => `Przygotowano ${date}. Wersją tej strony do odczytu maszynowego jest eksport JSON.`,
    you: 'Ty',
    customerNumber: 'Numer klienta',
    email: 'E-mail',
    phone: 'Telefon',
    language: 'Język',
    timeZone: 'Strefa czasowa',
    factsTitle: 'Co nam o sobie przekazujesz oraz co zaobserwowaliśmy lub wywnioskowaliśmy',
    factHeaders: ['Co', 'Wartość', 'Skąd to wiemy', 'Źródło', 'Kiedy'],
    provenance: { declared: 'od Ciebie', observed: 'zaobserwowane', inferred: 'nasze przypuszczenie' },
    consentsTitle: 'Twoje zgody',
    consentHeaders: ['Cel', 'Decyzja', 'Wersja informacji', 'W jaki sposób', 'Kiedy', 'Dowód (SHA-256)'],
    agreed: 'zgoda',
    withdrew: 'wycofanie',
    sources: { portal: 'w portalu', gpc: 'sygnał prywatności Twojej przeglądarki', 'signup-form': 'przy rejestracji', 'preference-center': 'w Twoich ustawieniach', api: 'przez systemy marki', import: 'zaimportowane z wcześniejszego systemu', 'one-click-unsubscribe': 'linkiem do wypisania się w e-mailu', 'double-opt-in': 'potwierdzeniem z e-maila' },
    channelsTitle: 'Twoje kanały',
    channelHeaders: ['Kanał', 'Dozwolony', 'Jak często'],
    channels: { email: 'E-mail', sms: 'Wiadomości SMS', push: 'Powiadomienia push', messenger: 'Komunikator', post: 'Poczta tradycyjna' },
    frequencies: { immediately: 'gdy jest coś nowego', daily: 'najwyżej raz dziennie', weekly: 'najwyżej raz w tygodniu', monthly: 'najwyżej raz w miesiącu' },
    yes: 'tak',
    no: 'nie',
    quietHours: (hours) => `Godziny ciszy: ${hours}.`,
    topics: (topics) => `Tematy: ${topics}.`,
    none: 'brak',
    readsTitle: 'Kto odczytał Twoje dane',
    readHeaders: ['Kiedy', 'Kto', 'W jakim celu', 'Które dane'],
    requestsTitle: 'Twoje wnioski',
    requestHeaders: ['Wniosek', 'Status', 'Otrzymany', 'Termin'],
    requestTypes: { access: 'kopia danych', erasure: 'usunięcie', rectification: 'sprostowanie', restriction: 'ograniczenie', objection: 'sprzeciw' },
    requestStatuses: { received: 'otrzymany', in_progress: 'w toku', completed: 'zrealizowany', rejected: 'odrzucony' },
    whyTitle: 'Dlaczego je przetwarzamy',
    purposeHeaders: ['Cel', 'Podstawa prawna', 'Wykorzystywane dane', 'Przechowywane'],
    legalBasis: { consent: 'Twoja zgoda', legitimate_interest: 'nasz prawnie uzasadniony interes', contract: 'niezbędne do realizacji zamówień', legal_obligation: 'wymagane przez prawo' },
    keptFor: (days) => plural('pl', days, { one: '# dzień od zebrania', other: '# dni od zebrania' }),
    keptUntilWithdrawn: 'do wycofania zgody lub prośby o usunięcie danych',
    keptUntilErased: 'do prośby o usunięcie danych',
    sharedWith: (names) => `Udostępniane: ${names}.`,
    noOne: 'nikomu',
    sourcesLine: (sources) => `Źródła: ${sources}.`,
    rights: 'Możesz przeglądać, poprawiać i usuwać te dane, pobrać je, wycofać każdą zgodę, wnieść sprzeciw, ograniczyć ich wykorzystanie i poprosić o zapomnienie — w portalu albo pisząc do nas.',
    empty: 'Brak.',
  },
};

/** The languages Candor writes to customers in (the portal's). */
export const MAIL_LOCALES = ['en', 'nb', 'da', 'pl', 'hu'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

/** A customer's or brand's locale (`nb`, `nb-NO`, `NB`) as one of the mail languages, or null. */
export function mailLocaleOf(locale: string | null | undefined): MailLocale | null {
  const base = locale?.toLowerCase().split(/[-_]/)[0];
  if (base === 'no' || base === 'nn') return 'nb';
  return MAIL_LOCALES.includes(base as MailLocale) ? (base as MailLocale) : null;
}

export interface ErasureReceiptMailText {
  subject: string;
  text: string;
}

/**
 * The email that carries an erasure receipt's link, in the customer's language: what was erased,
 * where the receipt is, and that it holds nothing identifying.
 */
export function erasureReceiptMail(locale: MailLocale, brandName: string, erasedOn: string, link: string): ErasureReceiptMailText {
  const t = TEXTS[locale];
  return {
    subject: t.subject(brandName),
    text: [t.hello, '', t.intro(brandName, erasedOn), '', ...t.erased.map((line) => `- ${line}`), '', t.receipt(brandName), '', link, '', t.keep, ''].join('\n'),
  };
}

interface Texts {
  subject: (brand: string) => string;
  hello: string;
  intro: (brand: string, date: string) => string;
  erased: string[];
  receipt: (brand: string) => string;
  keep: string;
}

const TEXTS: Record<MailLocale, Texts> = {
  en: {
    subject: (brand) => `${brand} has erased your data`,
    hello: 'Hello,',
    intro: (brand, date) => `As you asked, ${brand} erased the personal data it held about you on ${date}:`,
    erased: [
      'what you told us (your profile), your answers and your contact preferences',
      'your email address, phone number and customer number',
      'your sign-in links and sessions, and the record of who read your data',
      'your personal data key, so the evidence kept in the consent ledger can no longer be read by anyone',
    ],
    receipt: (brand) => `Your receipt shows the erasure certificate and which of ${brand}'s other systems have confirmed the erasure:`,
    keep: 'The receipt holds nothing that identifies you, so it stays available after the erasure. Keep this email: the link is the only way to open it, and this is the last email you will get from us at this address.',
  },
  nb: {
    subject: (brand) => `${brand} har slettet dataene dine`,
    hello: 'Hei,',
    intro: (brand, date) => `Som du ba om, slettet ${brand} personopplysningene vi hadde om deg ${date}:`,
    erased: [
      'det du har fortalt oss (profilen din), svarene dine og kontaktinnstillingene dine',
      'e-postadressen, telefonnummeret og kundenummeret ditt',
      'innloggingslenkene og øktene dine, og oversikten over hvem som har lest dataene dine',
      'den personlige datanøkkelen din, slik at bevisene i samtykkeprotokollen ikke lenger kan leses av noen',
    ],
    receipt: (brand) => `Kvitteringen viser slettebeviset og hvilke av ${brand}s andre systemer som har bekreftet slettingen:`,
    keep: 'Kvitteringen inneholder ingenting som identifiserer deg, så den er tilgjengelig også etter slettingen. Ta vare på denne e-posten: lenken er den eneste måten å åpne kvitteringen på, og dette er den siste e-posten du får fra oss på denne adressen.',
  },
  da: {
    subject: (brand) => `${brand} har slettet dine data`,
    hello: 'Hej,',
    intro: (brand, date) => `Som du bad om, slettede ${brand} de personoplysninger, vi havde om dig, den ${date}:`,
    erased: [
      'det, du har fortalt os (din profil), dine svar og dine kontaktindstillinger',
      'din e-mailadresse, dit telefonnummer og dit kundenummer',
      'dine login-links og sessioner samt oversigten over, hvem der har læst dine data',
      'din personlige datanøgle, så beviserne i samtykkeprotokollen ikke længere kan læses af nogen',
    ],
    receipt: (brand) => `Din kvittering viser sletningsbeviset, og hvilke af ${brand}s andre systemer der har bekræftet sletningen:`,
    keep: 'Kvitteringen indeholder intet, der identificerer dig, så den forbliver tilgængelig efter sletningen. Gem denne e-mail: linket er den eneste måde at åbne kvitteringen på, og dette er den sidste e-mail, du får fra os på denne adresse.',
  },
  pl: {
    subject: (brand) => `${brand} usunęła Twoje dane`,
    hello: 'Dzień dobry,',
    intro: (brand, date) => `Zgodnie z Twoją prośbą ${brand} usunęła dnia ${date} dane osobowe, które o Tobie przechowywała:`,
    erased: [
      'to, co nam o sobie powiedziałeś (Twój profil), Twoje odpowiedzi i ustawienia kontaktu',
      'Twój adres e-mail, numer telefonu i numer klienta',
      'Twoje linki logowania i sesje oraz rejestr tego, kto odczytywał Twoje dane',
      'Twój osobisty klucz danych, więc dowodów zapisanych w rejestrze zgód nie może już nikt odczytać',
    ],
    receipt: (brand) => `Twoje potwierdzenie pokazuje certyfikat usunięcia oraz to, które z pozostałych systemów ${brand} potwierdziły usunięcie:`,
    keep: 'Potwierdzenie nie zawiera niczego, co pozwala Cię zidentyfikować, więc pozostaje dostępne po usunięciu danych. Zachowaj tę wiadomość: link jest jedynym sposobem, by je otworzyć, a to ostatnia wiadomość, jaką od nas otrzymasz na ten adres.',
  },
  hu: {
    subject: (brand) => `A(z) ${brand} törölte az adataidat`,
    hello: 'Kedves Ügyfelünk!',
    intro: (brand, date) => `Kérésednek megfelelően a(z) ${brand} ${date} napján törölte a rólad tárolt személyes adatokat:`,
    erased: [
      'amit magadról elmondtál (a profilodat), a válaszaidat és a kapcsolattartási beállításaidat',
      'az e-mail-címedet, a telefonszámodat és az ügyfélszámodat',
      'a bejelentkezési linkjeidet és munkameneteidet, valamint annak nyilvántartását, hogy ki olvasta az adataidat',
      'a személyes adatkulcsodat, így a hozzájárulási naplóban őrzött bizonyítékokat többé senki sem tudja elolvasni',
    ],
    receipt: (brand) => `Az igazolásod megmutatja a törlési tanúsítványt, és azt, hogy a(z) ${brand} mely további rendszerei erősítették meg a törlést:`,
    keep: 'Az igazolás semmi olyat nem tartalmaz, ami azonosítana téged, ezért a törlés után is elérhető marad. Őrizd meg ezt az e-mailt: a link az egyetlen módja az igazolás megnyitásának, és ez az utolsó e-mail, amelyet erre a címre tőlünk kapsz.',
  },
};

import { plural } from '../mail-locale';
import type { MailMessages } from './en';

const minutes = (n: number) => plural('nb', n, { one: '# minutt', other: '# minutter' });

/** Norsk bokmål. */
export const nb: MailMessages = {
  common: {
    hello: 'Hei,',
    linkFallback: 'Hvis knappen ikke virker, kan du kopiere denne adressen inn i nettleseren:',
    footer: (brand) => `${brand} sendte deg denne e-posten fra personvernportalen sin, som drives med Candor.`,
  },
  signIn: {
    subject: (brand) => `Innloggingslenken din for ${brand}`,
    body: (brand, n) => `Bruk denne lenken innen ${minutes(n)} for å se og endre det ${brand} vet om deg. Den virker én gang.`,
    action: 'Logg inn',
    ignore: 'Hvis du ikke ba om den, kan du se bort fra denne e-posten: ingenting skjer uten lenken.',
  },
  staffSignIn: {
    subject: (brand) => `Innloggingslenken din for personvernkonsollen til ${brand}`,
    body: (brand, n) => `Bruk denne lenken innen ${minutes(n)} for å logge inn i personvernkonsollen til ${brand}. Den virker én gang.`,
    action: 'Åpne konsollen',
    ignore: 'Hvis du ikke ba om den, kan du se bort fra denne e-posten: ingenting skjer uten lenken.',
  },
  erasureReceipt: {
    subject: (brand) => `${brand} har slettet dataene dine`,
    intro: (brand, date) => `Som du ba om, slettet ${brand} personopplysningene vi hadde om deg ${date}:`,
    erased: [
      'det du har fortalt oss (profilen din), svarene dine og kontaktinnstillingene dine',
      'e-postadressen, telefonnummeret og kundenummeret ditt',
      'innloggingslenkene og øktene dine, og oversikten over hvem som har lest dataene dine',
      'den personlige datanøkkelen din, slik at bevisene i samtykkeprotokollen ikke lenger kan leses av noen',
    ],
    receipt: (brand) => `Kvitteringen viser slettebeviset og hvilke av de andre systemene til ${brand} som har bekreftet slettingen:`,
    action: 'Åpne kvitteringen',
    keep: 'Kvitteringen inneholder ingenting som identifiserer deg, så den er tilgjengelig også etter slettingen. Ta vare på denne e-posten: lenken er den eneste måten å åpne kvitteringen på, og dette er den siste e-posten du får fra oss på denne adressen.',
  },
};

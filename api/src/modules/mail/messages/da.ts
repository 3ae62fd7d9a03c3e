import { plural } from '../mail-locale';
import type { MailMessages } from './en';

const minutes = (n: number) => plural('da', n, { one: '# minut', other: '# minutter' });

/** Dansk. */
export const da: MailMessages = {
  common: {
    hello: 'Hej,',
    linkFallback: 'Hvis knappen ikke virker, kan du kopiere denne adresse ind i din browser:',
    footer: (brand) => `${brand} har sendt dig denne e-mail fra sin privatlivsportal, som drives med Candor.`,
  },
  signIn: {
    subject: (brand) => `Dit login-link til ${brand}`,
    body: (brand, n) => `Brug dette link inden for ${minutes(n)} for at se og ændre det, ${brand} ved om dig. Det virker én gang.`,
    action: 'Log ind',
    ignore: 'Hvis du ikke har bedt om det, kan du se bort fra denne e-mail: der sker intet uden linket.',
  },
  staffSignIn: {
    subject: (brand) => `Dit login-link til privatlivskonsollen hos ${brand}`,
    body: (brand, n) => `Brug dette link inden for ${minutes(n)} for at logge ind i privatlivskonsollen hos ${brand}. Det virker én gang.`,
    action: 'Åbn konsollen',
    ignore: 'Hvis du ikke har bedt om det, kan du se bort fra denne e-mail: der sker intet uden linket.',
  },
  erasureReceipt: {
    subject: (brand) => `${brand} har slettet dine data`,
    intro: (brand, date) => `Som du bad om, slettede ${brand} de personoplysninger, vi havde om dig, den ${date}:`,
    erased: [
      'det, du har fortalt os (din profil), dine svar og dine kontaktindstillinger',
      'din e-mailadresse, dit telefonnummer og dit kundenummer',
      'dine login-links og sessioner samt oversigten over, hvem der har læst dine data',
      'din personlige datanøgle, så beviserne i samtykkeprotokollen ikke længere kan læses af nogen',
    ],
    receipt: (brand) => `Din kvittering viser sletningsbeviset, og hvilke af de andre systemer hos ${brand} der har bekræftet sletningen:`,
    action: 'Åbn kvitteringen',
    keep: 'Kvitteringen indeholder intet, der identificerer dig, så den forbliver tilgængelig efter sletningen. Gem denne e-mail: linket er den eneste måde at åbne kvitteringen på, og dette er den sidste e-mail, du får fra os på denne adresse.',
  },
};

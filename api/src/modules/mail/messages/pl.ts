import { plural } from '../mail-locale';
import type { MailMessages } from './en';

/** "w ciągu 1 minuty", "w ciągu 2 minut", "w ciągu 15 minut" (genitive after "w ciągu"; fractions take "minuty"). */
const minutes = (n: number) => plural('pl', n, { one: '# minuty', few: '# minut', many: '# minut', other: '# minuty' });

/**
 * Polski. A brand's name has no grammatical gender of its own, so the copy says "marka …" (she)
 * wherever a verb must agree with it, and addresses the reader without gendered past forms.
 */
export const pl: MailMessages = {
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
};

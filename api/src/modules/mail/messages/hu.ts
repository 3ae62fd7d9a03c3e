import { Az, az, plural } from '../mail-locale';
import type { MailMessages } from './en';

/** "15 percen belül": Hungarian keeps the noun singular after a number, but the choice still goes through the plural rules. */
const minutes = (n: number) => plural('hu', n, { one: '# percen', other: '# percen' });

/** Magyar: every article before a brand's name comes from `az()`, never "a(z)". */
export const hu: MailMessages = {
  common: {
    hello: 'Üdvözlünk!',
    linkFallback: 'Ha a gomb nem működik, másold be ezt a címet a böngésződbe:',
    footer: (brand) => `Ezt az e-mailt ${az(brand)} ${brand} küldte az adatvédelmi portáljáról, amely a Candorral működik.`,
  },
  signIn: {
    subject: (brand) => `${brand}: a belépési linked`,
    body: (brand, n) => `Ezzel a linkkel ${minutes(n)} belül megnézheted és módosíthatod, amit ${az(brand)} ${brand} tud rólad. A link egyszer használható.`,
    action: 'Belépés',
    ignore: 'Ha nem te kérted, hagyd figyelmen kívül ezt az e-mailt: a link nélkül semmi sem történik.',
  },
  staffSignIn: {
    subject: (brand) => `${brand}: belépési link az adatvédelmi konzolhoz`,
    body: (brand, n) => `Ezzel a linkkel ${minutes(n)} belül beléphetsz ${az(brand)} ${brand} adatvédelmi konzoljába. A link egyszer használható.`,
    action: 'A konzol megnyitása',
    ignore: 'Ha nem te kérted, hagyd figyelmen kívül ezt az e-mailt: a link nélkül semmi sem történik.',
  },
  erasureReceipt: {
    subject: (brand) => `${Az(brand)} ${brand} törölte az adataidat`,
    intro: (brand, date) => `Kérésednek megfelelően ${az(brand)} ${brand} ${date} napján törölte a rólad tárolt személyes adatokat:`,
    erased: [
      'amit magadról elmondtál (a profilodat), a válaszaidat és a kapcsolattartási beállításaidat',
      'az e-mail-címedet, a telefonszámodat és az ügyfélszámodat',
      'a bejelentkezési linkjeidet és munkameneteidet, valamint annak nyilvántartását, hogy ki olvasta az adataidat',
      'a személyes adatkulcsodat, így a hozzájárulási naplóban őrzött bizonyítékokat többé senki sem tudja elolvasni',
    ],
    receipt: (brand) => `Az igazolásod megmutatja a törlési tanúsítványt, és azt, hogy ${az(brand)} ${brand} mely további rendszerei erősítették meg a törlést:`,
    action: 'Az igazolás megnyitása',
    keep: 'Az igazolás semmi olyat nem tartalmaz, ami azonosítana téged, ezért a törlés után is elérhető marad. Őrizd meg ezt az e-mailt: a link az egyetlen módja az igazolás megnyitásának, és ez az utolsó e-mail, amelyet erre a címre tőlünk kapsz.',
  },
};

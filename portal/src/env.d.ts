/// <reference types="astro/client" />

/** What src/middleware.ts works out for every request; pages and endpoints read it from `locals`. */
declare namespace App {
  interface Locals {
    /** The language the page is in (also `<html lang>`). */
    locale: import('./lib/i18n').Locale;
    /** Every string of the page, in `locale`. */
    t: import('./lib/i18n').Messages;
    /** The brand named by the first path segment, or null outside brand pages. */
    brand: import('./lib/brands').PublicBrand | null;
    /** The customer's API session token (cst_…) from the HttpOnly cookie, or null when signed out. */
    session: string | null;
    /** The staff session token (sss_…) on console pages (`/{brand}/admin/…`), else null. */
    staff: string | null;
    /** The CSRF token every form must carry (see lib/security.ts). */
    csrf: string;
    /** The browser sent Global Privacy Control (`Sec-GPC: 1`). */
    gpc: boolean;
  }
}

import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';

/** The languages Candor ships its own texts in. Brands may publish notices in others too. */
export const SUPPORTED_LOCALES = ['en', 'nb', 'da', 'pl', 'hu'] as const;
export const LOCALE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** `{ "en": "text", "nb": "tekst" }`: at least one locale, each text non-empty. */
export function IsLocaleTextMap(options: { maxLength?: number } = {}, validationOptions?: ValidationOptions) {
  const maxLength = options.maxLength ?? 20_000;
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isLocaleTextMap',
      target: object.constructor,
      propertyName,
      // Read by the OpenAPI document (openapi-constraints.ts) to state the limit.
      constraints: [maxLength],
      options: {
        message: `must map locales (like "en" or "nb") to non-empty texts of at most ${maxLength} characters`,
        ...validationOptions,
      },
      validator: {
        validate(value: unknown) {
          if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value as Record<string, unknown>);
          return (
            entries.length > 0 &&
            entries.length <= 50 &&
            entries.every(([k, v]) => LOCALE_PATTERN.test(k) && typeof v === 'string' && v.trim().length > 0 && v.length <= maxLength)
          );
        },
      },
    });
}

/** A text for every language (a string) or one per language (`{ "en": "…", "nb": "…" }`, as `IsLocaleTextMap`). */
export function IsTextOrLocaleTextMap(options: { maxLength: number }, validationOptions?: ValidationOptions) {
  const { maxLength } = options;
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isTextOrLocaleTextMap',
      target: object.constructor,
      propertyName,
      options: {
        message: `must be a non-empty text of at most ${maxLength} characters, or map locales (like "en" or "nb") to such texts`,
        ...validationOptions,
      },
      validator: {
        validate(value: unknown) {
          if (typeof value === 'string') return value.trim().length > 0 && value.length <= maxLength;
          if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value as Record<string, unknown>);
          return (
            entries.length > 0 &&
            entries.length <= 50 &&
            entries.every(([k, v]) => LOCALE_PATTERN.test(k) && typeof v === 'string' && v.trim().length > 0 && v.length <= maxLength)
          );
        },
      },
    });
}

/** True for an IANA time zone name that this runtime knows, such as `Europe/Oslo`. */
export function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name that this runtime knows, such as `Europe/Oslo`. */
export function IsTimeZone(validationOptions?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isTimeZone',
      target: object.constructor,
      propertyName,
      options: { message: 'must be an IANA time zone such as "Europe/Oslo"', ...validationOptions },
      validator: {
        validate: isTimeZone,
      },
    });
}

/** Picks the text for `locale` from a locale map, falling back to its language, then to `fallback`, then any. */
export function pickLocale(texts: Record<string, string>, locale: string | null | undefined, fallback = 'en'): string {
  if (locale && texts[locale]) return texts[locale];
  const language = locale?.split('-')[0];
  if (language && texts[language]) return texts[language];
  return texts[fallback] ?? Object.values(texts)[0] ?? '';
}

/**
 * Turns a date-time string into a Date for `@IsDate()`. Only strings: `@Type(() => Date)` also
 * turned numbers and booleans into dates (`true` became 1970-01-01T00:00:00.001Z), so a value of
 * the wrong type was silently accepted; now it fails validation like any other.
 */
export const ToDate = () => Transform(({ value }) => (typeof value === 'string' ? new Date(value) : value));

/**
 * The field may be left out. Unlike class-validator's `@IsOptional()`, `null` is not "left out":
 * it is checked like any other value and refused (422) unless the field's own rules allow it, so
 * the OpenAPI document's "optional, not nullable" is exactly what the server accepts. Use
 * `@IsOptional()` only for fields whose documented schema is nullable.
 */
export const IsOmittable = (validationOptions?: ValidationOptions) => ValidateIf((_object, value) => value !== undefined, validationOptions);

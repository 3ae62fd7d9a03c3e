/**
 * What a fact's value may be, and how a typed value is stored. A fact holds text (`"sleep_better"`),
 * a number (`sessions_per_week: 5`), a yes/no (`true`) or a list of texts (a multi-choice answer).
 * Its value is sealed as text (fact-sealing.ts): text as it is, anything else as its JSON, with the
 * kind beside it (`facts.value_kind`, NULL for text), so a number stays a number when read back and
 * the text `"5"` never becomes the number 5. Equality (audience filters, import de-duplication)
 * compares that stored text: the number 5 matches the filter value `"5"`.
 */
export type FactValue = string | number | boolean | string[];
export type ValueKind = 'text' | 'number' | 'boolean' | 'list';

/** Types a brand may declare for a fact key in its dictionary. */
export const FACT_TYPES = ['text', 'number', 'boolean', 'choice', 'choices'] as const;
export type FactType = (typeof FACT_TYPES)[number];

export const MAX_TEXT_VALUE = 500;
export const MAX_LIST_VALUES = 50;

const isText = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= MAX_TEXT_VALUE;

/** Whether `value` has a shape a fact may hold (whatever its key's declared type). */
export function isFactValue(value: unknown): value is FactValue {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'boolean' || isText(value)) return true;
  return (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= MAX_LIST_VALUES &&
    value.every(isText) &&
    new Set(value).size === value.length
  );
}

export const FACT_VALUE_SHAPE =
  `must be a text of 1–${MAX_TEXT_VALUE} characters, a number, true or false, or a list of 1–${MAX_LIST_VALUES} different texts`;

export function kindOf(value: FactValue): ValueKind {
  return Array.isArray(value) ? 'list' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text';
}

/** The text a value is sealed and hashed as, and the kind stored beside it (null: text). */
export function encodeFactValue(value: FactValue): { text: string; kind: Exclude<ValueKind, 'text'> | null } {
  const kind = kindOf(value);
  return kind === 'text' ? { text: value as string, kind: null } : { text: JSON.stringify(value), kind };
}

/** The value back from its stored text and kind. Text (kind NULL) is returned as it is. */
export function decodeFactValue(text: string, kind: string | null | undefined): FactValue {
  if (!kind || kind === 'text') return text;
  const parsed: unknown = JSON.parse(text);
  return parsed as FactValue;
}

/** A fact key's declaration, as far as checking a value goes. */
export interface ValueRule {
  type: FactType | null;
  values: ReadonlyArray<{ value: string }>;
}

/**
 * Why `value` does not fit its key's declared type, or null when it does. A key without a type
 * takes any fact value. `choices` takes a list or one of its values (a multi-choice question records
 * one fact per answer); `choice` and `choices` values must be among the declared ones.
 */
export function valueProblem(rule: ValueRule | null | undefined, value: FactValue): string | null {
  if (!rule?.type) return null;
  const allowed = new Set(rule.values.map((v) => v.value));
  const among = (v: string) => allowed.has(v);
  switch (rule.type) {
    case 'text':
      return typeof value === 'string' ? null : 'must be text for this fact key';
    case 'number':
      return typeof value === 'number' ? null : 'must be a number for this fact key';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false for this fact key';
    case 'choice':
      if (typeof value !== 'string') return 'must be one of the values declared for this fact key';
      return among(value) ? null : 'is not one of the values declared for this fact key (GET /v1/fact-keys/{key} lists them)';
    case 'choices': {
      const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
      if (!list) return 'must be a list of the values declared for this fact key';
      return list.every(among) ? null : 'holds a value not declared for this fact key (GET /v1/fact-keys/{key} lists them)';
    }
  }
}

/**
 * A correction typed into a form arrives as text: read it as the key's declared type (a number
 * key's "6" is the number 6). Without a type, or when the text does not read as the type, the
 * text is returned as it is, and `valueProblem` then says what is wrong.
 */
export function readTextAs(rule: ValueRule | null | undefined, value: FactValue): FactValue {
  if (typeof value !== 'string' || !rule?.type) return value;
  const text = value.trim();
  if (rule.type === 'number' && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (rule.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return value;
}

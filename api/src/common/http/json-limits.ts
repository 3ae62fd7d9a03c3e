/**
 * Limits on the shape of JSON bodies, enforced while the body is parsed.
 *
 * No request of this API nests deeper than a dozen levels; a body nested thousands deep exists
 * only to exhaust the stack of whatever walks it next (class-transformer, validators), which
 * would answer 500. The parser's reviver sees every value bottom-up, so each container's depth
 * is one more than its deepest child's; past the limit the parse fails, which the problem
 * filter answers as 400 `malformed-json`.
 */
export const MAX_JSON_DEPTH = 64;

const depths = new WeakMap<object, number>();

export function depthLimitedReviver(this: unknown, _key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  let deepest = 0;
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepest = Math.max(deepest, depths.get(child) ?? 1);
  }
  const depth = deepest + 1;
  if (depth > MAX_JSON_DEPTH) throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  depths.set(value, depth);
  return value;
}

/** Keys that name JavaScript internals, never a field of this API; found anywhere in a body or query → their path. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function findReservedKey(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [current, path] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    for (const key of Object.keys(current)) {
      const here = path ? `${path}.${key}` : key;
      if (RESERVED_KEYS.has(key)) return here;
      stack.push([(current as Record<string, unknown>)[key], here]);
    }
  }
  return null;
}

/**
 * A string the API cannot store as the text it was sent → its path. PostgreSQL text cannot hold
 * U+0000 (a 500 in the database), and a lone UTF-16 surrogate (`"\ud800"`) is no character at all:
 * it would be stored as U+FFFD, so two different ids (`"\ud800"`, `"\udfff"`) would become one.
 */
export function findNulCharacter(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (!storable(current)) return path || '(value)';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    for (const key of Object.keys(current)) {
      const here = path ? `${path}.${key}` : key;
      if (!storable(key)) return here;
      stack.push([(current as Record<string, unknown>)[key], here]);
    }
  }
  return null;
}

/**
 * For a line of an NDJSON upload, parsed from `text`: the path of a string holding U+0000, or null.
 * Looks only when the text could hold one (an escape or the character itself), so clean lines cost
 * one substring search.
 */
export function nulInLine(text: string, value: unknown): string | null {
  // A NUL or a lone surrogate arrives only as an escape (UTF-8 decoding replaces broken bytes) or, for NUL, as itself.
  if (!text.includes('\\u') && !text.includes('\u0000')) return null;
  return findNulCharacter(value);
}

/** Text PostgreSQL stores exactly as sent: no U+0000, no unpaired surrogate. */
function storable(text: string): boolean {
  return !text.includes('\u0000') && (text as string & { isWellFormed(): boolean }).isWellFormed();
}

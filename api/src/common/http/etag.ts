/**
 * `If-Match` evaluation (RFC 9110 §13.1.1): `*` matches any current representation; otherwise the
 * header is a list of entity tags, and one must equal `current` by the *strong* comparison — both
 * strong (no `W/` prefix) and the same opaque tag. A weak tag never matches, and neither does
 * anything that is not an entity tag: such a precondition is false (412), never ignored.
 */
export function ifMatchSatisfied(header: string, current: string): boolean {
  const value = header.trim();
  if (value === '*') return true;
  return value.split(',').some((tag) => {
    const t = tag.trim();
    return !t.startsWith('W/') && /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(t) && t === current;
  });
}

/**
 * Whether an `If-Match` header names the version the client read: at least one entity tag, not `*`
 * ("any version") and not empty. Routes that guard against lost updates need the tag itself — `*`
 * would let a write based on nothing overwrite someone else's change — and answer 428 otherwise.
 */
export function ifMatchNamesVersion(header: string | undefined): header is string {
  if (header === undefined) return false;
  const tags = header.split(',').map((t) => t.trim()).filter(Boolean);
  return tags.length > 0 && !tags.includes('*');
}

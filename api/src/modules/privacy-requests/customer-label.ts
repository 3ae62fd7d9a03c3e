/**
 * How the staff console names the customer a privacy request is about: their email address (or,
 * without one, the brand's external id) for staff whose role may read customers, a masked form for
 * the others. Masking keeps the first character and, for an address, the domain:
 * `ingrid@example.com` → `i•••@example.com`, `ch-member-1001` → `c•••1`.
 */
export function maskIdentifier(value: string): string {
  const chars = [...value];
  const at = value.lastIndexOf('@');
  if (at > 0) return `${chars[0]}•••${value.slice(at)}`;
  if (chars.length <= 2) return '•••';
  return `${chars[0]}•••${chars[chars.length - 1]}`;
}

export interface CustomerLabel {
  /** What staff see: the address or external id, masked unless their role may read customers; null once erased. */
  label: string | null;
  /** Which identifier the label shows. */
  field: 'email' | 'externalId' | null;
  masked: boolean;
  erased: boolean;
}

export function customerLabel(identity: { email: string | null; externalId: string } | null, mayRead: boolean): CustomerLabel {
  if (!identity) return { label: null, field: null, masked: false, erased: true };
  const field = identity.email ? 'email' : 'externalId';
  const value = identity.email ?? identity.externalId;
  return { label: mayRead ? value : maskIdentifier(value), field, masked: !mayRead, erased: false };
}

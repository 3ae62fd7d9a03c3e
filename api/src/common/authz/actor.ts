/** The scopes a brand's API key can carry (see the API contract). */
export const SCOPES = [
  'subjects:write',
  'subjects:read',
  'consents:write',
  'consents:read',
  'profiles:read',
  'audiences:read',
  'recommendations:read',
  'catalog:write',
  'webhooks:manage',
  'config:write',
  'compliance',
] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling. Resolved once per request from its credential. */
export type Actor =
  | { kind: 'operator' }
  | { kind: 'apiKey'; brandId: string; keyId: string; name: string; scopes: readonly Scope[]; purposes: readonly string[] | null }
  | { kind: 'customer'; brandId: string; subjectId: string; sessionId: string }
  | { kind: 'staff'; brandId: string; staffId: string; role: StaffRole; name: string; sessionId: string }
  | { kind: 'system'; brandId: string; name: string };

export type BrandActor = Extract<Actor, { brandId: string }>;
export type CustomerActor = Extract<Actor, { kind: 'customer' }>;
export type StaffActor = Extract<Actor, { kind: 'staff' }>;

export const STAFF_ROLES = ['admin', 'compliance', 'viewer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** How an actor is written into the ledger and the audit log: never a secret, never PII. */
export function actorRef(actor: Actor): string {
  switch (actor.kind) {
    case 'operator':
      return 'operator';
    case 'apiKey':
      return `api-key:${actor.keyId}`;
    case 'customer':
      return `subject:${actor.subjectId}`;
    case 'staff':
      return `staff:${actor.staffId}`;
    case 'system':
      return `system:${actor.name}`;
  }
}

import { AbilityBuilder, createMongoAbility, ForcedSubject, MongoAbility } from '@casl/ability';
import { DomainError } from '../errors/domain-error';
import type { Actor, Scope, StaffRole } from './actor';
import { plural } from '../i18n/plural';

export type Action = 'create' | 'read' | 'update' | 'delete' | 'verify';
export const RESOURCES = [
  'Brand', 'ApiKey', 'Purpose', 'Notice', 'Subject', 'ConsentEvent', 'Ledger', 'AuditLog', 'Fact',
  'Question', 'PortalLink', 'Profile', 'Decision', 'Contact', 'Suppression', 'Audience', 'Me',
  'Webhook', 'PrivacyRequest', 'Export', 'ConsentRecord', 'ProcessingRecord', 'Import',
  'CatalogItem', 'Recommendation', 'Staff', 'ConsentStats', 'StaffSession', 'ImportJob', 'ErasureJob', 'Dictionary',
  'UnsubscribeLink', 'Preferences',
] as const;
export type Resource = (typeof RESOURCES)[number];

/** A fact as the abilities see it: whose it is and which data category it belongs to. */
export interface FactSubject {
  subjectId: string;
  category: string;
}

export type AppAbility = MongoAbility<[Action, Resource | ForcedSubject<'Fact'> & FactSubject]>;

/** What each scope of a brand key allows. The one place where scopes turn into permissions. */
const SCOPE_RULES: Record<Scope, Array<[Action | Action[], Resource]>> = {
  'subjects:write': [
    [['create', 'update'], 'Subject'],
    ['create', 'Fact'],
    ['create', 'PortalLink'],
    // What the person tells the call centre or the checkout: recorded with who and how, shown to them.
    ['update', 'Preferences'],
  ],
  'subjects:read': [
    ['read', 'Subject'],
    ['read', 'Question'],
    ['read', 'Preferences'],
  ],
  'consents:write': [
    ['create', 'ConsentEvent'],
    ['create', 'Contact'],
    // "Not now" windows: set one, and end it early (the cart was bought).
    [['create', 'delete'], 'Suppression'],
    // Revoking one-click unsubscribe links (a leaked email): the next decision issues new ones.
    ['delete', 'UnsubscribeLink'],
  ],
  'consents:read': [
    ['read', 'ConsentEvent'],
    ['read', 'Decision'],
    ['read', 'Suppression'],
    ['read', 'ConsentRecord'],
  ],
  'profiles:read': [['read', 'Profile']],
  'audiences:read': [['read', 'Audience']],
  'recommendations:read': [['read', 'Recommendation']],
  'catalog:write': [[['update', 'read'], 'CatalogItem']],
  'webhooks:manage': [[['create', 'read', 'delete'], 'Webhook']],
  'config:write': [
    [['create', 'read', 'delete'], 'ApiKey'],
    [['create', 'read', 'delete'], 'Staff'],
    ['create', 'Purpose'],
    ['create', 'Notice'],
    [['create', 'read', 'update'], 'Question'],
    ['create', 'Dictionary'],
  ],
  compliance: [
    ['verify', 'Ledger'],
    ['read', 'AuditLog'],
    ['read', 'ConsentEvent'],
    [['create', 'read', 'update'], 'PrivacyRequest'],
    // Bulk erasure (POST /v1/erasure-jobs) is many erasure requests at once.
    [['create', 'read'], 'ErasureJob'],
    ['read', 'Export'],
    ['read', 'ConsentRecord'],
    ['read', 'ProcessingRecord'],
    ['read', 'ConsentStats'],
  ],
};

/** What each staff role may do in the brand's console: viewers watch, compliance acts, admins also manage staff. */
const STAFF_RULES: Record<StaffRole, Array<[Action | Action[], Resource]>> = {
  viewer: [
    ['read', 'PrivacyRequest'],
    ['verify', 'Ledger'],
    ['read', 'AuditLog'],
    ['read', 'ProcessingRecord'],
    ['read', 'ConsentStats'],
  ],
  compliance: [
    [['create', 'read', 'update'], 'PrivacyRequest'],
    [['create', 'read'], 'ErasureJob'],
    ['verify', 'Ledger'],
    ['read', 'AuditLog'],
    ['read', 'ProcessingRecord'],
    ['read', 'ConsentStats'],
    ['read', 'Export'],
    ['read', 'ConsentRecord'],
    ['read', 'Subject'],
  ],
  admin: [],
};
STAFF_RULES.admin = [...STAFF_RULES.compliance, [['create', 'read', 'delete'], 'Staff']];

/** Builds the CASL ability of an actor. */
export function abilityFor(actor: Actor): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  switch (actor.kind) {
    case 'operator':
      // The platform operator may only create brands; it never reads a brand's customers.
      can('create', 'Brand');
      break;
    case 'apiKey':
      // Every brand credential may read its own brand's configuration (its dictionary included).
      can('read', ['Brand', 'Purpose', 'Notice', 'Dictionary']);
      for (const scope of actor.scopes) {
        for (const [action, resource] of SCOPE_RULES[scope]) can(action, resource);
      }
      // Importing an export writes a subject and its consent history: it takes both scopes.
      if (actor.scopes.includes('subjects:write') && actor.scopes.includes('consents:write')) can('create', 'Import');
      // A bulk import (POST /v1/imports) writes subjects and consents alike: it takes both scopes too.
      if (actor.scopes.includes('subjects:write') && actor.scopes.includes('consents:write')) can(['create', 'read'], 'ImportJob');
      break;
    case 'staff':
      can('read', ['Brand', 'Purpose', 'Notice', 'Dictionary']);
      can(['read', 'delete'], 'StaffSession');
      for (const [action, resource] of STAFF_RULES[actor.role]) can(action, resource);
      break;
    case 'customer':
      // A signed-in customer acts on their own data only: every /v1/me route, and facts that are theirs.
      can(['create', 'read', 'update', 'delete'], 'Me');
      can(['read', 'update', 'delete'], 'Fact', { subjectId: actor.subjectId });
      can('read', ['Purpose', 'Notice', 'Question']);
      break;
    case 'system':
      can(['create', 'read', 'update', 'delete', 'verify'], [...RESOURCES]);
      break;
  }
  return build();
}

/** The scopes that would grant `action` on `resource`: named in 403 problems so callers can fix them. */
export function scopesGranting(action: Action, resource: Resource): Scope[] {
  return (Object.keys(SCOPE_RULES) as Scope[]).filter((scope) =>
    SCOPE_RULES[scope].some(([a, r]) => r === resource && (Array.isArray(a) ? a.includes(action) : a === action)),
  );
}

/**
 * What a brand may see of a profile when it reads for one purpose: facts whose data category the
 * purpose covers, and channel preferences when the purpose communicates on channels or covers the
 * `preferences` category. Consent itself is checked before this ability is used.
 */
export function profileAbilityFor(purpose: { dataCategories: readonly string[]; channels: readonly string[] }): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  can('read', 'Fact', { category: { $in: [...purpose.dataCategories] } });
  if (purpose.channels.length || purpose.dataCategories.includes('preferences')) can('read', 'Profile', ['preferences']);
  return build();
}

// ---- Grants: what a credential may hand out -------------------------------------------------

/** One permission, as `action:Resource`. */
export type Permission = `${Action}:${Resource}`;
const ACTIONS: readonly Action[] = ['create', 'read', 'update', 'delete', 'verify'];
/** Resources that only ever mean the holder's own session or own data: never power over others. */
const SELF_RESOURCES: ReadonlySet<Resource> = new Set<Resource>(['Me', 'StaffSession']);

/**
 * What a credential holds: the permissions its ability gives over the brand's data, and the
 * purposes it may read personal data for (`null`: every purpose).
 */
export interface Grant {
  permissions: ReadonlySet<Permission>;
  purposes: readonly string[] | null;
}

/** The permissions an actor's CASL ability gives (conditional rules count: they are power too). */
export function permissionsOf(actor: Actor): Set<Permission> {
  const ability = abilityFor(actor);
  const held = new Set<Permission>();
  for (const resource of RESOURCES) {
    if (SELF_RESOURCES.has(resource)) continue;
    for (const action of ACTIONS) if (ability.can(action, resource)) held.add(`${action}:${resource}`);
  }
  return held;
}

const GRANT_BRAND = 'grant-check';

/** What a brand key with these scopes and purposes holds. */
export function keyGrant(scopes: readonly Scope[], purposes: readonly string[] | null): Grant {
  return { permissions: permissionsOf({ kind: 'apiKey', brandId: GRANT_BRAND, keyId: GRANT_BRAND, name: GRANT_BRAND, scopes, purposes }), purposes };
}

/** What a staff member of this role holds. Staff are never limited to purposes (compliance reads everything). */
export function staffGrant(role: StaffRole): Grant {
  return {
    permissions: permissionsOf({ kind: 'staff', brandId: GRANT_BRAND, staffId: GRANT_BRAND, role, name: GRANT_BRAND, sessionId: GRANT_BRAND }),
    purposes: null,
  };
}

/**
 * What a customer session (what a portal link turns into) lets its holder do to that subject, in
 * brand-key terms: read the identifiers, every fact for every purpose, consents and
 * recommendations; change consents, facts and preferences; export and ask for erasure. Whoever
 * mints a portal link holds the session, so it must already hold all this.
 */
export const CUSTOMER_SESSION_SCOPES: readonly Scope[] = [
  'subjects:read', 'subjects:write', 'consents:read', 'consents:write', 'profiles:read', 'recommendations:read', 'compliance',
];
export function customerSessionGrant(): Grant {
  return keyGrant(CUSTOMER_SESSION_SCOPES, null);
}

/** What an actor holds itself. The operator holds only brand creation; no actor holds another brand. */
export function grantOf(actor: Actor): Grant {
  return {
    permissions: permissionsOf(actor),
    purposes: actor.kind === 'apiKey' ? actor.purposes : actor.kind === 'operator' ? [] : null,
  };
}

/** How a requested grant exceeds its creator: permissions, scopes and purposes the creator lacks. */
export interface GrantExcess {
  permissions: Permission[];
  /** The requested scopes (for keys) that carry a permission the creator lacks. */
  scopes: Scope[];
  /** Purposes the creator may not act for; `unlimited` when every purpose was asked for. */
  purposes: string[] | 'unlimited';
}

/**
 * The one rule for every credential or grant of power: the created one may hold nothing its
 * creator does not (permissions and purposes). Returns null when it is within, else what exceeds.
 */
export function grantWithin(creator: Grant, requested: Grant, requestedScopes: readonly Scope[] = []): GrantExcess | null {
  const permissions = [...requested.permissions].filter((p) => !creator.permissions.has(p));
  const purposes: string[] | 'unlimited' =
    creator.purposes === null ? [] : requested.purposes === null ? 'unlimited' : requested.purposes.filter((p) => !creator.purposes!.includes(p));
  if (!permissions.length && Array.isArray(purposes) && !purposes.length) return null;
  const scopes = requestedScopes.filter((s) => SCOPE_RULES[s].some(([a, r]) => (Array.isArray(a) ? a : [a]).some((x) => !creator.permissions.has(`${x}:${r}`))));
  return { permissions, scopes, purposes };
}

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

/** Words for a 403 problem's detail: names what exceeds, never a secret. */
export function describeExcess(excess: GrantExcess, what: string): string {
  const parts: string[] = [];
  if (excess.scopes.length) parts.push(`${plural('en', excess.scopes.length, { one: 'the scope', other: 'the scopes' })} ${quoted(excess.scopes)}`);
  else if (excess.permissions.length) {
    // Name the scopes that carry what is missing, so a key's owner knows what to ask for.
    const needed = [...new Set(excess.permissions.flatMap((p) => scopesGranting(...(p.split(':') as [Action, Resource]))))];
    parts.push(`what ${plural('en', needed.length, { one: `the scope ${quoted(needed)} allows`, other: `the scopes ${quoted(needed)} allow` })} (${excess.permissions.join(', ')})`);
  }
  if (excess.purposes === 'unlimited') parts.push('every purpose (your credential is limited to some purposes: name them in "purposes")');
  else if (excess.purposes.length) parts.push(`${plural('en', excess.purposes.length, { one: 'the purpose', other: 'the purposes' })} ${quoted(excess.purposes)}`);
  return `${what} would hold more than your credential does: ${parts.join(' and ')}.`;
}

/** Throws 403 `grant-exceeds-caller` unless `requested` is within what `actor` holds itself. */
export function assertGrantWithin(actor: Actor, requested: Grant, what: string, requestedScopes: readonly Scope[] = []): void {
  const excess = grantWithin(grantOf(actor), requested, requestedScopes);
  if (excess) throw new DomainError('grant-exceeds-caller', describeExcess(excess, what), { exceeding: excess });
}

// ---- Who may call a route: for the OpenAPI document ------------------------------------------

/** Every credential that the ability for `action` on `resource` lets through. */
export interface RouteAccess {
  /** Sets of brand-key scopes, each enough on its own (a set of several: all of them at once); `[[]]`: any brand key. */
  scopes: Scope[][];
  staffRoles: StaffRole[];
  customer: boolean;
  operator: boolean;
}

/**
 * Works out from the abilities above — not from a second list — which credentials may take
 * `action` on `resource`: the smallest sets of scopes (up to three at once) that allow it, the
 * staff roles, and whether customer sessions and the operator may. The OpenAPI document states it
 * on every operation, so the document cannot drift from what the guard enforces.
 */
export function routeAccess(action: Action, resource: Resource): RouteAccess {
  const allowed = (actor: Actor) => abilityFor(actor).can(action, resource);
  const key = (scopes: readonly Scope[]): Actor => ({ kind: 'apiKey', brandId: GRANT_BRAND, keyId: GRANT_BRAND, name: GRANT_BRAND, scopes, purposes: null });
  const all = Object.keys(SCOPE_RULES) as Scope[];
  const scopes: Scope[][] = [];
  if (allowed(key([]))) scopes.push([]);
  else {
    const combos = (size: number, from: number): Scope[][] =>
      size === 0 ? [[]] : all.slice(from).flatMap((s, i) => combos(size - 1, from + i + 1).map((rest) => [s, ...rest]));
    for (let size = 1; size <= 3 && !scopes.length; size++) {
      for (const combo of combos(size, 0)) if (allowed(key(combo))) scopes.push(combo);
    }
  }
  return {
    scopes,
    staffRoles: (['viewer', 'compliance', 'admin'] as const).filter((role) =>
      allowed({ kind: 'staff', brandId: GRANT_BRAND, staffId: GRANT_BRAND, role, name: GRANT_BRAND, sessionId: GRANT_BRAND }),
    ),
    customer: allowed({ kind: 'customer', brandId: GRANT_BRAND, subjectId: GRANT_BRAND, sessionId: GRANT_BRAND }),
    operator: allowed({ kind: 'operator' }),
  };
}

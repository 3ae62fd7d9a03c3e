import { AbilityBuilder, createMongoAbility, MongoAbility } from '@casl/ability';
import type { Actor, Scope } from './actor';

export type Action = 'create' | 'read' | 'update' | 'delete' | 'verify';
export type Resource =
  | 'Brand'
  | 'ApiKey'
  | 'Purpose'
  | 'Notice'
  | 'Subject'
  | 'ConsentEvent'
  | 'Ledger'
  | 'AuditLog';

export type AppAbility = MongoAbility<[Action, Resource]>;

/** What each scope of a brand key allows. The one place where scopes turn into permissions. */
const SCOPE_RULES: Record<Scope, Array<[Action | Action[], Resource]>> = {
  'subjects:write': [[['create', 'update'], 'Subject']],
  'subjects:read': [['read', 'Subject']],
  'consents:write': [['create', 'ConsentEvent']],
  'consents:read': [['read', 'ConsentEvent']],
  'profiles:read': [],
  'audiences:read': [],
  'recommendations:read': [],
  'catalog:write': [],
  'webhooks:manage': [],
  'config:write': [
    [['create', 'read', 'delete'], 'ApiKey'],
    ['create', 'Purpose'],
    ['create', 'Notice'],
  ],
  compliance: [
    ['verify', 'Ledger'],
    ['read', 'AuditLog'],
    ['read', 'ConsentEvent'],
  ],
};

/** Builds the CASL ability of an actor. */
export function abilityFor(actor: Actor): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  switch (actor.kind) {
    case 'operator':
      // The platform operator may only create brands; it never reads a brand's customers.
      can('create', 'Brand');
      break;
    case 'apiKey':
      // Every brand credential may read its own brand's configuration.
      can('read', ['Brand', 'Purpose', 'Notice']);
      for (const scope of actor.scopes) {
        for (const [action, resource] of SCOPE_RULES[scope]) can(action, resource);
      }
      break;
    case 'system':
      can(['create', 'read', 'update', 'delete', 'verify'], [
        'Brand', 'ApiKey', 'Purpose', 'Notice', 'Subject', 'ConsentEvent', 'Ledger', 'AuditLog',
      ]);
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

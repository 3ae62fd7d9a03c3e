import { AbilityBuilder, createMongoAbility, ForcedSubject, MongoAbility } from '@casl/ability';
import type { Actor, Scope, StaffRole } from './actor';

export type Action = 'create' | 'read' | 'update' | 'delete' | 'verify';
export const RESOURCES = [
  'Brand', 'ApiKey', 'Purpose', 'Notice', 'Subject', 'ConsentEvent', 'Ledger', 'AuditLog', 'Fact',
  'Question', 'PortalLink', 'Profile', 'Decision', 'Contact', 'Suppression', 'Audience', 'Me',
  'Webhook', 'PrivacyRequest', 'Export', 'ConsentRecord', 'ProcessingRecord', 'Import',
  'CatalogItem', 'Recommendation', 'Staff', 'ConsentStats', 'StaffSession', 'ImportJob', 'ErasureJob',
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
  ],
  'subjects:read': [
    ['read', 'Subject'],
    ['read', 'Question'],
  ],
  'consents:write': [
    ['create', 'ConsentEvent'],
    ['create', 'Contact'],
    ['create', 'Suppression'],
  ],
  'consents:read': [
    ['read', 'ConsentEvent'],
    ['read', 'Decision'],
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
    [['create', 'read'], 'Question'],
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
      // Every brand credential may read its own brand's configuration.
      can('read', ['Brand', 'Purpose', 'Notice']);
      for (const scope of actor.scopes) {
        for (const [action, resource] of SCOPE_RULES[scope]) can(action, resource);
      }
      // Importing an export writes a subject and its consent history: it takes both scopes.
      if (actor.scopes.includes('subjects:write') && actor.scopes.includes('consents:write')) can('create', 'Import');
      // A bulk import (POST /v1/imports) writes subjects and consents alike: it takes both scopes too.
      if (actor.scopes.includes('subjects:write') && actor.scopes.includes('consents:write')) can(['create', 'read'], 'ImportJob');
      break;
    case 'staff':
      can('read', ['Brand', 'Purpose', 'Notice']);
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

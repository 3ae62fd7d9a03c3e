import { describe, expect, it } from 'vitest';
import { abilityFor, routeAccess, scopesGranting } from './abilities';
import { SCOPES } from './actor';

const key = (scopes: (typeof SCOPES)[number][]) => ({ kind: 'apiKey' as const, brandId: 'b', keyId: 'k', name: 'test', scopes, purposes: null });

describe('abilities', () => {
  it('lets the operator create brands and nothing else', () => {
    const ability = abilityFor({ kind: 'operator' });
    expect(ability.can('create', 'Brand')).toBe(true);
    expect(ability.can('read', 'Subject')).toBe(false);
    expect(ability.can('read', 'ConsentEvent')).toBe(false);
    expect(ability.can('create', 'ApiKey')).toBe(false);
  });

  it('gives a brand key exactly what its scopes name', () => {
    const ability = abilityFor(key(['consents:read']));
    expect(ability.can('read', 'ConsentEvent')).toBe(true);
    expect(ability.can('create', 'ConsentEvent')).toBe(false);
    expect(ability.can('create', 'Subject')).toBe(false);
    expect(ability.can('verify', 'Ledger')).toBe(false);
    expect(ability.can('create', 'Brand')).toBe(false);
    expect(ability.can('read', 'Purpose')).toBe(true);
  });

  it('gives a key with every scope everything a brand may do, but never brand creation', () => {
    const ability = abilityFor(key([...SCOPES]));
    for (const [action, resource] of [['create', 'Subject'], ['create', 'ConsentEvent'], ['verify', 'Ledger'], ['create', 'ApiKey']] as const) {
      expect(ability.can(action, resource)).toBe(true);
    }
    expect(ability.can('create', 'Brand')).toBe(false);
  });

  it('names the scopes that would grant a permission', () => {
    expect(scopesGranting('create', 'ConsentEvent')).toEqual(['consents:write']);
    expect(scopesGranting('read', 'ConsentEvent')).toEqual(['consents:read', 'compliance']);
    expect(scopesGranting('create', 'Brand')).toEqual([]);
  });
});

describe('routeAccess (what the OpenAPI document states for each route)', () => {
  it('finds the scopes, staff roles and other credentials the abilities allow', () => {
    expect(routeAccess('create', 'PrivacyRequest')).toEqual({ scopes: [['compliance']], staffRoles: ['compliance', 'admin'], customer: false, operator: false });
    expect(routeAccess('read', 'ConsentEvent').scopes).toEqual([['consents:read'], ['compliance']]);
    expect(routeAccess('read', 'Purpose')).toMatchObject({ scopes: [[]], customer: true });
    expect(routeAccess('create', 'Brand')).toEqual({ scopes: [], staffRoles: [], customer: false, operator: true });
    // Two scopes at once: an import writes subjects and consents.
    expect(routeAccess('create', 'ImportJob').scopes).toEqual([['subjects:write', 'consents:write']]);
  });
});

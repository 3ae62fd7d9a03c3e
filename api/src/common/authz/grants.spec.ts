import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abilityFor, assertGrantWithin, customerSessionGrant, grantOf, grantWithin, keyGrant, RESOURCES, staffGrant } from './abilities';
import { Actor, Scope, SCOPES, STAFF_ROLES } from './actor';

const PURPOSES = ['email_marketing', 'personalization', 'order_updates', 'analytics'];
const key = (scopes: readonly Scope[], purposes: readonly string[] | null): Actor => ({ kind: 'apiKey', brandId: 'b', keyId: 'k', name: 't', scopes, purposes });
const staff = (role: (typeof STAFF_ROLES)[number]): Actor => ({ kind: 'staff', brandId: 'b', staffId: 's', role, name: 'n', sessionId: 'x' });
const ACTIONS = ['create', 'read', 'update', 'delete', 'verify'] as const;

const scopesArb = fc.subarray([...SCOPES]);
const purposesArb = fc.option(fc.subarray(PURPOSES), { nil: null });

/** The reference: everything the requested credential's CASL ability allows, the creator's must allow too. */
function reallyWithin(creator: Actor, created: Actor): boolean {
  const mine = abilityFor(creator);
  const theirs = abilityFor(created);
  for (const r of RESOURCES) {
    if (r === 'Me' || r === 'StaffSession') continue;
    for (const a of ACTIONS) if (theirs.can(a, r) && !mine.can(a, r)) return false;
  }
  const mp = creator.kind === 'apiKey' ? creator.purposes : creator.kind === 'operator' ? [] : null;
  const tp = created.kind === 'apiKey' ? created.purposes : null;
  if (mp === null) return true;
  if (tp === null) return false;
  return tp.every((p) => mp.includes(p));
}

describe('grantWithin: no credential creates more than it holds', () => {
  it('agrees with the abilities for every pair of keys (random scopes and purposes)', () => {
    fc.assert(
      fc.property(scopesArb, purposesArb, scopesArb, purposesArb, (cs, cp, rs, rp) => {
        const excess = grantWithin(grantOf(key(cs, cp)), keyGrant(rs, rp), rs);
        expect(excess === null).toBe(reallyWithin(key(cs, cp), key(rs, rp)));
        if (excess) {
          // Every named scope is really one the creator lacks some permission of.
          for (const s of excess.scopes) expect(cs.includes(s)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('lets every key mint a copy of itself and any subset, never a superset', () => {
    fc.assert(
      fc.property(scopesArb, purposesArb, (cs, cp) => {
        expect(grantWithin(grantOf(key(cs, cp)), keyGrant(cs, cp))).toBeNull();
        for (const s of SCOPES) {
          if (!cs.includes(s)) expect(grantWithin(grantOf(key(cs, cp)), keyGrant([...cs, s], cp), [...cs, s])?.scopes).toContain(s);
        }
        if (cp !== null) expect(grantWithin(grantOf(key(cs, cp)), keyGrant(cs, null))?.purposes).toBe('unlimited');
      }),
      { numRuns: 300 },
    );
  });

  it('compares staff roles against every kind of creator', () => {
    fc.assert(
      fc.property(scopesArb, purposesArb, fc.constantFrom(...STAFF_ROLES), (cs, cp, role) => {
        expect(grantWithin(grantOf(key(cs, cp)), staffGrant(role)) === null).toBe(reallyWithin(key(cs, cp), staff(role)));
      }),
      { numRuns: 1000 },
    );
    for (const creator of STAFF_ROLES) {
      for (const role of STAFF_ROLES) {
        expect(grantWithin(grantOf(staff(creator)), staffGrant(role)) === null, `${creator} → ${role}`).toBe(reallyWithin(staff(creator), staff(role)));
      }
    }
  });

  it('keeps the reported cases out: config:write alone mints neither a wider key nor an admin', () => {
    const configOnly = key(['config:write'], null);
    expect(() => assertGrantWithin(configOnly, keyGrant(['subjects:read'], null), 'The new key', ['subjects:read'])).toThrow(/"subjects:read"/);
    expect(() => assertGrantWithin(configOnly, staffGrant('admin'), 'An admin')).toThrow(/more than your credential/);
    expect(() => assertGrantWithin(key(['config:write', 'subjects:read'], ['email_marketing']), keyGrant(['subjects:read'], null), 'The new key')).toThrow(/every purpose/);
    expect(() => assertGrantWithin(key([...SCOPES], null), staffGrant('admin'), 'An admin')).not.toThrow();
  });

  it('lets only a key holding a whole customer session mint a portal link, and never the operator', () => {
    expect(grantWithin(grantOf(key([...SCOPES], null)), customerSessionGrant())).toBeNull();
    expect(grantWithin(grantOf(key(['subjects:write'], null)), customerSessionGrant())).not.toBeNull();
    expect(grantWithin(grantOf(key([...SCOPES], ['email_marketing'])), customerSessionGrant())?.purposes).toBe('unlimited');
    expect(grantWithin(grantOf({ kind: 'operator' }), customerSessionGrant())).not.toBeNull();
    expect(grantWithin(grantOf({ kind: 'operator' }), keyGrant(['subjects:read'], null))).not.toBeNull();
    expect(grantWithin(grantOf({ kind: 'operator' }), staffGrant('viewer'))).not.toBeNull();
  });
});

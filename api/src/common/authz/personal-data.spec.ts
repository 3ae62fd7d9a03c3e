import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import type { Actor } from './actor';
import { enforcePurpose, PurposeSource } from './personal-data';

const key = (purposes: string[] | null): Actor => ({ kind: 'apiKey', brandId: 'b', keyId: 'k', name: 'n', scopes: [], purposes });
const req = (query: Record<string, unknown> = {}, body: unknown = {}) => ({ query, body }) as unknown as Request;
const refused = (actor: Actor, source: PurposeSource, r: Request) => {
  try {
    enforcePurpose(actor, source, r);
    return false;
  } catch (error) {
    expect((error as { code: string }).code).toBe('purpose-not-allowed');
    return true;
  }
};

describe('enforcePurpose: the route decides the purpose, the key must hold it', () => {
  const limited = key(['email_marketing']);
  it('never limits keys without purposes, staff or customers', () => {
    for (const actor of [key(null), { kind: 'staff', brandId: 'b', staffId: 's', role: 'viewer', name: 'n', sessionId: 'x' } as Actor]) {
      for (const source of [{ kind: 'fixed', purpose: 'personalization' }, { kind: 'every' }] as PurposeSource[]) expect(refused(actor, source, req())).toBe(false);
    }
  });
  it('holds a limited key to fixed, stated (query, body, each item) and every-purpose decisions', () => {
    expect(refused(limited, { kind: 'fixed', purpose: 'personalization' }, req())).toBe(true);
    expect(refused(limited, { kind: 'fixed', purpose: 'email_marketing' }, req())).toBe(false);
    expect(refused(limited, { kind: 'query', name: 'purpose' }, req({ purpose: 'analytics' }))).toBe(true);
    expect(refused(limited, { kind: 'query', name: 'purpose' }, req({ purpose: 'email_marketing' }))).toBe(false);
    expect(refused(limited, { kind: 'body', name: 'purpose' }, req({}, { purpose: 'analytics' }))).toBe(true);
    expect(refused(limited, { kind: 'bodyList', list: 'checks', name: 'purpose' }, req({}, { checks: [{ purpose: 'email_marketing' }, { purpose: 'analytics' }] }))).toBe(true);
    expect(refused(limited, { kind: 'bodyList', list: 'checks', name: 'purpose' }, req({}, { checks: [{ purpose: 'email_marketing' }] }))).toBe(false);
    expect(refused(limited, { kind: 'identifiers' }, req({ purpose: 'analytics' }))).toBe(true);
    expect(refused(limited, { kind: 'identifiers' }, req())).toBe(false);
    expect(refused(limited, { kind: 'every' }, req())).toBe(true);
    expect(refused(key([]), { kind: 'fixed', purpose: 'email_marketing' }, req())).toBe(true);
  });
});

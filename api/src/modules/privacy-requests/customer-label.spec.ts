import { describe, expect, it } from 'vitest';
import { customerLabel, maskIdentifier } from './customer-label';

describe('customer labels in the staff console', () => {
  it('masks an address down to its first character and domain, and an external id to its ends', () => {
    expect(maskIdentifier('ingrid.hansen@example.com')).toBe('i•••@example.com');
    expect(maskIdentifier('ch-member-1001')).toBe('c•••1');
    expect(maskIdentifier('ab')).toBe('•••');
    expect(maskIdentifier('øystein@example.no')).toBe('ø•••@example.no');
  });

  it('shows the address to staff who may read customers, the masked form to others, nothing once erased', () => {
    const who = { email: 'ingrid.hansen@example.com', externalId: 'ch-1001' };
    expect(customerLabel(who, true)).toEqual({ label: 'ingrid.hansen@example.com', field: 'email', masked: false, erased: false });
    expect(customerLabel(who, false)).toEqual({ label: 'i•••@example.com', field: 'email', masked: true, erased: false });
    expect(customerLabel({ email: null, externalId: 'ch-1001' }, false)).toEqual({ label: 'c•••1', field: 'externalId', masked: true, erased: false });
    expect(customerLabel(null, true)).toEqual({ label: null, field: null, masked: false, erased: true });
    // Nothing of the local part survives masking.
    expect(customerLabel(who, false).label).not.toContain('ngrid');
  });
});

import { describe, expect, it } from 'vitest';
import { AudienceDefinitionDto } from '../../modules/audiences/dto/audience.dto';
import { knownPath, UNKNOWN_FIELD } from './validation';

describe('knownPath: a problem names only fields of the schema', () => {
  it('keeps known fields, array indexes and nested DTO fields', () => {
    expect(knownPath('where.0.factKey', AudienceDefinitionDto)).toBe('where.0.factKey');
    expect(knownPath('channel', AudienceDefinitionDto)).toBe('channel');
  });

  it('replaces the first unknown name (and all after it) with (unknown field)', () => {
    expect(knownPath('<script>x</script>', AudienceDefinitionDto)).toBe(UNKNOWN_FIELD);
    expect(knownPath('where.0.sneaky.deeper', AudienceDefinitionDto)).toBe(`where.0.${UNKNOWN_FIELD}`);
    expect(knownPath('0', AudienceDefinitionDto)).toBe(UNKNOWN_FIELD);
  });
});

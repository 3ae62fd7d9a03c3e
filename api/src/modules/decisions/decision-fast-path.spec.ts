import { describe, expect, it } from 'vitest';
import { parseCheck } from './decision-fast-path';
import { scopedDecisionStatement } from './decision-reader';

const id = '6f1c1a52-8d4e-4a53-9a52-1f0e4b8e2c11';

describe('parseCheck', () => {
  it('accepts exactly the three fields when they pass the DTO rules', () => {
    expect(parseCheck(`subjectId=${id}&purpose=email_marketing&channel=email`)).toMatchObject({ subjectId: id, purpose: 'email_marketing', channel: 'email' });
  });

  it('leaves everything else to the validation pipe', () => {
    expect(parseCheck(`subjectId=${id}&purpose=email_marketing`)).toBeNull();
    expect(parseCheck(`subjectId=${id}&purpose=email_marketing&channel=email&extra=1`)).toBeNull();
    expect(parseCheck(`subjectId=${id}&subjectId=${id}&purpose=email_marketing&channel=email`)).toBeNull();
    expect(parseCheck(`subjectId=nope&purpose=email_marketing&channel=email`)).toBeNull();
    expect(parseCheck(`subjectId=${id}&purpose=Email Marketing&channel=email`)).toBeNull();
    expect(parseCheck(`subjectId=${id}&purpose=email_marketing&channel=pigeon`)).toBeNull();
  });
});

describe('scopedDecisionStatement', () => {
  it('quotes every value as a literal, so nothing can end the statement early', () => {
    const sql = scopedDecisionStatement(id, { subjectId: id, purpose: "x'); DROP TABLE subjects; --", channel: 'email' });
    expect(sql).toContain(`'x''); DROP TABLE subjects; --'`);
    // Outside quoted literals there is exactly one statement separator: between the scope and the EXECUTE.
    expect(sql.replace(/'(?:[^']|'')*'/g, "''").split(';').length).toBe(2);
    expect(sql.startsWith(`SELECT set_config('role', 'candor_app', true), set_config('app.brand_id', '${id}', true);EXECUTE candor_decide(`)).toBe(true);
  });
});

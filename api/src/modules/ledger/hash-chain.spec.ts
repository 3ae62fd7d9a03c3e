import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalEventJson, ChainedEvent, ChainVerifier, hashedContent, hashEvent } from './hash-chain';

const brandId = randomUUID();

function chain(length: number): Array<ChainedEvent & { hash: string }> {
  const events: Array<ChainedEvent & { hash: string }> = [];
  let prevHash: string | null = null;
  for (let seq = 1; seq <= length; seq++) {
    const event: ChainedEvent = {
      id: randomUUID(),
      brandId,
      seq,
      subjectId: randomUUID(),
      purpose: seq % 2 ? 'email_marketing' : 'personalization',
      granted: seq % 3 !== 0,
      noticeVersion: 1,
      source: 'api',
      actor: 'api-key:test',
      capturedAt: new Date(Date.UTC(2026, 2, 2, 9, 0, seq)),
      recordedAt: new Date(Date.UTC(2026, 2, 2, 9, 0, seq)),
      expiresAt: null,
      evidenceCt: seq % 2 ? Buffer.from([1, 2, 3, seq]) : null,
      prevHash,
    };
    const hash = hashEvent(event);
    events.push({ ...event, hash });
    prevHash = hash;
  }
  return events;
}

function verify(events: Array<ChainedEvent & { hash: string }>, head = events.at(-1)) {
  const verifier = new ChainVerifier();
  for (const e of events) if (!verifier.push(e)) break;
  return verifier.finish(head ? { lastSeq: head.seq, lastHash: head.hash } : { lastSeq: 0, lastHash: null });
}

describe('consent ledger hash chain', () => {
  it('hashes the same content to the same value regardless of key order', () => {
    const [event] = chain(1);
    const reordered = Object.fromEntries(Object.entries(event).reverse()) as unknown as ChainedEvent;
    expect(hashEvent(reordered)).toBe(event.hash);
  });

  it('verifies an untouched chain', () => {
    expect(verify(chain(50))).toEqual({ ok: true, events: 50 });
    expect(verify([])).toEqual({ ok: true, events: 0 });
  });

  it('names the first event whose content was changed', () => {
    const events = chain(10);
    events[4] = { ...events[4], granted: !events[4].granted };
    expect(verify(events)).toMatchObject({ ok: false, firstBadEventId: events[4].id, fault: 'hash-mismatch' });
  });

  it('catches a change to each covered field, including the encrypted evidence', () => {
    const edits: Array<(e: ChainedEvent) => ChainedEvent> = [
      (e) => ({ ...e, purpose: 'partner_sharing' }),
      (e) => ({ ...e, noticeVersion: 2 }),
      (e) => ({ ...e, source: 'import' }),
      (e) => ({ ...e, actor: 'operator' }),
      (e) => ({ ...e, subjectId: randomUUID() }),
      (e) => ({ ...e, capturedAt: new Date(e.capturedAt.getTime() + 1) }),
      (e) => ({ ...e, recordedAt: new Date(e.recordedAt.getTime() - 1) }),
      (e) => ({ ...e, expiresAt: new Date() }),
      (e) => ({ ...e, evidenceCt: Buffer.from([9]) }),
    ];
    for (const edit of edits) {
      const events = chain(3);
      events[0] = { ...(edit(events[0]) as ChainedEvent), hash: events[0].hash };
      expect(verify(events).ok).toBe(false);
    }
  });

  it('catches a deleted event in the middle, a reordering and a truncated tail', () => {
    const events = chain(6);
    expect(verify([...events.slice(0, 2), ...events.slice(3)], events[5])).toMatchObject({ ok: false, fault: 'sequence-gap', firstBadEventId: events[3].id });
    const swapped = [events[0], events[2], events[1], ...events.slice(3)];
    expect(verify(swapped, events[5]).ok).toBe(false);
    expect(verify(events.slice(0, 4), events[5])).toMatchObject({ ok: false, fault: 'chain-truncated' });
  });

  it('covers a merge event\'s citation (version 2), and leaves every other event\'s content as version 1', () => {
    const [plain] = chain(1);
    expect(hashedContent(plain)).toMatchObject({ v: 1 });
    expect('cites' in hashedContent({ ...plain, cites: null })).toBe(false);
    expect(hashEvent({ ...plain, cites: null })).toBe(plain.hash);
    const cited = { ...plain, cites: 'a'.repeat(64) };
    expect(hashedContent(cited)).toMatchObject({ v: 2, cites: 'a'.repeat(64) });
    const hash = hashEvent(cited);
    expect(hash).not.toBe(plain.hash);
    expect(hashEvent({ ...cited, cites: 'b'.repeat(64) })).not.toBe(hash);
    expect(verify([{ ...cited, hash }])).toEqual({ ok: true, events: 1 });
    expect(verify([{ ...cited, cites: 'b'.repeat(64), hash }]).ok).toBe(false);
  });

  it('catches a rewritten event whose hash was recomputed, at the next link', () => {
    const events = chain(4);
    const forged = { ...events[1], granted: !events[1].granted };
    events[1] = { ...forged, hash: hashEvent(forged) };
    expect(verify(events)).toMatchObject({ ok: false, firstBadEventId: events[2].id, fault: 'broken-link' });
  });
});

describe('canonical JSON of an event', () => {
  it('is exactly what the general RFC 8785 canonicalisation gives, for any event', () => {
    const date = fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true });
    const event = fc.record({
      id: fc.uuid(),
      brandId: fc.uuid(),
      seq: fc.oneof(fc.nat(), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
      subjectId: fc.uuid(),
      purpose: fc.string({ unit: 'grapheme' }),
      granted: fc.boolean(),
      noticeVersion: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
      source: fc.string({ unit: 'binary' }),
      actor: fc.string(),
      capturedAt: date,
      recordedAt: date,
      expiresAt: fc.option(date),
      evidenceCt: fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a))),
      prevHash: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })),
    });
    fc.assert(
      fc.property(event, (e) => {
        const content = hashedContent(e);
        expect(canonicalEventJson(content)).toBe(canonicalize(content));
      }),
      { numRuns: 2000 },
    );
  }, 60_000); // thousands of generated events: seconds on a busy machine

  it('falls back to the general canonicalisation for content it does not know', () => {
    const content = { ...hashedContent(chain(1)[0]), extra: { b: 1, a: [2, 'x'] } } as unknown as ReturnType<typeof hashedContent>;
    expect(canonicalEventJson(content)).toBe(canonicalize(content));
    const missing = { ...hashedContent(chain(1)[0]) } as Partial<ReturnType<typeof hashedContent>>;
    delete missing.source;
    expect(canonicalEventJson({ ...missing, other: 'x' } as unknown as ReturnType<typeof hashedContent>)).toBe(canonicalize({ ...missing, other: 'x' }));
  });
});

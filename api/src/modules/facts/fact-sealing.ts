import type { CryptoService } from '../../common/crypto/crypto.service';

/**
 * How a fact's personal parts are stored (issue 12 item 7): the value and the source are sealed
 * under the subject's data key (AES-256-GCM, bound to the fact's row and field), so erasure, which
 * destroys that key, leaves only ciphertext in old row versions, WAL and backups. Equality on the
 * value (audience filters, import de-duplication) goes through a keyed hash, per brand and fact
 * key, from the same lookup-hash key as emails: no SQL ever sees a value in plaintext.
 */
export interface SealedFact {
  valueCt: Buffer;
  valueHash: string;
  sourceCt: Buffer;
}

/** The lookup-hash kind of fact values; the fact key is part of what is hashed. */
const VALUE_HASH_KIND = 'fact-value';

/**
 * The keyed hash SQL compares fact values by: one brand, one fact key, one exact value. The key is
 * length-prefixed, so no key and value can be split another way into the same input.
 */
export function factValueHash(crypto: CryptoService, brandId: string, key: string, value: string): string {
  return crypto.lookupHash(brandId, VALUE_HASH_KIND, `${key.length}:${key}\u0000${value}`);
}

/** What a sealed field is bound to (GCM additional data): a ciphertext moved to another row or field does not open. */
export function factContext(brandId: string, subjectId: string, factId: string, field: 'value' | 'source'): string {
  return `fact:${brandId}:${subjectId}:${factId}:${field}`;
}

/** Seals a fact's value and source under the subject's data key, with the value's lookup hash. */
export function sealFact(
  crypto: CryptoService,
  dataKey: Buffer,
  fact: { brandId: string; subjectId: string; id: string; key: string; value: string; source: string },
): SealedFact {
  return {
    valueCt: crypto.encrypt(dataKey, fact.value, factContext(fact.brandId, fact.subjectId, fact.id, 'value')),
    valueHash: factValueHash(crypto, fact.brandId, fact.key, fact.value),
    sourceCt: crypto.encrypt(dataKey, fact.source, factContext(fact.brandId, fact.subjectId, fact.id, 'source')),
  };
}

/** Opens a fact sealed by `sealFact` (throws if the ciphertext belongs to another row or field). */
export function openFact(
  crypto: CryptoService,
  dataKey: Buffer,
  fact: { brandId: string; subjectId: string; id: string; valueCt: Buffer; sourceCt: Buffer },
): { value: string; source: string } {
  return { value: openFactField(crypto, dataKey, fact, 'value', fact.valueCt), source: openFactField(crypto, dataKey, fact, 'source', fact.sourceCt) };
}

/** Opens one sealed field of a fact. */
export function openFactField(
  crypto: CryptoService,
  dataKey: Buffer,
  fact: { brandId: string; subjectId: string; id: string },
  field: 'value' | 'source',
  sealed: Buffer,
): string {
  return crypto.decrypt(dataKey, sealed, factContext(fact.brandId, fact.subjectId, fact.id, field));
}

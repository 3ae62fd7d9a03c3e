import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, hkdfSync, KeyObject, randomBytes } from 'node:crypto';
import { CANDOR_CONFIG } from '../../config/config.module';
import type { CandorConfig } from '../../config/config';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_V1 = 1;

/**
 * Envelope encryption for personal data. Each subject has its own AES-256-GCM data key, stored
 * wrapped by a key derived from `CANDOR_MASTER_KEY`; destroying the wrapped key makes everything
 * encrypted under it unreadable (crypto-shredding). Lookups use keyed hashes, never plaintext.
 */
@Injectable()
export class CryptoService {
  // Held as key objects: given a raw Buffer, every HMAC or cipher imports the key afresh, which
  // cost about ten times the hash itself (bulk imports hash and wrap per subject).
  private readonly wrappingKey: KeyObject;
  private readonly lookupKey: KeyObject;

  constructor(@Inject(CANDOR_CONFIG) config: CandorConfig) {
    this.wrappingKey = createSecretKey(deriveKey(config.masterKey, 'candor/v1/key-wrapping'));
    this.lookupKey = createSecretKey(deriveKey(config.masterKey, 'candor/v1/lookup-hash'));
  }

  newDataKey(): Buffer {
    return randomBytes(32);
  }

  wrapKey(dataKey: Buffer, context: string): Buffer {
    return seal(this.wrappingKey, dataKey, context);
  }

  unwrapKey(wrapped: Buffer, context: string): Buffer {
    return open(this.wrappingKey, wrapped, context);
  }

  /** Encrypts `plaintext` under a subject's data key; `context` binds it to its row and field. */
  encrypt(dataKey: Buffer, plaintext: string, context: string): Buffer {
    return seal(dataKey, Buffer.from(plaintext, 'utf8'), context);
  }

  decrypt(dataKey: Buffer, ciphertext: Buffer, context: string): string {
    return open(dataKey, ciphertext, context).toString('utf8');
  }

  /** A keyed hash of a normalised identifier, scoped to one brand, for equality lookups. */
  lookupHash(brandId: string, kind: string, normalised: string): string {
    return createHmac('sha256', this.lookupKey).update(`${brandId}\u0000${kind}\u0000${normalised}`).digest('hex');
  }

  /** SHA-256 of a high-entropy secret (API keys, tokens): enough to store it without keeping it. */
  static secretHash(secret: string): string {
    return createHash('sha256').update(secret, 'utf8').digest('hex');
  }
}

/** A 32-byte key for one use, derived from the master key (HKDF-SHA256, `info` names the use). */
export function deriveKey(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
}

/**
 * A raw key as a key object: Node prepares a Buffer key for a cipher far more slowly than it
 * makes a key object of it (measured 2–3× for a whole seal), so even a key used once goes this way.
 */
const asKey = (key: Buffer | KeyObject): KeyObject => (Buffer.isBuffer(key) ? createSecretKey(key) : key);

/** Layout: version (1 byte) | iv (12) | tag (16) | ciphertext. */
export function seal(key: Buffer | KeyObject, plaintext: Buffer, context: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', asKey(key), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer | KeyObject, sealed: Buffer, context: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_V1) {
    throw new Error('ciphertext has an unknown format');
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', asKey(key), iv);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** Normalises an email for lookup: trimmed, Unicode NFKC, lower case. */
export function normaliseEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/** Normalises a phone number for lookup: E.164 digits with a leading plus. */
export function normalisePhone(phone: string): string {
  return '+' + phone.replace(/[^0-9]/g, '');
}

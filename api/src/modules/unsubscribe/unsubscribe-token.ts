import { createCipheriv, createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../../common/crypto/crypto.service';

/** What an unsubscribe link stands for: one subject, one purpose, one brand, one generation. */
export interface UnsubscribeClaims {
  brandId: string;
  subjectId: string;
  purpose: string;
  /** `consent_states.unsubscribe_generation` when the link was issued; a revocation bumps it. */
  generation: number;
}

export interface UnsubscribeKeys {
  mac: KeyObject;
  enc: KeyObject;
}

const VERSION = 1;
const SIV_BYTES = 16;
const UUID_BYTES = 16;
const FIXED = UUID_BYTES * 2 + 4;
/** Purpose keys are at most 64 ASCII characters (KEY_PATTERN). */
const MAX_PURPOSE_BYTES = 64;
const HEX_UUID = /^[0-9a-f]{32}$/;
/** A token as it appears in a URL: base64url of at least one purpose byte and at most 64. */
export const UNSUBSCRIBE_TOKEN = /^[A-Za-z0-9_-]{72,160}$/;

/** The two keys of unsubscribe tokens, derived from the master key for this use alone. */
export function unsubscribeKeys(masterKey: Buffer): UnsubscribeKeys {
  return {
    mac: createSecretKey(deriveKey(masterKey, 'candor/v1/unsubscribe-token/mac')),
    enc: createSecretKey(deriveKey(masterKey, 'candor/v1/unsubscribe-token/enc')),
  };
}

/**
 * Seals the claims into a URL-safe token, deterministically (SIV: the synthetic IV is an HMAC of
 * the plaintext, then AES-256-CTR under that IV). The same claims always give the same token, so
 * there is no nonce to run out of however many decisions carry links, and the token needs no
 * storage: a decision builds it from the row it already read.
 *
 * Layout: version (1) | SIV (16, truncated HMAC-SHA256) | AES-256-CTR(brand (16) | subject (16) |
 * generation (4, big-endian) | purpose (UTF-8)). The ids and the purpose are encrypted, so the
 * link — which mailbox providers and mail logs see — says nothing about whom it unsubscribes.
 */
export function sealUnsubscribeToken(keys: UnsubscribeKeys, claims: UnsubscribeClaims): string {
  const plaintext = encodeClaims(claims);
  const siv = syntheticIv(keys, plaintext);
  const cipher = createCipheriv('aes-256-ctr', keys.enc, siv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), siv, body]).toString('base64url');
}

/**
 * The claims of a token this installation sealed, or null for anything else: a token altered in
 * any bit, cut short, lengthened, or sealed under another master key.
 */
export function openUnsubscribeToken(keys: UnsubscribeKeys, token: string): UnsubscribeClaims | null {
  if (!UNSUBSCRIBE_TOKEN.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  // base64url decoding ignores some malformations; only a canonical encoding is ours.
  if (raw.toString('base64url') !== token) return null;
  if (raw.length < 1 + SIV_BYTES + FIXED + 1 || raw.length > 1 + SIV_BYTES + FIXED + MAX_PURPOSE_BYTES || raw[0] !== VERSION) return null;
  const siv = raw.subarray(1, 1 + SIV_BYTES);
  const decipher = createCipheriv('aes-256-ctr', keys.enc, siv);
  const plaintext = Buffer.concat([decipher.update(raw.subarray(1 + SIV_BYTES)), decipher.final()]);
  if (!timingSafeEqual(syntheticIv(keys, plaintext), siv)) return null;
  return decodeClaims(plaintext);
}

function syntheticIv(keys: UnsubscribeKeys, plaintext: Buffer): Buffer {
  return createHmac('sha256', keys.mac).update(Buffer.from([VERSION])).update(plaintext).digest().subarray(0, SIV_BYTES);
}

function encodeClaims(c: UnsubscribeClaims): Buffer {
  const brand = uuidBytes(c.brandId);
  const subject = uuidBytes(c.subjectId);
  const purpose = Buffer.from(c.purpose, 'utf8');
  if (!purpose.length || purpose.length > MAX_PURPOSE_BYTES) throw new Error('an unsubscribe token names a purpose key of 1 to 64 bytes');
  if (!Number.isInteger(c.generation) || c.generation < 0 || c.generation > 0xffffffff) throw new Error('an unsubscribe generation is a 32-bit unsigned integer');
  const generation = Buffer.alloc(4);
  generation.writeUInt32BE(c.generation);
  return Buffer.concat([brand, subject, generation, purpose]);
}

function decodeClaims(p: Buffer): UnsubscribeClaims {
  return {
    brandId: uuidText(p.subarray(0, UUID_BYTES)),
    subjectId: uuidText(p.subarray(UUID_BYTES, UUID_BYTES * 2)),
    generation: p.readUInt32BE(UUID_BYTES * 2),
    purpose: p.subarray(FIXED).toString('utf8'),
  };
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '').toLowerCase();
  if (!HEX_UUID.test(hex)) throw new Error('not a UUID');
  return Buffer.from(hex, 'hex');
}

function uuidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

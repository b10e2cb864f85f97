import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * PINs and passwords kept as salted hashes by scrypt (RFC 7914), Node's OpenSSL one — a
 * memory-hard KDF, so a stolen hash of a 4-digit PIN still costs real work per guess, and the
 * desk never holds the PIN itself.
 *
 * Stored form: `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`, so the cost can be raised later
 * and old hashes still verify with the parameters they were made with.
 */
export interface PinHashParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** ~50 ms on a reception PC, 16 MiB of memory: slow for a guesser, unnoticed at sign-in. */
export const DEFAULT_PIN_HASH_PARAMS: PinHashParams = { N: 2 ** 14, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Parameters a stored hash may name: a damaged or hostile value cannot make verification eat the machine. */
const MAX_N = 2 ** 20;

function derive(pin: string, salt: Buffer, params: PinHashParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(pin.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Hashes a PIN with a fresh random salt. */
export async function hashPin(pin: string, params: PinHashParams = DEFAULT_PIN_HASH_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(pin, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Whether `pin` matches a stored hash (constant-time compare). A stored value that is not a
 * hash this module made is `false`, never a throw: a damaged secret must not open the desk.
 */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const key = await derive(pin, parsed.salt, parsed.params);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

function parseStored(stored: string): { params: PinHashParams; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const powerOfTwo = Number.isInteger(N) && N >= 2 && N <= MAX_N && (N & (N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) return null;
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || hash.length !== KEY_BYTES) return null;
  return { params: { N, r, p }, salt, hash };
}

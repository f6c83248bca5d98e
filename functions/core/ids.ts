import { createHash, randomBytes } from 'node:crypto';

/**
 * Time-sortable identifiers (48-bit millisecond time + 80 random bits, Crockford base32, 26 chars),
 * so keys that embed them sort by creation time.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export type IdGenerator = (now?: Date) => string;

export const newId: IdGenerator = (now = new Date()) => {
  const bytes = new Uint8Array(16);
  let t = now.getTime();
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes.set(randomBytes(10), 6);
  return encode(bytes).slice(0, 26);
};

/** A stable id derived from parts (used where a retry must land on the same item). */
export function derivedId(...parts: string[]): string {
  return encode(createHash('sha256').update(parts.join('\u0000')).digest()).slice(0, 26);
}

import { COMMON_PASSWORDS } from './common-passwords.ts';

/**
 * County-mode passwords (the local runtime's own accounts; on AWS, Cognito has its own policy).
 * Pure: no I/O, no hashing (functions/accounts/hashing.ts), so the rules are unit-tested on their own.
 *
 * The rule is length plus a blocklist, not character classes: NIST SP 800-63B's advice, and easier to
 * explain to a cadre than "one capital letter and one symbol" (which people meet with `Abc123456!`).
 */
export const PASSWORD_MIN_LENGTH = 10;
/** scrypt takes any length; the cap keeps a request from making the server hash megabytes. */
export const PASSWORD_MAX_LENGTH = 128;

/**
 * User names: 3–32 characters of lower-case ASCII letters, digits, `.`, `_` and `-`, starting with a
 * letter or digit. ASCII so that they are typed the same on every phone keyboard and never hide a
 * look-alike (Cyrillic а, full-width ａ); lower case because people do not remember case, so input is
 * lower-cased before it is checked. Roster cadre ids (C001) become user names as `c001`.
 */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,31}$/;

export function normalizeUsername(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

export function isValidUsername(value: string): boolean {
  return USERNAME_PATTERN.test(value);
}

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    COMMON_PASSWORDS.split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return common;
}

export type PasswordProblem =
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'COMMON_PASSWORD'
  | 'CONTAINS_USERNAME'
  | 'REPETITIVE'
  | 'CONTROL_CHARACTER';

export const PASSWORD_MESSAGES: Record<PasswordProblem, string> = {
  TOO_SHORT: `密码至少 ${PASSWORD_MIN_LENGTH} 个字符`,
  TOO_LONG: `密码不能超过 ${PASSWORD_MAX_LENGTH} 个字符`,
  COMMON_PASSWORD: '这个密码太常见，容易被猜到，请换一个',
  CONTAINS_USERNAME: '密码不能包含用户名',
  REPETITIVE: '密码不能只由一个字符或一段字符重复组成',
  CONTROL_CHARACTER: '密码不能包含控制字符',
};

/** The first problem with a password, or undefined when it may be used. */
export function passwordProblem(password: string, username = ''): PasswordProblem | undefined {
  // Length in characters as people count them (一 is one), not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'TOO_SHORT';
  if (length > PASSWORD_MAX_LENGTH) return 'TOO_LONG';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
  if (/[\u0000-\u001f\u007f-\u009f]/.test(password)) return 'CONTROL_CHARACTER';
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'COMMON_PASSWORD';
  const name = normalizeUsername(username);
  if (name.length >= 3 && lower.includes(name)) return 'CONTAINS_USERNAME';
  // aaaaaaaaaa, 1212121212, abcabcabcabc: a short unit repeated.
  if (/^(.{1,4})\1+$/su.test(password)) return 'REPETITIVE';
  return undefined;
}

/**
 * Initial passwords are read off a printed slip and typed on a phone: 12 characters from an alphabet
 * without look-alikes (no 0/O/o, 1/l/I, 2/Z, 5/S, 8/B), in groups of four joined by `-` so the eye
 * does not lose its place: `kq7x-m4wd-r9ht`. 12 symbols of 26 ≈ 56 bits, ample for a password that
 * must be changed at first sign-in and sits behind a 5-attempt lockout.
 */
export const INITIAL_PASSWORD_ALPHABET = 'acdefghjkmnpqrstuvwxy34679';

export function generatePassword(randomBytes: (n: number) => Uint8Array): string {
  const alphabet = INITIAL_PASSWORD_ALPHABET;
  // Rejection sampling: bytes at or above the largest multiple of the alphabet's size are drawn again,
  // so every character is equally likely.
  const limit = 256 - (256 % alphabet.length);
  const chars: string[] = [];
  while (chars.length < 12) {
    for (const byte of randomBytes(16)) {
      if (byte < limit && chars.length < 12) chars.push(alphabet[byte % alphabet.length]!);
    }
  }
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

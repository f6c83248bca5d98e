import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, verifyPassword } from '../../functions/accounts/hashing.ts';
import {
  generatePassword,
  INITIAL_PASSWORD_ALPHABET,
  isValidUsername,
  normalizeUsername,
  passwordProblem,
} from '../../functions/core/passwords.ts';

describe('password policy', () => {
  it('wants at least 10 characters, counted as people count them', () => {
    expect(passwordProblem('short-pw1')).toBe('TOO_SHORT');
    expect(passwordProblem('plough-map')).toBeUndefined();
    expect(passwordProblem('包村干部包村干部包村')).toBeUndefined();
    expect(passwordProblem('包村干部包村干部包')).toBe('TOO_SHORT');
    expect(passwordProblem('x'.repeat(129))).toBe('TOO_LONG');
  });

  it.each([
    '123456789a',
    'woaini1314',
    'qwertyuiop',
    '1qaz2wsx3edc',
    '1234567890',
    'Password123',
    'QWERTYUIOP',
    'a123456789',
    '5201314520',
    'zhang123456',
  ])('refuses the common password %s', (password) => {
    expect(passwordProblem(password)).toBe('COMMON_PASSWORD');
  });

  it('refuses a password holding the user name, in any case', () => {
    expect(passwordProblem('Wangfang-2026!', 'wangfang')).toBe('CONTAINS_USERNAME');
    expect(passwordProblem('river-stone-2048', 'wangfang')).toBeUndefined();
  });

  it('refuses repeats and control characters', () => {
    expect(passwordProblem('aaaaaaaaaaaa')).toBe('REPETITIVE');
    expect(passwordProblem('abcabcabcabc')).toBe('REPETITIVE');
    expect(passwordProblem('river\u0000stone-2048')).toBe('CONTROL_CHARACTER');
  });
});

describe('user names', () => {
  it('are 3–32 lower-case ASCII letters, digits, . _ -, starting with a letter or digit', () => {
    expect(isValidUsername(normalizeUsername('  C001 '))).toBe(true);
    expect(isValidUsername('hq.admin_1-x')).toBe(true);
    expect(isValidUsername('ab')).toBe(false);
    expect(isValidUsername('a'.repeat(33))).toBe(false);
    expect(isValidUsername('-lead')).toBe(false);
    expect(isValidUsername('wang fang')).toBe(false);
    expect(isValidUsername('wаng')).toBe(false); // Cyrillic а
    expect(normalizeUsername('ＷＡＮＧ')).toBe('wang'); // full-width typed on a phone
  });
});

describe('generated initial passwords', () => {
  it('are 12 characters without look-alikes, in groups of four, and pass the policy', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword((n) => randomBytes(n));
      expect(p).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
      for (const c of p.replace(/-/g, '')) expect(INITIAL_PASSWORD_ALPHABET).toContain(c);
      expect(p).not.toMatch(/[01ilo258bz]/);
      expect(passwordProblem(p)).toBeUndefined();
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });

  it('draw every character equally often (no modulo bias)', () => {
    // 1.2 million characters: a modulo bias (256 % 26 = 22 characters 11 % likelier) would show as a
    // spread near 1.11; fair draws stay within a few per cent.
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      for (const c of generatePassword((n) => randomBytes(n)).replace(/-/g, ''))
        counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const values = [...counts.values()];
    expect(counts.size).toBe(INITIAL_PASSWORD_ALPHABET.length);
    expect(Math.max(...values) / Math.min(...values)).toBeLessThan(1.05);
  });
});

describe('hashing', () => {
  it('round-trips with scrypt, a salt per hash and the parameters stored', async () => {
    const a = await hashPassword('river-stone-2048');
    const b = await hashPassword('river-stone-2048');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('river-stone-2048', a)).toBe(true);
    expect(await verifyPassword('river-stone-2049', a)).toBe(false);
    expect(await verifyPassword('river-stone-2048', 'garbage')).toBe(false);
  });

  it('reads the cost from the stored hash, so it can be raised later', async () => {
    const cheap = await hashPassword('river-stone-2048', { N: 1024, r: 8, p: 1 });
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('river-stone-2048', cheap)).toBe(true);
  });

  it('refuses absurd stored parameters instead of spending the server on them', async () => {
    const absurd = (await hashPassword('x-long-enough')).replace(/^scrypt\$32768/, 'scrypt$1073741824');
    expect(await verifyPassword('x-long-enough', absurd)).toBe(false);
  });

  it('has a dummy hash to compare against for unknown users', async () => {
    expect(await verifyPassword('anything-at-all', await dummyHash())).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { derivedId, newId } from '../../functions/core/ids.ts';

const CROCKFORD_26 = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('newId', () => {
  it('is 26 Crockford base32 characters', () => {
    for (let i = 0; i < 100; i++) expect(newId()).toMatch(CROCKFORD_26);
  });

  it('sorts by creation time, also as a string', () => {
    const times = [0, 1, 999, 1_000, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000, 2 ** 47];
    const ids = times.map((t) => newId(new Date(t)));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeats, even within one millisecond', () => {
    const at = new Date('2026-11-24T10:00:00Z');
    const ids = new Set(Array.from({ length: 5_000 }, () => newId(at)));
    expect(ids.size).toBe(5_000);
  });

  it('shares its time prefix (the first 9 characters: 45 of the 48 time bits) within one millisecond', () => {
    const at = new Date('2026-11-24T10:00:00Z');
    expect(newId(at).slice(0, 9)).toBe(newId(at).slice(0, 9));
  });
});

describe('derivedId', () => {
  it('is stable: the same parts always give the same id', () => {
    expect(derivedId('sub-1', 'key-123456', 'direct-report')).toBe(
      derivedId('sub-1', 'key-123456', 'direct-report'),
    );
  });

  it('is 26 Crockford base32 characters', () => {
    expect(derivedId('a')).toMatch(CROCKFORD_26);
    expect(derivedId('')).toMatch(CROCKFORD_26);
  });

  it.each([
    [
      ['sub-1', 'key'],
      ['sub-2', 'key'],
    ],
    [
      ['a', 'bc'],
      ['ab', 'c'],
    ],
    [
      ['a', 'b'],
      ['a', 'b', ''],
    ],
    [['x'], ['X']],
  ])('tells %j apart from %j', (left, right) => {
    expect(derivedId(...left)).not.toBe(derivedId(...right));
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { hasControlCharacter, normalizeText } from '../../functions/core/text.ts';
import { fieldIssues } from '../../functions/http/validation.ts';
import {
  calendarDate,
  DATE_RANGE_MESSAGE,
  dateRangeQuery,
  freeText,
  instant,
  isoWeek,
  latestDate,
  nameText,
  requiredText,
} from '../../functions/schemas/common.ts';
import { deadlineInput } from '../../functions/schemas/dispatches.ts';

/**
 * The shared request schemas' bounds (schemas/common.ts): dates from 2000-01-01 to a year from
 * today in Beijing, read from the clock at each parse, and text without control characters.
 */
const codes = (schema: z.ZodMiniType, value: unknown) => {
  const result = z.safeParse(schema, value);
  return result.success ? [] : fieldIssues(result.error, '').map((f) => f.code);
};

describe('the date window', () => {
  beforeEach(() => {
    // 2026-12-06 10:00 in Beijing.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-06T02:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a year from today in Beijing, read from the clock at each call', () => {
    expect(latestDate()).toBe('2027-12-06');
    // 1 January 2027 00:30 in Beijing is still 31 December in UTC.
    vi.setSystemTime(new Date('2026-12-31T16:30:00Z'));
    expect(latestDate()).toBe('2028-01-01');
    // From 29 February, a year ahead is 1 March.
    expect(latestDate(Date.parse('2028-02-29T04:00:00Z'))).toBe('2029-03-01');
  });

  it.each([
    ['2000-01-01', []],
    ['2026-12-06', []],
    ['2027-12-06', []],
    ['1999-12-31', ['DATE_OUT_OF_RANGE']],
    ['2027-12-07', ['DATE_OUT_OF_RANGE']],
    ['0000-01-01', ['DATE_OUT_OF_RANGE']],
    ['9999-12-31', ['DATE_OUT_OF_RANGE']],
    ['2026-02-30', ['INVALID_DATE']],
    ['26-12-06', ['INVALID_FORMAT', 'INVALID_DATE']],
  ])('calendarDate %s → %j', (value, expected) => {
    expect(codes(calendarDate, value)).toEqual(expected);
  });

  it('moves with the clock: a date refused today is taken a day later', () => {
    expect(codes(calendarDate, '2027-12-07')).toEqual(['DATE_OUT_OF_RANGE']);
    vi.setSystemTime(new Date('2026-12-06T16:00:00Z')); // 7 December, 00:00 Beijing
    expect(codes(calendarDate, '2027-12-07')).toEqual([]);
  });

  it('says so in plain Chinese', () => {
    const result = z.safeParse(calendarDate, '0000-01-01');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([DATE_RANGE_MESSAGE]);
    expect(DATE_RANGE_MESSAGE).not.toMatch(/[A-Za-z]/);
  });

  it.each([
    ['1999-12-31T16:00:00Z', []], // 2000-01-01 00:00 Beijing
    ['2000-01-01T00:00:00+08:00', []],
    ['1999-12-31T15:59:59Z', ['DATE_OUT_OF_RANGE']],
    ['2027-12-06T23:59:59+08:00', []],
    ['2027-12-06T16:00:00Z', ['DATE_OUT_OF_RANGE']], // 2027-12-07 00:00 Beijing
    ['9999-12-31T23:00:00Z', ['DATE_OUT_OF_RANGE']],
    ['0001-01-01T00:00:00Z', ['DATE_OUT_OF_RANGE']],
  ])('instant %s → %j', (value, expected) => {
    expect(codes(instant, value)).toEqual(expected);
  });

  it.each([
    ['2027-12-06', []],
    ['2027-12-07', ['DATE_OUT_OF_RANGE']],
    ['1999-12-31', ['DATE_OUT_OF_RANGE']],
    ['2027-12-06T23:00:00+08:00', []],
    ['2099-01-01T08:00:00+08:00', ['DATE_OUT_OF_RANGE']],
    ['2026-12-06T10:00:00', ['INVALID_FORMAT']],
    ['2026-02-30', ['INVALID_DATE']],
  ])('a dispatch deadline %s → %j (one issue, the right one)', (value, expected) => {
    expect(codes(deadlineInput, value)).toEqual(expected);
  });

  it.each([
    ['1999-W52', []], // Monday 27 December 1999 to Sunday 2 January 2000
    ['1999-W51', ['DATE_OUT_OF_RANGE']],
    ['2027-W49', []], // Monday 6 December 2027
    ['2027-W50', ['DATE_OUT_OF_RANGE']],
    ['9999-W01', ['DATE_OUT_OF_RANGE']],
  ])('isoWeek %s → %j', (value, expected) => {
    expect(codes(isoWeek, value)).toEqual(expected);
  });

  it('bounds both ends of a list’s date range, `to` up to a year ahead', () => {
    const range = z.strictObject(dateRangeQuery);
    expect(codes(range, { from: '2000-01-01', to: '2027-12-06' })).toEqual([]);
    expect(codes(range, { from: '1999-12-31', to: '2027-12-07' })).toEqual([
      'DATE_OUT_OF_RANGE',
      'DATE_OUT_OF_RANGE',
    ]);
  });
});

describe('control characters in text', () => {
  const C0 = Array.from({ length: 0x20 }, (_, i) => i).filter((c) => ![0x09, 0x0a, 0x0d].includes(c));
  const C1 = Array.from({ length: 0x21 }, (_, i) => 0x7f + i); // DEL and U+0080–U+009F
  const refused = [...C0, ...C1].map((c) => [`U+${c.toString(16).toUpperCase().padStart(4, '0')}`, c]);

  it.each(refused)('refuses %s in names, free text and required text', (_name, code) => {
    const value = `前${String.fromCharCode(code as number)}后`;
    expect(hasControlCharacter(value)).toBe(true);
    for (const schema of [nameText(), freeText(), requiredText()])
      expect(codes(schema, value)).toEqual(['CONTROL_CHARACTER']);
  });

  it('keeps tabs and line breaks in free text, and turns CRLF and CR into LF', () => {
    expect(z.parse(freeText(), '一\t二\r\n三\r四\n五')).toBe('一\t二\n三\n四\n五');
    expect(z.parse(requiredText(), '  第一行\r\n第二行  ')).toBe('第一行\n第二行');
    expect(normalizeText('a\r\n\r\nb')).toBe('a\n\nb');
  });

  it('collapses tabs and line breaks in names to one space', () => {
    expect(z.parse(nameText(), ' 青石\t\r\n乡 ')).toBe('青石 乡');
  });

  it('takes other Unicode as it is: CJK, emoji, no-break and ideographic spaces', () => {
    for (const value of ['县\u00a0水务局', '😀 村', '全角\u3000空格', 'Ｚ'])
      expect(hasControlCharacter(value)).toBe(false);
    expect(z.parse(freeText(), '水窖已修好😀')).toBe('水窖已修好😀');
  });

  it('says so in plain Chinese', () => {
    const result = z.safeParse(freeText(), '\u0000');
    expect(result.error?.issues.map((i) => i.message)).toEqual(['不能包含控制字符']);
  });
});

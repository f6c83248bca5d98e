import { describe, expect, it } from 'vitest';
import {
  addDays,
  beijingDate,
  beijingDateTime,
  beijingDayEnd,
  beijingDayStart,
  chineseDate,
  isoWeekOf,
  isoWeekOfInstant,
  isoWeekRange,
  isValidDate,
  isValidIsoWeek,
} from '../../functions/core/time.ts';

describe('ISO weeks', () => {
  it.each([
    ['2026-01-01', '2026-W01'], // a Thursday: week 1 of its own year
    ['2025-12-29', '2026-W01'], // Monday of 2026-W01 lies in 2025
    ['2025-12-28', '2025-W52'],
    ['2026-11-23', '2026-W48'],
    ['2026-12-31', '2026-W53'], // 2026 starts on a Thursday, so it has 53 weeks
    ['2027-01-01', '2026-W53'], // a Friday: still the last week of 2026
    ['2027-01-03', '2026-W53'], // Sunday closes 2026-W53
    ['2027-01-04', '2027-W01'],
    ['2027-12-31', '2027-W52'],
    ['2021-01-03', '2020-W53'],
    ['2024-12-30', '2025-W01'],
  ])('puts %s in %s', (date, week) => {
    expect(isoWeekOf(date)).toBe(week);
  });

  it.each([
    ['2026-W53', true],
    ['2026-W01', true],
    ['2020-W53', true],
    ['2027-W53', false], // 2027 has only 52 weeks
    ['2025-W53', false],
    ['2026-W00', false],
    ['2026-W54', false],
    ['2026-W5', false],
    ['2026W47', false],
    ['', false],
  ])('knows whether %s is a real ISO week (%s)', (week, valid) => {
    expect(isValidIsoWeek(week)).toBe(valid);
  });

  it.each([
    ['2026-W01', '2025-12-29', '2026-01-04'],
    ['2026-W48', '2026-11-23', '2026-11-29'],
    ['2026-W53', '2026-12-28', '2027-01-03'],
    ['2027-W01', '2027-01-04', '2027-01-10'],
  ])('gives %s from Monday %s to Sunday %s', (week, monday, sunday) => {
    expect(isoWeekRange(week)).toEqual({ monday, sunday });
  });

  it('refuses to give the range of something that is not a week', () => {
    expect(() => isoWeekRange('2026-11-24')).toThrow(RangeError);
  });

  it('counts the week of an instant in Beijing time, not UTC', () => {
    // Sunday 2026-12-27 16:30 UTC is already Monday 2026-12-28 00:30 in Beijing.
    expect(isoWeekOf('2026-12-27')).toBe('2026-W52');
    expect(isoWeekOfInstant(new Date('2026-12-27T16:30:00Z'))).toBe('2026-W53');
    expect(isoWeekOfInstant(new Date('2026-12-27T15:59:59.999Z'))).toBe('2026-W52');
  });
});

describe('Beijing time', () => {
  it.each([
    ['2026-11-23T16:30:00Z', '2026-11-24'],
    ['2026-11-23T15:59:59.999Z', '2026-11-23'],
    ['2026-11-23T16:00:00Z', '2026-11-24'],
    ['2026-12-31T16:00:00Z', '2027-01-01'],
  ])('the Beijing date of %s is %s', (instant, date) => {
    expect(beijingDate(new Date(instant))).toBe(date);
  });

  it('shows an instant as Beijing wall-clock time', () => {
    expect(beijingDateTime(new Date('2026-11-24T10:30:00Z'))).toBe('2026-11-24 18:30');
  });

  it('starts a Beijing day at 16:00 UTC the day before and ends it one millisecond before the next', () => {
    expect(beijingDayStart('2026-11-24').toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(beijingDayEnd('2026-11-24').toISOString()).toBe('2026-11-24T15:59:59.999Z');
    expect(beijingDate(beijingDayEnd('2026-11-24'))).toBe('2026-11-24');
    expect(beijingDate(new Date(beijingDayEnd('2026-11-24').getTime() + 1))).toBe('2026-11-25');
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('writes dates the GB/T 9704 way, without zero padding', () => {
    expect(chineseDate('2026-01-05')).toBe('2026年1月5日');
    expect(chineseDate('2026-11-24')).toBe('2026年11月24日');
  });
});

describe('calendar dates', () => {
  it.each([
    ['2026-11-24', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-02-30', false],
    ['2026-13-01', false],
    ['2026-04-31', false],
    ['2026-1-5', false],
    ['2026-11-24T00:00:00Z', false],
    ['', false],
  ])('knows whether %s exists (%s)', (date, valid) => {
    expect(isValidDate(date)).toBe(valid);
  });
});

/**
 * Calendar arithmetic the rules need on top of core/time.ts: weeks as instant ranges (Beijing), and
 * whole-day distances between Beijing dates. Instants are compared as epoch milliseconds.
 */
import {
  addDays,
  beijingDate,
  beijingDayEnd,
  beijingDayStart,
  isoWeekOf,
  isoWeekRange,
  isValidIsoWeek,
} from '../time.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export function isMonday(date: string): boolean {
  return new Date(Date.parse(`${date}T00:00:00Z`)).getUTCDay() === 1;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export interface WeekBounds {
  week: string;
  monday: string;
  sunday: string;
  /** Monday 00:00 Beijing, epoch ms. */
  startMs: number;
  /** Sunday 24:00 Beijing expressed as the last millisecond of Sunday (instants are stored to the ms). */
  endMs: number;
}

export function weekBounds(week: string): WeekBounds {
  if (!isValidIsoWeek(week)) throw new RangeError(`not an ISO week: ${week}`);
  const { monday, sunday } = isoWeekRange(week);
  return {
    week,
    monday,
    sunday,
    startMs: beijingDayStart(monday).getTime(),
    endMs: beijingDayEnd(sunday).getTime(),
  };
}

/** The `asOf` instant for a finished week: Sunday 24:00 Beijing (as UTC ISO, last millisecond of Sunday). */
export function weekEndInstant(week: string): string {
  return new Date(weekBounds(week).endMs).toISOString();
}

/** The ISO week before `week`. */
export function previousIsoWeek(week: string): string {
  return isoWeekOf(addDays(weekBounds(week).monday, -7));
}

/** Epoch ms of a stored instant; a malformed one is a programming error upstream, not a rule outcome. */
export function instantMs(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`${what}: not an instant: ${value}`);
  return ms;
}

export function beijingDateOfMs(ms: number): string {
  return beijingDate(new Date(ms));
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

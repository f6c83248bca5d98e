/**
 * Time rules. Storage is UTC ISO 8601; people see Beijing time (UTC+8, no DST),
 * and weeks are ISO weeks counted in Beijing time.
 */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** UTC ISO string with millisecond precision: the one stored form of an instant. */
export function toUtcIso(d: Date): string {
  return d.toISOString();
}

/** Calendar date (YYYY-MM-DD) in Beijing for an instant. */
export function beijingDate(d: Date): string {
  return new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** "2026-11-24 18:30" in Beijing time, for people. */
export function beijingDateTime(d: Date): string {
  return new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** "2026年11月24日" (GB/T 9704: Arabic digits, no zero padding). */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** The instant a Beijing calendar day starts. */
export function beijingDayStart(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00+08:00`));
}

/** The last millisecond of a Beijing calendar day: a deadline given as a date means "by the end of that day". */
export function beijingDayEnd(date: string): Date {
  return new Date(beijingDayStart(date).getTime() + DAY_MS - 1);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** ISO week of a calendar date, e.g. "2026-W47". */
export function isoWeekOf(date: string): string {
  const d = new Date(Date.parse(`${date}T00:00:00Z`));
  const weekday = d.getUTCDay() || 7; // Monday 1 … Sunday 7
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // Thursday decides the year
  const year = d.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.ceil(((d.getTime() - jan1) / DAY_MS + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** ISO week an instant falls in, counted in Beijing time. */
export function isoWeekOfInstant(d: Date): string {
  return isoWeekOf(beijingDate(d));
}

/** Monday and Sunday (Beijing calendar dates) of an ISO week. */
export function isoWeekRange(week: string): { monday: string; sunday: string } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new RangeError(`not an ISO week: ${week}`);
  const year = Number(m[1]);
  const num = Number(m[2]);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const jan4Weekday = jan4.getUTCDay() || 7;
  const mondayW1 = Date.UTC(year, 0, 4 - jan4Weekday + 1);
  const monday = new Date(mondayW1 + (num - 1) * 7 * DAY_MS).toISOString().slice(0, 10);
  return { monday, sunday: addDays(monday, 6) };
}

/** Whether a string names a real ISO week (2026-W53 does not exist). */
export function isValidIsoWeek(week: string): boolean {
  if (!/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/.test(week)) return false;
  return isoWeekOf(isoWeekRange(week).monday) === week;
}

/** Whether YYYY-MM-DD names a real calendar day. */
export function isValidDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const t = Date.parse(`${date}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === date;
}

import { isoWeekRange } from './time.ts';

/**
 * How a week reads to people, everywhere one is shown (pages, documents, emails): 2026-W48 →
 * 第48周（11月23日—11月29日）. The ISO week code stays in links and the API; people see the number and
 * its Monday to Sunday.
 */
export function weekWords(week: string): string {
  const number = Number(week.split('-W')[1]);
  const { monday, sunday } = isoWeekRange(week);
  return `第${number}周（${monthDay(monday)}—${monthDay(sunday)}）`;
}

/** The week's number alone, 第48周, where its days are already on the line. */
export function weekNumberWords(week: string): string {
  return `第${Number(week.split('-W')[1])}周`;
}

/** 2026-11-23 → 11月23日 */
function monthDay(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日`;
}

/**
 * A week's days in full Chinese dates, for titles, file names and email subjects: 2026-W48 →
 * 2026年11月23日至29日; across a month 2026年11月30日至12月6日; across a year 2026年12月28日至2027年1月3日.
 */
export function weekDates(week: string): string {
  const { monday, sunday } = isoWeekRange(week);
  const [y1, m1, d1] = monday.split('-').map(Number);
  const [y2, m2, d2] = sunday.split('-').map(Number);
  const end = y1 !== y2 ? `${y2}年${m2}月${d2}日` : m1 !== m2 ? `${m2}月${d2}日` : `${d2}日`;
  return `${y1}年${m1}月${d1}日至${end}`;
}

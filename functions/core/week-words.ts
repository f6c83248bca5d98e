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

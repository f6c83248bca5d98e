import { beijingDate, beijingDateTime } from '../../core/time.ts';

/**
 * Small conversions from API values to what a page prints. Dates and times are Beijing time, written
 * the way people here write them: 11月24日 18:30, 2026年11月24日.
 */
export function shortDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const text = beijingDateTime(new Date(iso)); // 2026-11-24 18:30
  const [date, time] = text.split(' ');
  const [, m, d] = (date ?? '').split('-').map(Number);
  return `${m}月${d}日 ${time}`;
}

export function shortDate(date: string | null | undefined): string {
  if (!date) return '';
  const [, m, d] = date.slice(0, 10).split('-').map(Number);
  return `${m}月${d}日`;
}

/** Beijing date of an instant, as YYYY-MM-DD (for date inputs and comparisons). */
export function dateOf(iso: string): string {
  return beijingDate(new Date(iso));
}

/** Whole Beijing calendar days from `now` to a deadline's date (negative once past). */
export function daysUntil(deadlineDate: string, now: Date): number {
  const today = Date.parse(`${beijingDate(now)}T00:00:00Z`);
  return Math.round((Date.parse(`${deadlineDate.slice(0, 10)}T00:00:00Z`) - today) / 86_400_000);
}

/**
 * Who signed, verified or recorded something, as people read it: the person's name as they signed
 * in (stored beside the user id at write time), never the user id; a record written by a program,
 * or before names were kept, reads as the body that acts (指挥部, 督查组).
 */
export function signer(name: unknown, body: string): string {
  return typeof name === 'string' && name.trim() ? name.trim() : body;
}

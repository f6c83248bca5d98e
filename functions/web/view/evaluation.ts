import { badgeOf, COLOR_REASON_LABELS, type ColorCounts } from '../../core/rules/colors.ts';
import type { CadreEvaluation } from '../../core/rules/evaluation.ts';
import type { Tier } from '../../core/rules/terms.ts';
import { addDays, isoWeekOf, isoWeekRange } from '../../core/time.ts';
import { weekDates, weekWords } from '../../core/week-words.ts';
import type { Places } from '../lookups.ts';
import { type PageView, page } from '../route.ts';
import { shortDate } from './format.ts';

/**
 * How evaluated weeks read on HQ's pages (bulletins, board, circle, notices): week labels, links,
 * tier and colour badges, timing, township of a matter.
 */

/** 2026-W48 → 第48周（11月23日—11月29日）: the one way a week reads to people (core/week-words.ts). */
export const weekLabel = weekWords;

/** 11月16日至11月22日 */
export function weekRange(week: string): string {
  const { monday, sunday } = isoWeekRange(week);
  return `${shortDate(monday)}至${shortDate(sunday)}`;
}

/**
 * A bulletin as people name it (issue 13): 2026年第12期（11月23日至29日）, numbered by issue and dated
 * by its days; before its issue number is known (not yet rendered, or not readable here), its days
 * alone: 11月23日至29日. Never 第48周 or 2026-W48.
 */
export function bulletinLabel(week: string, issue?: string): string {
  const days = weekDates(week).replace(/^\d{4}年/, '');
  return issue ? `${issue}（${days}）` : days;
}

/** The week a run of `weeks` consecutive weeks ending with `week` began in. */
export function sinceWeek(week: string, weeks: number): string {
  return isoWeekOf(addDays(isoWeekRange(week).monday, -7 * Math.max(0, weeks - 1)));
}

export function downloadHref(id: string, format: 'pdf' | 'html'): string {
  return `/app/admin/notices/${encodeURIComponent(id)}/download?format=${format}`;
}

export function bulletinHref(week: string, revision?: number): string {
  return `/app/admin/bulletins/${encodeURIComponent(week)}${revision ? `?revision=${revision}` : ''}`;
}

/** The badge class of a tier (heavier tiers read warmer; the label always says which). */
export function tierBadge(tier: Tier): string {
  if (tier === 'commended') return 'green';
  if (tier === 'admonishmentTalk') return 'red';
  if (tier === 'reminderTalk' || tier === 'selfCriticism') return 'yellow';
  return 'grey';
}

/** The colour view (as the color-badge partial takes it) of an evaluated matter. */
export function evaluatedColor(row: {
  color: 'red' | 'yellow' | 'green' | null;
  colorReason: keyof typeof COLOR_REASON_LABELS;
  daysLeft: number;
  daysOverdue: number;
}) {
  return {
    color: row.color ?? '',
    badge: badgeOf(row.color),
    reason: COLOR_REASON_LABELS[row.colorReason],
    daysLeft: row.daysLeft,
    daysOverdue: row.daysOverdue,
  };
}

/** Where a matter is timed: overdue, awaiting verification past its date, due today, days left. */
export function timing(row: { colorReason: string; daysLeft: number; daysOverdue: number }) {
  return {
    overdue: row.colorReason === 'overdue',
    awaiting: row.colorReason === 'awaitingVerification',
    dueToday: row.colorReason !== 'overdue' && row.daysLeft === 0,
    daysLeft: row.daysLeft,
    daysOverdue: row.daysOverdue,
    pastDays: Math.max(0, -row.daysLeft),
  };
}

export function addCount(counts: ColorCounts, color: 'red' | 'yellow' | 'green' | null): void {
  if (color) counts[color]++;
  else counts.onTrack++;
}

/** The township a matter belongs to: its own, else its village's, else its cadre's. */
export function matterTownship(
  row: { townshipId?: string | null; villageId: string; cadreId: string },
  names: Places,
  cadres: Map<string, CadreEvaluation>,
): string | null {
  return (
    row.townshipId ||
    names.villageOf(row.villageId)?.townshipId ||
    cadres.get(row.cadreId)?.townshipId ||
    null
  );
}

/** A township filter option list: every township of the roster, then any the evaluation alone knows. */
export function townshipsOf(
  names: Places,
  extra: Iterable<string | null>,
): Array<{ id: string; name: string }> {
  const out = names.townships.map((t) => ({ id: t.id, name: t.name }));
  const known = new Set(out.map((t) => t.id));
  for (const id of extra) {
    const key = id ?? '';
    if (known.has(key)) continue;
    known.add(key);
    out.push({ id: key, name: names.township(id) });
  }
  return out;
}

export function notFoundPage(message: string): PageView {
  return page(
    'error',
    message,
    { status: 404, code: 'NOT_EVALUATED', message, isNotFound: true, isForbidden: false },
    { status: 404 },
  );
}

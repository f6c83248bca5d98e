import type { CadreEvaluation } from '../../../core/rules/evaluation.ts';
import { TIER_LABELS } from '../../../core/rules/terms.ts';
import { readFilters, weekFilters } from '../../forms/admin-reports.ts';
import { field, freshForm } from '../../forms/state.ts';
import {
  bulletinIssueOf,
  COUNTY_LEVEL,
  evaluatedWeeks,
  type Places,
  placeNames,
  readBulletin,
} from '../../lookups.ts';
import { definePage, page } from '../../route.ts';
import {
  bulletinHref,
  bulletinLabel,
  notFoundPage,
  sinceWeek,
  tierBadge,
  weekLabel,
  weekRange,
} from '../../view/evaluation.ts';
import { shortDateTime } from '../../view/format.ts';

/**
 * HQ: the circle (进退严圈) of one evaluated week: who is in it (tier, how many weeks running and since
 * which week, and why — the tier's own explanation), who came in this week, who went deeper, who
 * stayed, who left, and the remedial-training candidates (干部营养餐). A week selector goes back
 * through the evaluated weeks; the latest finished week is shown first.
 */
const ROLES = ['admin', 'township', 'leader'] as const;
const WEEKS_OFFERED = 52;

function row(c: CadreEvaluation, week: string, names: Places) {
  const since = sinceWeek(week, c.circle.weeks);
  return {
    id: c.cadreId,
    name: c.name,
    township: names.township(c.townshipId),
    tier: TIER_LABELS[c.tier],
    tierBadge: tierBadge(c.tier),
    previousTier: c.circle.previousTier ? TIER_LABELS[c.circle.previousTier] : '',
    movement: c.circle.movement,
    entered: c.circle.movement === 'entered',
    deepened: c.circle.movement === 'deepened',
    eased: c.circle.movement === 'eased',
    weeks: c.circle.weeks,
    since: weekLabel(since),
    explanation: c.explanation,
    weightedCount: c.weightedCount,
    training: c.remedialTraining.length > 0,
    byTier: c.remedialTraining.includes('tier'),
    byWeeks: c.remedialTraining.includes('consecutiveWeeks'),
    overdueDispatches: c.overdueDispatches,
  };
}

export const circlePages = [
  definePage({
    method: 'GET',
    path: '/app/admin/circle',
    roles: ROLES,
    async handle(input, ctx) {
      const filters = readFilters(weekFilters, input.query, ['week']);
      const [weeks, names] = await Promise.all([
        evaluatedWeeks(ctx.api, WEEKS_OFFERED),
        placeNames(ctx.api, { none: COUNTY_LEVEL }),
      ]);
      const week = filters.values.week ?? weeks[0]?.week;
      const form = freshForm({ week: filters.given.week || week });
      form.errors = filters.errors;
      const options = weeks.map((w) => ({
        value: w.week,
        label: `${weekLabel(w.week)}${w.revision > 1 ? ` 修订${w.revision}` : ''}`,
        selected: w.week === week,
      }));
      const filter = { week: field(form, 'week'), weeks: options };
      if (!week) {
        return page(
          'admin/circle/index',
          '进退严圈',
          { hasWeek: false, filter, week: null },
          { nav: 'circle' },
        );
      }
      const b = await readBulletin(ctx.api, week);
      if (!b) return notFoundPage(`${weekLabel(week)}尚未评定，没有进退严圈名单`);
      if (!options.some((o) => o.value === b.week))
        options.unshift({
          value: b.week,
          label: weekLabel(b.week),
          selected: true,
        });
      const rows = b.cadres.map((c) => row(c, b.week, names));
      const byId = new Map(rows.map((r) => [r.id, r]));
      const pick = (ids: readonly string[]) => ids.flatMap((id) => byId.get(id) ?? []);
      const members = pick(b.circle.members).sort(
        (x, y) => y.weeks - x.weeks || y.weightedCount - x.weightedCount || x.id.localeCompare(y.id),
      );
      const stayed = pick(b.circle.stayed).filter((r) => !r.deepened);
      const index = weeks.findIndex((w) => w.week === b.week);
      const newer = index > 0 ? weeks[index - 1] : undefined;
      const older = index >= 0 ? weeks[index + 1] : undefined;
      return page(
        'admin/circle/index',
        `进退严圈 · ${weekLabel(b.week)}`,
        {
          hasWeek: true,
          filter,
          week: {
            week: b.week,
            label: weekLabel(b.week),
            range: weekRange(b.week),
            provisional: b.provisional,
            revision: b.revision,
            revised: b.revision > 1,
            evaluatedAt: shortDateTime(b.evaluatedAt),
            bulletinHref: bulletinHref(b.week),
            bulletinLabel: bulletinLabel(b.week, b.provisional ? undefined : bulletinIssueOf(b.documents)),
            newerHref: newer ? `/app/admin/circle?week=${encodeURIComponent(newer.week)}` : '',
            newerLabel: newer ? weekLabel(newer.week) : '',
            olderHref: older ? `/app/admin/circle?week=${encodeURIComponent(older.week)}` : '',
            olderLabel: older ? weekLabel(older.week) : '',
          },
          counts: {
            members: members.length,
            entered: b.circle.entered.length,
            deepened: b.circle.deepened.length,
            stayed: stayed.length,
            exited: b.circle.exited.length,
            training: b.remedialTraining.length,
          },
          members,
          entered: pick(b.circle.entered),
          deepened: pick(b.circle.deepened),
          stayed,
          exited: pick(b.circle.exited),
          training: pick(b.remedialTraining),
        },
        { nav: 'circle' },
      );
    },
  }),
];

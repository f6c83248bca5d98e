import { ApiCallError, errorOf } from '../../../client/api-client.ts';
import { CIRCLE_MOVEMENT_LABELS } from '../../../core/rules/circle.ts';
import { emptyColorCounts } from '../../../core/rules/colors.ts';
import type { EffectivenessFigures } from '../../../core/rules/effectiveness.ts';
import type { CadreEvaluation } from '../../../core/rules/evaluation.ts';
import { SEVERITY_LABELS, TIER_LABELS, type Tier } from '../../../core/rules/terms.ts';
import { bulletinCharts, CHART_TIERS, hoursAsDays } from '../../../documents/bulletin-charts.ts';
import { DOCUMENT_KIND_LABELS } from '../../../documents/render.ts';
import type { BulletinSummary } from '../../../schemas/bulletins.ts';
import {
  type Bulletin,
  type BulletinDocument,
  bulletinIssueOf,
  bulletinIssues,
  COUNTY_LEVEL,
  evaluatedWeeks,
  type Places,
  placeNames,
  readBulletin,
} from '../../lookups.ts';
import { definePage, type PageContext, page } from '../../route.ts';
import {
  addCount,
  bulletinHref,
  bulletinLabel,
  downloadHref,
  matterTownship,
  notFoundPage,
  tierBadge,
  townshipsOf,
  weekLabel,
  weekRange,
} from '../../view/evaluation.ts';
import { shortDate, shortDateTime } from '../../view/format.ts';

/**
 * HQ: the weekly bulletins (周通报). The list of evaluated weeks, newest first, with revision marks;
 * and one week as a page: its figures, each tier with names, circle movement, colours, overdue
 * dispatches, the township comparison, revisions, the week's documents, and three charts drawn on the
 * server as inline SVG (documents/charts.ts, shared with the bulletin PDF): problems by township,
 * tiers over the last eight evaluated weeks, and rectification time by township beside last week.
 */
const ROLES = ['admin', 'township', 'leader'] as const;

// ---------------------------------------------------------------------------------------------
// The list

function summaryRow(b: BulletinSummary, issues: Map<string, string>) {
  return {
    week: b.week,
    label: bulletinLabel(b.week, issues.get(b.week)),
    weekLabel: weekLabel(b.week),
    range: weekRange(b.week),
    href: bulletinHref(b.week),
    revision: b.revision,
    revised: b.revision > 1,
    ruleSetVersion: b.ruleSetVersion,
    evaluatedAt: shortDateTime(b.evaluatedAt),
    counts: b.counts,
    colors: b.colors,
  };
}

async function listPage(ctx: PageContext, next: string | null) {
  const res = await ctx.api.call('GET', '/bulletins', {
    query: { limit: 20, next: next ?? undefined },
  });
  if (!res.ok) throw new ApiCallError(res.status, errorOf(res.body), 'GET /bulletins');
  const { items, next: after } = res.body;
  const issues = await bulletinIssues(
    ctx.api,
    items.map((b) => b.week),
  );
  return page(
    'admin/bulletins/index',
    '周通报',
    {
      rows: items.map((b) => summaryRow(b, issues)),
      pager: {
        show: Boolean(next || after),
        first: next ? '/app/admin/bulletins' : '',
        next: after ? `/app/admin/bulletins?next=${encodeURIComponent(after)}` : '',
      },
    },
    { nav: 'bulletins' },
  );
}

// ---------------------------------------------------------------------------------------------
// One week

function person(c: CadreEvaluation | undefined, id: string, names: Places) {
  return {
    id,
    name: c?.name ?? id,
    township: names.township(c?.townshipId),
    explanation: c?.explanation ?? '',
    tier: c ? TIER_LABELS[c.tier] : '',
    tierBadge: c ? tierBadge(c.tier) : 'grey',
    previousTier: c?.circle.previousTier ? TIER_LABELS[c.circle.previousTier] : '',
    movement: c ? CIRCLE_MOVEMENT_LABELS[c.circle.movement] : '',
    weeks: c?.circle.weeks ?? 0,
  };
}

const percent = (rate: number | null) => (rate === null ? '' : `${Math.round(rate * 1000) / 10}%`);

function figuresText(f: EffectivenessFigures | null) {
  return {
    has: f !== null,
    presence: f ? percent(f.presence.rate) : '',
    presenceCounted: f?.presence.counted ?? 0,
    rectificationDays: f ? (hoursAsDays(f.rectification.medianHours) ?? '') : '',
    verified: f?.rectification.verified ?? 0,
    reportsPerCadre: f?.directReports.perCadre ?? '',
    ackMinutes: f?.acknowledgement.medianMinutes ?? '',
    pending: f?.acknowledgement.pending ?? 0,
    // Direct reports closed (办结), in weeks that closed one: how many and the median hours to closure.
    resolution: f?.resolution
      ? {
          closed: f.resolution.closed,
          hours: f.resolution.medianMinutes === null ? '' : Math.round(f.resolution.medianMinutes / 6) / 10,
        }
      : null,
    // Visits (下村) and nights (吃住在村), in weeks that had a visit.
    visits: f?.visits
      ? {
          count: f.visits.count,
          perCadre: f.visits.perCadre ?? '—',
          nights: f.visits.nights,
          nightsPerCadre: f.visits.nightsPerCadre ?? '—',
          nightShare: percent(f.visits.nightShare),
          far: f.visits.far,
        }
      : null,
  };
}

/** Tier counts of the last eight evaluated weeks up to this one, oldest first. */
function tierHistory(b: Bulletin, history: BulletinSummary[]) {
  const earlier = history.filter((h) => h.week < b.week);
  return [{ week: b.week, counts: b.counts }, ...earlier.map((h) => ({ week: h.week, counts: h.counts }))]
    .slice(0, 8)
    .reverse();
}

/** The townships a week concerns (cadres placed there, or matters there), in roster order. */
function weekTownships(b: Bulletin, names: Places) {
  const cadres = new Map(b.cadres.map((c) => [c.cadreId, c]));
  const keyOf = (row: { townshipId?: string | null; villageId: string; cadreId: string }) =>
    matterTownship(row, names, cadres) ?? '';
  const used = new Set<string>([...b.cadres.map((c) => c.townshipId ?? ''), ...b.problems.map(keyOf)]);
  const list = townshipsOf(
    names,
    [...used].map((id) => id || null),
  ).filter((t) => used.has(t.id));
  return { list, keyOf };
}

function charts(b: Bulletin, names: Places, history: BulletinSummary[]) {
  const { list: townships, keyOf } = weekTownships(b, names);
  const weeks = tierHistory(b, history);
  const eff = b.effectiveness;
  const { problems, tiers, resolution } = bulletinCharts({
    townships: townships.map((t) => ({
      label: t.name,
      problems: b.problems.filter((p) => keyOf(p) === t.id),
    })),
    weeks,
    scopes: [
      { label: '全县', figures: eff.county },
      ...eff.townships.map((t) => ({ label: names.township(t.townshipId), figures: t })),
    ],
  });

  return {
    problems: { id: 'chart-problems', chart: problems, kind: 'problems' },
    tiers: {
      id: 'chart-tiers',
      chart: tiers,
      weeks: weeks.map((w, i) => ({
        label: tiers.xLabels[i]?.label ?? w.week,
        week: w.week,
        counts: w.counts,
        href: bulletinHref(w.week),
      })),
    },
    resolution: { id: 'chart-resolution', chart: resolution, kind: 'resolution' },
  };
}

function townshipComparison(b: Bulletin, names: Places) {
  const dispatches = b.dispatches ?? b.overdueDispatches;
  const { list, keyOf } = weekTownships(b, names);
  const eff = new Map(b.effectiveness.townships.map((t) => [t.townshipId, t.current]));
  return list.map((t) => {
    const members = b.cadres.filter((c) => (c.townshipId ?? '') === t.id);
    const problems = b.problems.filter((p) => keyOf(p) === t.id);
    const rows = dispatches.filter((d) => keyOf(d) === t.id);
    const colors = emptyColorCounts();
    for (const m of [...problems, ...rows]) addCount(colors, m.color);
    const tier = (k: Tier) => members.filter((c) => c.tier === k).length;
    return {
      name: t.name,
      cadres: members.length,
      commended: tier('commended'),
      selfCriticism: tier('selfCriticism'),
      reminderTalk: tier('reminderTalk'),
      admonishmentTalk: tier('admonishmentTalk'),
      circle: members.filter((c) => c.circle.member).length,
      entered: members.filter((c) => c.circle.movement === 'entered').length,
      newProblems: problems.filter((p) => p.isNew).length,
      openProblems: problems.filter((p) => p.state !== 'closed').length,
      overdue: rows.filter((d) => d.colorReason === 'overdue').length,
      colors,
      figures: figuresText(eff.get(t.id) ?? null),
    };
  });
}

function documentsView(b: Bulletin) {
  const cadres = new Map(b.cadres.map((c) => [c.cadreId, c]));
  const bulletins = b.documents
    .filter((d) => d.kind === 'bulletin')
    .sort((x, y) => (y.revision ?? 0) - (x.revision ?? 0));
  const own = bulletins.find((d) => d.revision === b.revision) ?? bulletins[0];
  const link = (d: BulletinDocument) => ({
    id: d.id,
    title: d.title,
    kind: DOCUMENT_KIND_LABELS[d.kind] ?? d.kind,
    cadre: d.cadreId ? (cadres.get(d.cadreId)?.name ?? d.cadreId) : '',
    revision: d.revision ?? null,
    pdf: d.pdf ? downloadHref(d.id, 'pdf') : '',
    html: downloadHref(d.id, 'html'),
  });
  return {
    bulletin: own ? link(own) : null,
    notices: b.documents.filter((d) => d.kind !== 'bulletin').map(link),
    noticesHref: `/app/admin/notices?week=${encodeURIComponent(b.week)}`,
  };
}

async function weekPage(ctx: PageContext, week: string, revision: string | null) {
  const [b, names, history, rules] = await Promise.all([
    readBulletin(ctx.api, week, revision ?? undefined),
    placeNames(ctx.api, { none: COUNTY_LEVEL }),
    evaluatedWeeks(ctx.api, 9, week),
    ctx.api.get('/rules'),
  ]);
  if (!b) return notFoundPage(`${weekLabel(week)}尚未评定，没有周通报`);
  // The week's documents come with it: the bulletin's issue is among them.
  const issueLabel = bulletinLabel(b.week, b.provisional ? undefined : bulletinIssueOf(b.documents));
  // The numbers the colour legend prints are those of the rule set the week was judged by.
  const judgedBy = rules.versions.find((r) => r.version === b.ruleSetVersion) ?? rules.current;
  const cadres = new Map(b.cadres.map((c) => [c.cadreId, c]));
  const people = (ids: readonly string[]) => ids.map((id) => person(cadres.get(id), id, names));
  const latest = b.revisions.at(-1)?.revision ?? b.revision;
  const dispatches = b.dispatches ?? b.overdueDispatches;
  const newProblems = b.problems.filter((p) => p.isNew).length;
  const overdueRows = b.overdueDispatches
    .map((d) => ({
      dispatch: [d.number, d.title].filter(Boolean).join(' ') || d.dispatchId,
      cadre: cadres.get(d.cadreId)?.name ?? d.cadreId,
      village: names.village(d.villageId),
      township: names.township(matterTownship(d, names, cadres)),
      deadline: shortDateTime(d.deadline),
      daysOverdue: d.daysOverdue,
    }))
    .sort((x, y) => y.daysOverdue - x.daysOverdue || x.dispatch.localeCompare(y.dispatch));
  const stayedOnly = b.circle.stayed.filter((id) => !b.circle.deepened.includes(id));
  const training = b.remedialTraining.map((id) => {
    const c = cadres.get(id);
    return {
      ...person(c, id, names),
      byTier: c?.remedialTraining.includes('tier') ?? false,
      byWeeks: c?.remedialTraining.includes('consecutiveWeeks') ?? false,
    };
  });

  return page(
    'admin/bulletins/week',
    `周通报 · ${issueLabel}`,
    {
      week: b.week,
      label: weekLabel(b.week),
      issueLabel,
      range: weekRange(b.week),
      provisional: b.provisional,
      revision: b.revision,
      revised: b.revision > 1,
      latestRevision: latest,
      olderRevision: !b.provisional && b.revision < latest,
      latestHref: bulletinHref(b.week),
      ruleSetVersion: b.ruleSetVersion,
      colorRules: { yellowWithinDays: judgedBy.colors.yellowWithinDays },
      evaluatedAt: shortDateTime(b.evaluatedAt),
      asOf: shortDateTime(b.asOf),
      circleHref: `/app/admin/circle?week=${encodeURIComponent(b.week)}`,
      figures: {
        ...b.counts,
        red: b.colors.total.red,
        yellow: b.colors.total.yellow,
        green: b.colors.total.green,
        newProblems,
        openProblems: b.problems.filter((p) => p.state !== 'closed').length,
        overdue: b.overdueDispatches.length,
        majorFailures: b.majorFailures.length,
        training: b.remedialTraining.length,
      },
      tiers: CHART_TIERS.map((tier) => ({
        key: tier,
        label: TIER_LABELS[tier],
        badge: tierBadge(tier),
        people: people(b.tiers[tier]),
      })),
      circle: {
        entered: people(b.circle.entered),
        deepened: people(b.circle.deepened),
        stayed: people(stayedOnly),
        exited: people(b.circle.exited),
        members: b.circle.members.length,
        training,
      },
      colors: [
        { label: '问题整改', ...b.colors.problems },
        { label: '派遣任务', ...b.colors.dispatches },
        { label: '合计', ...b.colors.total, total: true },
      ],
      dispatchRows: dispatches.length,
      overdue: overdueRows,
      townships: townshipComparison(b, names),
      county: figuresText(b.effectiveness.county.current),
      countyPrevious: figuresText(b.effectiveness.county.previous),
      majorFailures: b.majorFailures.map((m) => ({
        name: m.name,
        occurredOn: shortDate(m.occurredOn),
        village: names.village(m.villageId),
        township: names.township(m.townshipId),
        cadres: m.cadreIds.map((id) => cadres.get(id)?.name ?? id).join('、'),
        consequence: m.consequenceLabel,
        serious: m.serious,
        summary: m.summary ?? '',
      })),
      absences: b.absences.map((a) => ({
        cadre: cadres.get(a.cadreId)?.name ?? a.cadreId,
        village: names.village(a.villageId),
        date: shortDate(a.date),
        severity: SEVERITY_LABELS[a.severity],
      })),
      revisions: b.revisions
        .map((r) => ({
          revision: r.revision,
          evaluatedAt: shortDateTime(r.evaluatedAt),
          href: bulletinHref(b.week, r.revision),
          current: r.revision === b.revision,
          first: r.revision === 1,
        }))
        .reverse(),
      documents: documentsView(b),
      charts: charts(b, names, history),
    },
    { nav: 'bulletins' },
  );
}

export const bulletinPages = [
  definePage({
    method: 'GET',
    path: '/app/admin/bulletins',
    roles: ROLES,
    handle: (input, ctx) => listPage(ctx, input.query.get('next')),
  }),
  definePage({
    method: 'GET',
    path: '/app/admin/bulletins/{week}',
    roles: ROLES,
    handle: (input, ctx) => weekPage(ctx, input.params.week!, input.query.get('revision')),
  }),
];

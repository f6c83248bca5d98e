import type { ApiClient, GetAnswer } from '../../../client/api-client.ts';
import { emptyColorCounts } from '../../../core/rules/colors.ts';
import type { CadreEvaluation, DispatchRow, ProblemRow } from '../../../core/rules/evaluation.ts';
import { SEVERITY_LABELS } from '../../../core/rules/terms.ts';
import { beijingDate, isoWeekOfInstant } from '../../../core/time.ts';
import type { Problem } from '../../../schemas/problems.ts';
import { boardFilters, readFilters } from '../../forms/admin-reports.ts';
import { field, freshForm } from '../../forms/state.ts';
import {
  type Bulletin,
  COUNTY_LEVEL,
  cadreNames,
  evaluatedWeeks,
  type Places,
  placeNames,
  readBulletin,
} from '../../lookups.ts';
import { definePage, page } from '../../route.ts';
import {
  addCount,
  bulletinHref,
  evaluatedColor,
  matterTownship,
  timing,
  townshipsOf,
  weekLabel,
} from '../../view/evaluation.ts';
import { shortDate, shortDateTime } from '../../view/format.ts';
import { boardVillages } from '../../view/village-colors.ts';
import { cadreHref, problemHref, villageProblemsHref } from './records.ts';

/**
 * HQ: the red / yellow / green board (红黄绿三色清单). Every matter still open — problems and dispatch
 * assignee rows — triaged by colour, red first, with the reason, days overdue or left, the cadre,
 * village and township; a township filter; counts per colour per township.
 *
 * The colours are the evaluation's, so the board, the bulletin and a cadre's page agree. GET
 * /bulletins/{week} serves the current week only once its provisional evaluation has been stored (a
 * weekly-bulletin run for the current week; nothing computes it on a read), so the board takes that
 * when there is one and otherwise the latest finished week's final evaluation, and says which and
 * as of when. Problem descriptions and what has happened since come from the live problem lists.
 */
const ROLES = ['admin', 'township', 'leader'] as const;
const DETAIL_LOOKUPS = 60;

const RANK: Record<string, number> = { red: 0, yellow: 1, '': 2 };

interface Source {
  bulletin: Bulletin;
  currentWeek: string;
}

async function boardSource(api: ApiClient, now: Date): Promise<Source | null> {
  const currentWeek = isoWeekOfInstant(now);
  const current = await readBulletin(api, currentWeek);
  if (current) return { bulletin: current, currentWeek };
  const [latest] = await evaluatedWeeks(api, 1);
  if (!latest) return null;
  const finished = await readBulletin(api, latest.week);
  return finished ? { bulletin: finished, currentWeek } : null;
}

/** Open and awaiting problems as they stand now, plus any of `ids` not among them (closed since). */
async function liveProblems(
  api: ApiClient,
  ids: string[],
  townshipId: string | undefined,
): Promise<Map<string, Problem>> {
  const [open, awaiting] = await Promise.all([
    api.all('/problems', { query: { status: 'open', townshipId } }, 5000),
    api.all('/problems', { query: { status: 'awaiting_verification', townshipId } }, 5000),
  ]);
  const byId = new Map([...open, ...awaiting].map((p) => [p.id, p]));
  const missing = ids.filter((id) => !byId.has(id)).slice(0, DETAIL_LOOKUPS);
  const found = await Promise.all(missing.map((id) => api.call('GET', '/problems/{id}', { params: { id } })));
  for (const res of found) if (res.ok) byId.set(res.body.id, res.body);
  return byId;
}

/**
 * Talks notified and not held by their date (docs/talks.md): red on the board, before the matters.
 * A reader the talks list refuses (a leader of several townships with none chosen) sees none here.
 */
async function overdueTalks(api: ApiClient, townshipId: string | undefined) {
  const res = await api.page('/talks', {
    query: { overdue: 'true', limit: 100, ...(townshipId ? { townshipId } : {}) },
  });
  if (!res.ok) return [];
  return res.body.items.map((t) => ({
    cadre: t.cadreName,
    cadreHref: cadreHref(t.cadreId),
    tier: t.tierLabel,
    number: t.notice?.number ?? '',
    dueBy: shortDate(t.dueBy),
    href: `/app/admin/talks/${encodeURIComponent(t.id)}`,
  }));
}

/**
 * Direct reports handed off to a unit (转办) and not replied to by their deadline: red on the board,
 * with the unit named; those due today are yellow beside them (docs/direct-reports.md).
 */
async function dueHandoffs(api: ApiClient, townshipId: string | undefined, now: Date) {
  const res = await api.page('/direct-report-handoffs', {
    query: { limit: 100, ...(townshipId ? { townshipId } : {}) },
  });
  if (!res.ok) return [];
  const today = beijingDate(now);
  return res.body.items
    .filter((h) => h.deadline <= today && h.repliedAt === undefined)
    .map((h) => ({
      unit: h.unitName,
      summary: h.summary,
      overdue: h.overdue,
      deadline: shortDate(h.deadline),
      href: `/app/admin/direct-reports/${encodeURIComponent(h.directReportId)}`,
    }));
}

/**
 * The numbers the board's wording prints (the yellow window's days): those of the rule set the shown
 * week was judged by, else of the rule set in force; the wording around them is the template's.
 */
function colorRulesOf(rules: GetAnswer<'/rules'>, version: number | undefined) {
  const used = rules.versions.find((r) => r.version === version) ?? rules.current;
  return { yellowWithinDays: used.colors.yellowWithinDays };
}

/** One matter on the board: a problem, or one assignee row (cadre × village) of a dispatch. */
interface BoardRow {
  key: string;
  isProblem: boolean;
  /** 0 red, 1 yellow, 2 on track. */
  rank: number;
  townshipId: string;
  township: string;
  cadre: string;
  cadreId: string;
  village: string;
  /** The problem's description, or the dispatch's number and title. */
  what: string;
  id: string;
  severity: string;
  falseRectifications: number;
  foundOn: string;
  deadline: string;
  color: ReturnType<typeof evaluatedColor>;
  timing: ReturnType<typeof timing>;
  /** What has happened to a problem since the evaluation, from its live record. */
  nowClosed: boolean;
  nowAwaiting: boolean;
  nowReopened: boolean;
  href: string;
  cadreHref: string;
  villageHref: string;
}

function problemRow(
  p: ProblemRow,
  live: Problem | undefined,
  names: Places,
  cadres: Map<string, CadreEvaluation>,
): BoardRow {
  const townshipId = matterTownship(p, names, cadres) ?? '';
  const color = evaluatedColor(p);
  return {
    key: `p:${p.problemId}`,
    isProblem: true,
    rank: RANK[color.color] ?? 2,
    townshipId,
    township: names.township(townshipId || null),
    cadre: cadres.get(p.cadreId)?.name ?? p.cadreId,
    cadreId: p.cadreId,
    village: names.village(p.villageId),
    what: live?.description ?? '',
    id: p.problemId,
    severity: SEVERITY_LABELS[p.severity],
    falseRectifications: p.falseRectifications,
    foundOn: shortDate(p.foundOn),
    deadline: shortDate(p.rectifyBy),
    color,
    timing: timing(p),
    nowClosed: live?.status === 'closed',
    nowAwaiting: p.state === 'open' && live?.status === 'awaiting_verification',
    nowReopened: p.state === 'awaiting_verification' && live?.status === 'open',
    href: problemHref(p.problemId),
    cadreHref: cadreHref(p.cadreId),
    villageHref: villageProblemsHref(p.villageId),
  };
}

function dispatchRow(d: DispatchRow, names: Places, cadres: Map<string, CadreEvaluation>): BoardRow {
  const townshipId = matterTownship(d, names, cadres) ?? '';
  const color = evaluatedColor(d);
  return {
    key: `d:${d.dispatchId}:${d.cadreId}:${d.villageId}`,
    isProblem: false,
    rank: RANK[color.color] ?? 2,
    townshipId,
    township: names.township(townshipId || null),
    cadre: cadres.get(d.cadreId)?.name ?? d.cadreId,
    cadreId: d.cadreId,
    village: names.village(d.villageId),
    what: [d.number, d.title].filter(Boolean).join(' ') || d.dispatchId,
    id: d.dispatchId,
    severity: '',
    falseRectifications: 0,
    foundOn: '',
    deadline: shortDateTime(d.deadline),
    color,
    timing: timing(d),
    nowClosed: false,
    nowAwaiting: false,
    nowReopened: false,
    href: `/app/admin/dispatches/${encodeURIComponent(d.dispatchId)}`,
    cadreHref: cadreHref(d.cadreId),
    villageHref: villageProblemsHref(d.villageId),
  };
}

/** Red first (most days overdue first), then yellow, then on track, soonest deadline first. */
function byUrgency(a: BoardRow, b: BoardRow): number {
  return (
    a.rank - b.rank ||
    b.timing.daysOverdue - a.timing.daysOverdue ||
    a.timing.daysLeft - b.timing.daysLeft ||
    a.townshipId.localeCompare(b.townshipId) ||
    a.cadre.localeCompare(b.cadre, 'zh-CN') ||
    a.key.localeCompare(b.key)
  );
}

/** Rows per page of the board: the page is cut in urgency order, red rows first. */
export const BOARD_PAGE_ROWS = 100;

/** One page of the board's rows (`?page=`), each colour's total over all pages, and the page links. */
function boardPage(rows: BoardRow[], query: URLSearchParams, township: string) {
  const pages = Math.max(1, Math.ceil(rows.length / BOARD_PAGE_ROWS));
  const asked = Number.parseInt(query.get('page') ?? '1', 10);
  const current = Number.isInteger(asked) ? Math.min(Math.max(asked, 1), pages) : 1;
  const shown = rows.slice((current - 1) * BOARD_PAGE_ROWS, current * BOARD_PAGE_ROWS);
  const href = (n: number) => {
    const qs = new URLSearchParams({
      ...(township ? { townshipId: township } : {}),
      ...(n > 1 ? { page: String(n) } : {}),
    });
    return qs.size ? `/app/admin/board?${qs}` : '/app/admin/board';
  };
  return {
    red: shown.filter((r) => r.rank === 0),
    yellow: shown.filter((r) => r.rank === 1),
    onTrack: shown.filter((r) => r.rank === 2),
    redTotal: rows.filter((r) => r.rank === 0).length,
    yellowTotal: rows.filter((r) => r.rank === 1).length,
    onTrackTotal: rows.filter((r) => r.rank === 2).length,
    paging: {
      show: pages > 1,
      previous: current > 1 ? href(current - 1) : '',
      next: current < pages ? href(current + 1) : '',
      page: current,
      pages,
    },
  };
}

export const boardPages = [
  definePage({
    method: 'GET',
    path: '/app/admin/board',
    roles: ROLES,
    async handle(input, ctx) {
      const filters = readFilters(boardFilters, input.query, ['townshipId']);
      const [source, names, talks, handoffs, rules] = await Promise.all([
        boardSource(ctx.api, ctx.now),
        placeNames(ctx.api, { none: COUNTY_LEVEL }),
        overdueTalks(ctx.api, readFilters(boardFilters, input.query, ['townshipId']).values.townshipId),
        dueHandoffs(
          ctx.api,
          readFilters(boardFilters, input.query, ['townshipId']).values.townshipId,
          ctx.now,
        ),
        ctx.api.get('/rules'),
      ]);
      const colorRules = colorRulesOf(rules, source?.bulletin.ruleSetVersion);
      const form = freshForm(filters.given);
      form.errors = filters.errors;
      const township = filters.values.townshipId ?? '';
      if (!source) {
        return page(
          'admin/board/index',
          '红黄绿三色清单',
          {
            hasSource: false,
            colorRules,
            source: null,
            filter: {
              townshipId: field(form, 'townshipId'),
              townships: names.townships.map((t) => ({
                value: t.id,
                label: t.name,
                selected: t.id === township,
              })),
            },
            red: [],
            redTotal: 0,
            yellowTotal: 0,
            onTrackTotal: 0,
            paging: { show: false, previous: '', next: '', page: 1, pages: 1 },
            yellow: [],
            onTrack: [],
            counts: [],
            total: emptyColorCounts(),
            notInEvaluation: 0,
            overdueTalks: talks,
            handoffs,
            villages: [],
            exportFilters: township ? [{ name: 'townshipId', value: township }] : [],
          },
          { nav: 'board' },
        );
      }
      const b = source.bulletin;
      const cadres = new Map(b.cadres.map((c) => [c.cadreId, c]));
      const inTownship = (row: { townshipId?: string | null; villageId: string; cadreId: string }) =>
        !township || (matterTownship(row, names, cadres) ?? '') === township;
      const openProblems = b.problems.filter((p) => p.state !== 'closed' && inTownship(p));
      const live = await liveProblems(
        ctx.api,
        openProblems.map((p) => p.problemId),
        township || undefined,
      );
      const evaluatedIds = new Set(b.problems.map((p) => p.problemId));
      const dispatchWords = new Map(
        (b.dispatches ?? b.overdueDispatches).map((d) => [
          `${d.dispatchId}/${d.cadreId}`,
          [d.number, d.title].filter(Boolean).join(' '),
        ]),
      );
      const villages = await boardVillages(
        ctx.api,
        b,
        names,
        (id) => !township || id === township,
        (kind, id) => (kind === 'problem' ? live.get(id)?.description : dispatchWords.get(id)) ?? '',
      );
      const dispatchRows = b.dispatches ?? b.overdueDispatches;

      // Counts per township cover every matter of the evaluation, green (closed this week) too.
      const all = [
        ...b.problems.map((p) => ({ color: p.color, townshipId: matterTownship(p, names, cadres) ?? '' })),
        ...dispatchRows.map((d) => ({ color: d.color, townshipId: matterTownship(d, names, cadres) ?? '' })),
      ];
      const townships = townshipsOf(
        names,
        all.map((m) => m.townshipId || null),
      );
      const counts = townships
        .map((t) => {
          const c = emptyColorCounts();
          for (const m of all) if (m.townshipId === t.id) addCount(c, m.color);
          return {
            id: t.id,
            name: t.name,
            ...c,
            open: c.red + c.yellow + c.onTrack,
            selected: t.id === township,
          };
        })
        .filter((t) => t.red + t.yellow + t.green + t.onTrack > 0 || t.selected);
      const total = emptyColorCounts();
      for (const m of all) addCount(total, m.color);

      const rows = [
        ...openProblems.map((p) => problemRow(p, live.get(p.problemId), names, cadres)),
        ...dispatchRows
          .filter((d) => d.doneAt === null && inTownship(d))
          .map((d) => dispatchRow(d, names, cadres)),
      ].sort(byUrgency);
      // The evaluation keeps the names of its week; the board shows people by today's (corrected) names.
      const liveCadres = await cadreNames(
        ctx.api,
        rows.map((r) => r.cadreId),
      );
      for (const r of rows) r.cadre = liveCadres.get(r.cadreId)?.name ?? r.cadre;
      const notInEvaluation = [...live.values()].filter(
        (p) => p.status !== 'closed' && !evaluatedIds.has(p.id),
      ).length;

      return page(
        'admin/board/index',
        '红黄绿三色清单',
        {
          hasSource: true,
          colorRules,
          source: {
            week: b.week,
            label: weekLabel(b.week),
            provisional: b.provisional,
            asOf: shortDateTime(b.asOf),
            sunday: shortDate(b.sunday),
            currentWeek: source.currentWeek,
            currentLabel: weekLabel(source.currentWeek),
            currentMissing: b.week !== source.currentWeek,
            href: bulletinHref(b.week),
          },
          filter: {
            townshipId: field(form, 'townshipId'),
            townships: names.townships.map((t) => ({
              value: t.id,
              label: t.name,
              selected: t.id === township,
            })),
          },
          townshipName: township ? names.township(township) : '',
          ...boardPage(rows, input.query, township),
          counts,
          total: { ...total, open: total.red + total.yellow + total.onTrack },
          notInEvaluation,
          overdueTalks: talks,
          handoffs,
          villages,
          exportFilters: township ? [{ name: 'townshipId', value: township }] : [],
        },
        { nav: 'board' },
      );
    },
  }),
];

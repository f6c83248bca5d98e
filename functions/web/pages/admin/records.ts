import {
  PROBLEM_SOURCE_LABELS,
  PROBLEM_SOURCES,
  problemCategoriesOf,
} from '../../../core/problem-categories.ts';
import { isOverdue, SEVERITY_LABELS, STATUS_LABELS } from '../../../core/problems.ts';
import { beijingDate } from '../../../core/time.ts';
import { choices, field } from '../../forms/state.ts';
import { cadreNames, currentRules, type Places, placeNames } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { downloadHref, weekLabel } from '../../view/evaluation.ts';
import { dateOf, shortDate, shortDateTime, signer } from '../../view/format.ts';
import { townshipOptions, villageGroups } from '../../view/places.ts';
import { ADMIN, CONSOLE, filterState, listPage, pager, queryOf } from './lists.ts';

/**
 * HQ's view of every record: the problem list (filters, name search, paging, overdue highlighted), a
 * problem's whole history, the inspection list and one inspection, and a cadre's profile. Rows link
 * to each other, and the board and the circle link here.
 */
const PROBLEMS = '/app/admin/problems';
const INSPECTIONS = '/app/admin/inspections';
export const cadreHref = (id: string) => `/app/admin/cadres/${encodeURIComponent(id)}`;
export const problemHref = (id: string) => `${PROBLEMS}/${encodeURIComponent(id)}`;
export const villageProblemsHref = (id: string) => `${PROBLEMS}?villageId=${encodeURIComponent(id)}`;
const inspectionHref = (id: string) => `${INSPECTIONS}/${encodeURIComponent(id)}`;

const STATUS_OPTIONS = Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }));
const SEVERITY_OPTIONS = Object.entries(SEVERITY_LABELS).map(([value, label]) => ({ value, label }));
const OVERDUE_OPTIONS = [{ value: 'true', label: '只看逾期未整改' }];
const MODE_OPTIONS = [
  { value: 'open', label: '明查' },
  { value: 'covert', label: '暗访' },
  { value: 'spot', label: '抽查' },
];

/** Photos another part of a record may carry (`photos: [{ id, url, thumbnailUrl }]`). */
function photosOf(record: unknown): Array<{ url: string; thumbnailUrl: string }> {
  const photos = (record as { photos?: unknown }).photos;
  if (!Array.isArray(photos)) return [];
  return photos
    .filter((p): p is { url: string; thumbnailUrl?: string } => typeof p?.url === 'string')
    .map((p) => ({ url: p.url, thumbnailUrl: typeof p.thumbnailUrl === 'string' ? p.thumbnailUrl : p.url }));
}

function placeCells(names: Places, p: { villageId: string; townshipId: string }) {
  return {
    village: names.village(p.villageId),
    villageHref: villageProblemsHref(p.villageId),
    township: names.township(p.townshipId),
  };
}

async function problemList(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, [
    'q',
    'townshipId',
    'villageId',
    'cadreId',
    'status',
    'severity',
    'category',
    'source',
    'overdue',
    'from',
    'to',
  ]);
  const [names, list, rules] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/problems', filters, input.query.get('next')),
    currentRules(ctx.api),
  ]);
  const cadres = await cadreNames(ctx.api, [
    ...list.items.map((p) => p.cadreId),
    ...(filters.cadreId ? [filters.cadreId] : []),
  ]);
  const state = filterState(filters, list.errors);
  const today = beijingDate(ctx.now);
  return page(
    'admin/records/problems',
    '问题',
    {
      filter: {
        error: list.error,
        q: field(state, 'q'),
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
        villageId: field(state, 'villageId'),
        villages: villageGroups(names, filters.villageId ?? ''),
        status: field(state, 'status'),
        statuses: choices(state, 'status', STATUS_OPTIONS),
        severity: field(state, 'severity'),
        severities: choices(state, 'severity', SEVERITY_OPTIONS),
        category: field(state, 'category'),
        categories: choices(
          state,
          'category',
          problemCategoriesOf(rules).map((c) => ({ value: c, label: c })),
        ),
        source: field(state, 'source'),
        sources: choices(
          state,
          'source',
          PROBLEM_SOURCES.map((s) => ({ value: s, label: PROBLEM_SOURCE_LABELS[s] })),
        ),
        overdue: field(state, 'overdue'),
        overdueOptions: choices(state, 'overdue', OVERDUE_OPTIONS),
        from: field(state, 'from'),
        to: field(state, 'to'),
        cadreId: filters.cadreId ?? '',
        cadreName: filters.cadreId ? (cadres.get(filters.cadreId)?.name ?? filters.cadreId) : '',
      },
      rows: list.items.map((p) => ({
        id: p.id,
        href: problemHref(p.id),
        description: p.description,
        severity: SEVERITY_LABELS[p.severity],
        severe: p.severity === 'severe',
        category: p.category ?? '',
        source: p.sourceLabel ?? '',
        repeat: p.repeat ? { weeks: p.repeat.weeks, count: p.repeat.of.length + 1 } : null,
        status: STATUS_LABELS[p.status],
        closed: p.status === 'closed',
        awaiting: p.status === 'awaiting_verification',
        overdue: isOverdue(p, today),
        falseRectifications: p.falseRectifications,
        foundOn: shortDate(p.foundOn),
        rectifyBy: shortDate(p.rectifyBy),
        cadre: cadres.get(p.cadreId)?.name ?? p.cadreId,
        cadreHref: cadreHref(p.cadreId),
        ...placeCells(names, p),
      })),
      pager: pager(PROBLEMS, filters, list.next, input.query),
    },
    { nav: 'problems' },
  );
}

/** One entry of a problem's timeline, oldest first; the template words each kind. */
interface TimelineEntry {
  sort: string;
  at: string;
  kind: string;
  by: string;
  note: string;
  [flag: string]: unknown;
}

async function problemDetail(input: PageInput, ctx: PageContext) {
  const id = input.params.id as string;
  const p = await ctx.api.get('/problems/{id}', { params: { id } });
  const today = beijingDate(ctx.now);
  const entries: TimelineEntry[] = [];
  if (p.found) {
    entries.push({
      sort: `${p.found.date}T00:00:00.000Z`,
      at: shortDate(p.found.date),
      kind: 'found',
      isFound: true,
      by: signer((p.found as Record<string, unknown>).recordedByName, '督查组'),
      note: p.description,
      mode: p.found.modeLabel,
      voided: p.found.voided === true,
      href: inspectionHref(p.found.inspectionId),
      photos: photosOf(p),
    });
  }
  // Extensions (延期) come as their own list: they join the timeline as kind `extension`.
  const extensions = (p.extensions ?? []).map((x) => ({ ...x, kind: 'extension', note: x.reason }));
  for (const e of [...p.events, ...extensions] as Array<
    Record<string, unknown> & { at: string; kind: string; by: string; note: string }
  >) {
    entries.push({
      sort: e.at,
      at: shortDateTime(e.at),
      kind: e.kind,
      isRectification: e.kind === 'rectification',
      isVerification: e.kind === 'verification',
      isExtension: e.kind === 'extension',
      isOther: !['rectification', 'verification', 'extension'].includes(e.kind),
      accepted: e.outcome === 'accepted',
      rejected: e.outcome === 'rejected',
      incomplete: e.rejectionKind === 'incomplete',
      rectifyBy: typeof e.rectifyBy === 'string' ? shortDate(e.rectifyBy) : '',
      // The cadre's own steps read with their name; other people's as the API names them.
      by:
        e.by === p.cadreId && p.cadreName
          ? p.cadreName
          : signer(e.byName, e.kind === 'verification' ? '督查组' : '指挥部'),
      note: e.note ?? (typeof e.reason === 'string' ? e.reason : ''),
      photos: photosOf(e),
    });
  }
  for (const n of p.notices ?? []) {
    entries.push({
      sort: n.createdAt,
      at: shortDateTime(n.createdAt),
      kind: 'notice',
      isNotice: true,
      by: '',
      note: '',
      title: n.title,
      number: n.number,
      week: n.week ? weekLabel(n.week) : '',
      html: downloadHref(n.id, 'html'),
      pdf: n.downloads.pdf ? downloadHref(n.id, 'pdf') : '',
    });
  }
  entries.sort((a, b) => a.sort.localeCompare(b.sort));
  return page(
    'admin/records/problem',
    `问题：${p.description.slice(0, 20)}`,
    {
      problem: {
        id: p.id,
        description: p.description,
        severity: SEVERITY_LABELS[p.severity],
        status: STATUS_LABELS[p.status],
        closed: p.status === 'closed',
        overdue: isOverdue(p, today),
        foundOn: shortDate(p.foundOn),
        rectifyBy: shortDate(p.rectifyBy),
        falseRectifications: p.falseRectifications,
        cadre: p.cadreName ?? p.cadreId,
        cadreHref: cadreHref(p.cadreId),
        village: p.villageName ?? p.villageId,
        villageHref: villageProblemsHref(p.villageId),
        township: p.townshipName ?? p.townshipId,
        extensionHref: `${problemHref(p.id)}/extension`,
        closedAt: p.closedAt ? shortDateTime(p.closedAt) : '',
        category: p.category ?? '',
        source: p.sourceLabel ?? '',
        absence: p.absence === true,
        repeat: p.repeat
          ? { weeks: p.repeat.weeks, earlier: p.repeat.of.map((id) => ({ id, href: problemHref(id) })) }
          : null,
      },
      timeline: entries,
    },
    { nav: 'problems' },
  );
}

async function inspectionList(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['q', 'townshipId', 'villageId', 'cadreId', 'mode', 'from', 'to']);
  const [names, list] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/inspections', filters, input.query.get('next')),
  ]);
  const cadres = filters.cadreId ? await cadreNames(ctx.api, [filters.cadreId]) : new Map();
  const state = filterState(filters, list.errors);
  return page(
    'admin/records/inspections',
    '督查记录',
    {
      filter: {
        error: list.error,
        q: field(state, 'q'),
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
        villageId: field(state, 'villageId'),
        villages: villageGroups(names, filters.villageId ?? ''),
        mode: field(state, 'mode'),
        modes: choices(state, 'mode', MODE_OPTIONS),
        from: field(state, 'from'),
        to: field(state, 'to'),
        cadreId: filters.cadreId ?? '',
        cadreName: filters.cadreId ? (cadres.get(filters.cadreId)?.name ?? filters.cadreId) : '',
      },
      rows: list.items.map((i) => ({
        id: i.id,
        href: inspectionHref(i.id),
        date: shortDate(i.date),
        mode: i.modeLabel,
        voided: Boolean((i as Record<string, unknown>).voidedAt ?? (i as Record<string, unknown>).voided),
        findings: i.findingCount,
        present: i.presentCount,
        absent: i.absentCount,
        problems: i.problemCount,
        recordedBy: signer(i.recordedByName, '督查组'),
        ...placeCells(names, i),
      })),
      pager: pager(INSPECTIONS, filters, list.next, input.query),
    },
    { nav: 'inspections' },
  );
}

async function inspectionDetail(input: PageInput, ctx: PageContext) {
  const id = input.params.id as string;
  const [i, names] = await Promise.all([
    ctx.api.get('/inspections/{id}', { params: { id } }),
    placeNames(ctx.api),
  ]);
  const cadres = await cadreNames(
    ctx.api,
    i.findings.map((f) => f.cadreId),
  );
  const today = beijingDate(ctx.now);
  const extra = i as Record<string, unknown>;
  return page(
    'admin/records/inspection',
    `督查记录 ${shortDate(i.date)}`,
    {
      inspection: {
        id: i.id,
        date: shortDate(i.date),
        mode: i.modeLabel,
        note: i.note ?? '',
        recordedBy: signer(i.recordedByName, '督查组'),
        recordedAt: shortDateTime(i.createdAt),
        present: i.presentCount,
        absent: i.absentCount,
        commended: i.commendCount,
        problems: i.problemCount,
        voided: Boolean(extra.voidedAt ?? extra.voided),
        voidReason: i.voided?.reason ?? (typeof extra.voidReason === 'string' ? extra.voidReason : ''),
        voidHref: `${inspectionHref(i.id)}/void`,
        ...placeCells(names, i),
      },
      findings: i.findings.map((f) => {
        const presence = (f as Record<string, unknown>).presence;
        return {
          cadre: cadres.get(f.cadreId)?.name ?? f.cadreId,
          cadreHref: cadreHref(f.cadreId),
          present: presence === undefined ? f.present : presence === 'present',
          absent: presence === undefined ? !f.present : presence === 'absent',
          commend: f.commend,
          note: f.note ?? '',
          problems: f.problems.map((p) => ({
            href: problemHref(p.id),
            description: p.description,
            severity: SEVERITY_LABELS[p.severity],
            status: STATUS_LABELS[p.status],
            rectifyBy: shortDate(p.rectifyBy),
            overdue: isOverdue(p, today),
          })),
        };
      }),
    },
    { nav: 'inspections' },
  );
}

async function cadreProfile(input: PageInput, ctx: PageContext) {
  const id = input.params.id as string;
  const [profile, names] = await Promise.all([
    ctx.api.get('/cadres/{id}/profile', { params: { id } }),
    placeNames(ctx.api),
  ]);
  const today = beijingDate(ctx.now);
  const c = profile.cadre;
  return page(
    'admin/records/cadre',
    `干部档案：${c.name}`,
    {
      cadre: {
        id: c.id,
        name: c.name,
        unit: c.unit,
        rank: c.rankLabel,
        township: c.townshipId ? names.township(c.townshipId) : '',
        phone: c.phone ?? '',
        email: c.email ?? '',
        problemsHref: `${PROBLEMS}?cadreId=${encodeURIComponent(c.id)}`,
        inspectionsHref: `${INSPECTIONS}?cadreId=${encodeURIComponent(c.id)}`,
        noticesHref: `/app/admin/notices?cadreId=${encodeURIComponent(c.id)}`,
      },
      assignments: [...profile.assignments]
        .sort((a, b) => b.from.localeCompare(a.from))
        .map((a) => ({
          village: names.village(a.villageId),
          villageHref: villageProblemsHref(a.villageId),
          township: names.township(a.townshipId),
          role: a.roleLabel,
          chief: a.role === 'chief',
          from: shortDate(a.from),
          to: a.to ? shortDate(a.to) : '',
          active: a.active,
          endReason: a.endReason ?? '',
        })),
      weeks: profile.weeks.map((w) => ({
        week: weekLabel(w.week),
        href: `/app/admin/bulletins?week=${encodeURIComponent(w.week)}`,
        tier: w.tierLabel,
        penalty: w.tier === 'reminderTalk' || w.tier === 'admonishmentTalk',
        commended: w.tier === 'commended',
        weightedCount: w.weightedCount,
        inCircle: w.inCircle,
        movement: w.movementLabel,
        explanation: w.explanation,
        revision: w.revision,
      })),
      problems: profile.problems.map((p) => ({
        href: problemHref(p.id),
        description: p.description,
        severity: SEVERITY_LABELS[p.severity],
        status: STATUS_LABELS[p.status],
        closed: p.status === 'closed',
        overdue: isOverdue(p, today),
        foundOn: shortDate(p.foundOn),
        rectifyBy: shortDate(p.rectifyBy),
        village: names.village(p.villageId),
        falseRectifications: p.falseRectifications,
      })),
      moreProblems: profile.moreProblems,
      visits: profile.visits.map((v) => ({
        at: shortDateTime(v.at),
        date: shortDate(dateOf(v.at)),
        village: names.village(v.villageId),
        overnight: v.overnight,
        far: v.far,
        note: v.note ?? '',
      })),
      nights: profile.nights,
      notices: profile.notices.map((n) => ({
        title: n.title,
        number: n.number,
        week: n.week ? weekLabel(n.week) : '',
        html: downloadHref(n.id, 'html'),
        pdf: n.downloads.pdf ? downloadHref(n.id, 'pdf') : '',
      })),
    },
    { nav: 'problems' },
  );
}

export const recordPages: PageDef[] = [
  definePage({ method: 'GET', path: PROBLEMS, roles: CONSOLE, handle: problemList }),
  definePage({ method: 'GET', path: `${PROBLEMS}/{id}`, roles: CONSOLE, handle: problemDetail }),
  definePage({ method: 'GET', path: INSPECTIONS, roles: ADMIN, handle: inspectionList }),
  definePage({ method: 'GET', path: `${INSPECTIONS}/{id}`, roles: ADMIN, handle: inspectionDetail }),
  definePage({ method: 'GET', path: '/app/admin/cadres/{id}', roles: CONSOLE, handle: cadreProfile }),
];

import { handoffOverdue, townshipMayAct } from '../../../core/direct-reports.ts';
import { addDays, beijingDate } from '../../../core/time.ts';
import {
  DIRECT_REPORT_KIND_LABELS,
  DIRECT_REPORT_KINDS,
  DIRECT_REPORT_LEVEL_LABELS,
  DIRECT_REPORT_LEVELS,
  DIRECT_REPORT_STATUS_LABELS,
  DIRECT_REPORT_STATUSES,
  type DirectReport,
} from '../../../schemas/direct-reports.ts';
import { dispatchForms } from '../../forms/admin-dispatches.ts';
import { choices, type FormState, field, formView, freshForm, scoped } from '../../forms/state.ts';
import { cadreNames, type Places, placeNames } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { shortDate, shortDateTime, signer } from '../../view/format.ts';
import { villageGroups } from '../../view/places.ts';
import {
  CONSOLE,
  doneFlags,
  exportFilters,
  filterState,
  listPage,
  pager,
  queryOf,
  statusOf,
  TOWNSHIP_WRITES,
} from './lists.ts';

/**
 * HQ's direct reports (信息直报): what is waiting for acknowledgement comes first, emergencies at the
 * top, then the rest newest first (the API's order, page by page); a report's detail with the
 * acknowledgement form, and the response time once acknowledged — the figure seed 002 says used to be
 * one or two weeks to a month.
 */
const BASE = '/app/admin/direct-reports';

const STATUS_OPTIONS = DIRECT_REPORT_STATUSES.map((s) => ({
  value: s,
  label: DIRECT_REPORT_STATUS_LABELS[s],
}));
const LEVEL_OPTIONS = DIRECT_REPORT_LEVELS.map((l) => ({ value: l, label: DIRECT_REPORT_LEVEL_LABELS[l] }));
const KIND_OPTIONS = DIRECT_REPORT_KINDS.map((k) => ({ value: k, label: DIRECT_REPORT_KIND_LABELS[k] }));

/** Minutes as days, hours and minutes, for the template to word. */
export function duration(totalMinutes: number) {
  const m = Math.max(0, Math.round(totalMinutes));
  return { days: Math.floor(m / 1440), hours: Math.floor((m % 1440) / 60), minutes: m % 60 };
}

function waitedMinutes(report: DirectReport, now: Date): number {
  return (now.getTime() - Date.parse(report.createdAt)) / 60_000;
}

function row(r: DirectReport, names: Places, cadres: Map<string, { name: string }>, now: Date) {
  const isNew = r.status === 'new';
  return {
    id: r.id,
    kind: r.kindLabel,
    emergency: r.kind === 'emergency',
    summary: r.summary,
    village: names.village(r.villageId),
    township: names.township(r.townshipId),
    cadre: cadres.get(r.cadreId)?.name ?? r.cadreId,
    at: shortDateTime(r.createdAt),
    skipLevels: r.skipLevels,
    isNew,
    status: DIRECT_REPORT_STATUS_LABELS[r.status],
    closed: r.status === 'closed',
    level: r.levelLabel ?? '',
    waited: isNew ? duration(waitedMinutes(r, now)) : null,
    response: r.responseMinutes !== undefined ? duration(r.responseMinutes) : null,
    href: `${BASE}/${encodeURIComponent(r.id)}`,
  };
}

/** Emergencies first, then newest first. */
function byUrgency(a: DirectReport, b: DirectReport): number {
  const e = Number(b.kind === 'emergency') - Number(a.kind === 'emergency');
  return e || b.createdAt.localeCompare(a.createdAt);
}

async function listView(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['kind', 'status', 'villageId', 'from', 'to']);
  const next = input.query.get('next');
  const onlyNew = filters.status === 'new';
  // Without a status filter the first page holds every waiting report (then the acknowledged ones,
  // page by page); with one, that list alone is paged.
  const showNew = filters.status === undefined ? !next : onlyNew;
  const [names, waiting, rest] = await Promise.all([
    placeNames(ctx.api),
    showNew
      ? listPage(ctx.api, '/direct-reports', { ...filters, status: 'new' }, onlyNew ? next : null, 100)
      : undefined,
    onlyNew
      ? undefined
      : listPage(ctx.api, '/direct-reports', filters.status ? filters : { ...filters }, next),
  ]);
  const fresh = [...(waiting?.items ?? [])].sort(byUrgency);
  // Without a status filter the waiting ones are listed above: the rest is every other status.
  const done = (rest?.items ?? []).filter((r) => r.status !== 'new');
  const cadres = await cadreNames(
    ctx.api,
    [...fresh, ...done].map((r) => r.cadreId),
  );
  const refused = waiting?.error ? waiting : rest;
  const state = filterState(filters, refused?.errors ?? []);
  return page(
    'admin/direct-reports/list',
    '信息直报',
    {
      filter: {
        error: refused?.error ?? '',
        kind: field(state, 'kind'),
        kinds: choices(state, 'kind', KIND_OPTIONS),
        status: field(state, 'status'),
        statuses: choices(state, 'status', STATUS_OPTIONS),
        villageId: field(state, 'villageId'),
        villageGroups: villageGroups(names, filters.villageId ?? ''),
        from: field(state, 'from'),
        to: field(state, 'to'),
      },
      showNew,
      showDone: rest !== undefined,
      fresh: fresh.map((r) => row(r, names, cadres, ctx.now)),
      moreNew: !onlyNew && Boolean(waiting?.next),
      moreNewHref: `${BASE}?${new URLSearchParams({ ...filters, status: 'new' })}`,
      emergencies: fresh.filter((r) => r.kind === 'emergency').length,
      done: done.map((r) => row(r, names, cadres, ctx.now)),
      pager: pager(BASE, filters, onlyNew ? waiting?.next : rest?.next, input.query),
      exportFilters: exportFilters(filters),
    },
    { nav: 'direct' },
  );
}

/** The forms of a report's detail: a refused one comes back with what was typed, the others fresh. */
type DetailForm = 'ack' | 'triage' | 'handoff' | 'close' | `reply:${string}`;

async function detailView(
  ctx: PageContext,
  id: string,
  query: URLSearchParams,
  state?: FormState,
  status?: number,
  which: DetailForm = 'ack',
) {
  const r = await ctx.api.get('/direct-reports/{id}', { params: { id } });
  const roles = ctx.session?.roles ?? [];
  const hq = roles.includes('admin');
  const mayAct = hq || (roles.includes('township') && townshipMayAct(r));
  const [names, cadres, units] = await Promise.all([
    placeNames(ctx.api),
    cadreNames(ctx.api, [r.cadreId]),
    mayAct && r.status !== 'closed' ? ctx.api.all('/units', {}, 2000) : Promise.resolve([]),
  ]);
  const cadre = cadres.get(r.cadreId);
  const formOf = (name: DetailForm, initial: Record<string, string> = {}) =>
    which === name && state ? state : freshForm(initial);
  const form = formOf('ack');
  const triage = formOf('triage', { level: r.level ?? (r.skipLevels ? 'county' : 'township') });
  const handoff = formOf('handoff', { deadline: addDays(beijingDate(ctx.now), 3) });
  const close = formOf('close');
  const today = beijingDate(ctx.now);
  const base = `${BASE}/${encodeURIComponent(r.id)}`;
  const handoffs = (r.handoffs ?? []).map((h) => {
    const reply = formOf(`reply:${h.id}`);
    return {
      unit: h.unitName,
      deadline: shortDate(h.deadline),
      note: h.note,
      at: shortDateTime(h.createdAt),
      by: signer(h.createdByName, '指挥部'),
      replied: h.repliedAt !== undefined,
      reply: h.reply ?? '',
      repliedAt: shortDateTime(h.repliedAt),
      repliedBy: h.repliedAt ? signer(h.repliedByName, h.unitName) : '',
      overdue: handoffOverdue(h, today),
      replyForm:
        hq && h.repliedAt === undefined && r.status !== 'closed'
          ? {
              action: `${base}/handoffs/${encodeURIComponent(h.id)}/reply`,
              form: formView(reply),
              reply: field(reply, 'reply'),
            }
          : null,
    };
  });
  const step = {
    canTriage: mayAct && ['new', 'acknowledged', 'triaged'].includes(r.status),
    canHandOff: mayAct && ['triaged', 'handed_off', 'replied'].includes(r.status),
    canClose: mayAct && r.status !== 'closed' && !handoffs.some((h) => !h.replied),
    waitingReply: r.status === 'handed_off',
  };
  return page(
    'admin/direct-reports/detail',
    `信息直报：${r.summary}`,
    {
      done: doneFlags(query, ['acknowledged', 'triaged', 'handed-off', 'replied', 'closed']),
      report: {
        ...row(r, names, cadres, ctx.now),
        details: r.details ?? '',
        cadreId: r.cadreId,
        phone: cadre?.phone ?? '',
        unit: cadre?.unit ?? '',
        acknowledgedAt: shortDateTime(r.acknowledgedAt),
        acknowledgedBy: r.acknowledgedAt ? signer(r.acknowledgedByName, '指挥部') : '',
        reply: r.acknowledgementNote ?? '',
        triagedAt: shortDateTime(r.triagedAt),
        triagedBy: r.triagedAt ? signer(r.triagedByName, '指挥部') : '',
        triageNote: r.triageNote ?? '',
        closedAt: shortDateTime(r.closedAt),
        closedBy: r.closedAt ? signer(r.closedByName, '指挥部') : '',
        resolution: r.resolution ?? '',
        resolutionTime: r.resolutionMinutes !== undefined ? duration(r.resolutionMinutes) : null,
      },
      handoffs,
      step,
      action: `${base}/acknowledge`,
      form: formView(form),
      fields: { note: field(form, 'note') },
      triage: {
        action: `${base}/triage`,
        form: formView(triage),
        level: field(triage, 'level'),
        levels: choices(triage, 'level', LEVEL_OPTIONS),
        note: scoped(field(triage, 'note'), 'triage'),
      },
      handoff: {
        action: `${base}/handoffs`,
        form: formView(handoff),
        unitId: field(handoff, 'unitId'),
        units: choices(
          handoff,
          'unitId',
          units.map((u) => ({ value: u.id, label: u.name })),
        ),
        deadline: field(handoff, 'deadline'),
        note: scoped(field(handoff, 'note'), 'handoff'),
      },
      close: { action: `${base}/close`, form: formView(close), resolution: field(close, 'resolution') },
    },
    { nav: 'direct', ...statusOf(status) },
  );
}

export const directReportPages: PageDef[] = [
  definePage({ method: 'GET', path: BASE, roles: CONSOLE, handle: listView }),
  definePage({
    method: 'GET',
    path: `${BASE}/{id}`,
    roles: CONSOLE,
    handle: (input, ctx) => detailView(ctx, input.params.id!, input.query),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{id}/acknowledge`,
    roles: TOWNSHIP_WRITES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: dispatchForms['direct-report-ack'],
        path: '/direct-reports/{id}/acknowledge',
        params: { id: input.params.id! },
        success: () => `${BASE}/${encodeURIComponent(input.params.id!)}?done=acknowledged`,
        refused: (state, status) => detailView(ctx, input.params.id!, new URLSearchParams(), state, status),
      }),
  }),
  ...(
    [
      ['triage', 'direct-report-triage', '/direct-reports/{id}/triage', 'triaged'],
      ['handoffs', 'direct-report-handoff', '/direct-reports/{id}/handoffs', 'handed-off'],
      ['close', 'direct-report-close', '/direct-reports/{id}/close', 'closed'],
    ] as const
  ).map(([step, form, path, done]) =>
    definePage({
      method: 'POST',
      path: `${BASE}/{id}/${step}`,
      roles: TOWNSHIP_WRITES,
      handle: (input, ctx) =>
        submitForm(input, ctx, {
          form: dispatchForms[form],
          path,
          params: { id: input.params.id! },
          success: () => `${BASE}/${encodeURIComponent(input.params.id!)}?done=${done}`,
          refused: (state, status) =>
            detailView(
              ctx,
              input.params.id!,
              new URLSearchParams(),
              state,
              status,
              step === 'handoffs' ? 'handoff' : step,
            ),
        }),
    }),
  ),
  definePage({
    method: 'POST',
    path: `${BASE}/{id}/handoffs/{handoffId}/reply`,
    roles: ['admin'],
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: dispatchForms['direct-report-reply'],
        path: '/direct-reports/{id}/handoffs/{handoffId}/reply',
        params: { id: input.params.id!, handoffId: input.params.handoffId! },
        success: () => `${BASE}/${encodeURIComponent(input.params.id!)}?done=replied`,
        refused: (state, status) =>
          detailView(
            ctx,
            input.params.id!,
            new URLSearchParams(),
            state,
            status,
            `reply:${input.params.handoffId!}`,
          ),
      }),
  }),
];

import {
  DIRECT_REPORT_KIND_LABELS,
  DIRECT_REPORT_KINDS,
  type DirectReport,
} from '../../../schemas/direct-reports.ts';
import { dispatchForms } from '../../forms/admin-dispatches.ts';
import { choices, type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { cadreNames, type Places, placeNames } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { shortDateTime, signer } from '../../view/format.ts';
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

const STATUS_OPTIONS = [
  { value: 'new', label: '待签收' },
  { value: 'acknowledged', label: '已签收' },
];
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
  const showNew = filters.status !== 'acknowledged' && (onlyNew || !next);
  const [names, waiting, rest] = await Promise.all([
    placeNames(ctx.api),
    showNew
      ? listPage(ctx.api, '/direct-reports', { ...filters, status: 'new' }, onlyNew ? next : null, 100)
      : undefined,
    onlyNew ? undefined : listPage(ctx.api, '/direct-reports', { ...filters, status: 'acknowledged' }, next),
  ]);
  const fresh = [...(waiting?.items ?? [])].sort(byUrgency);
  const done = rest?.items ?? [];
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

async function detailView(
  ctx: PageContext,
  id: string,
  query: URLSearchParams,
  state?: FormState,
  status?: number,
) {
  const r = await ctx.api.get('/direct-reports/{id}', { params: { id } });
  const [names, cadres] = await Promise.all([placeNames(ctx.api), cadreNames(ctx.api, [r.cadreId])]);
  const cadre = cadres.get(r.cadreId);
  const form = state ?? freshForm();
  return page(
    'admin/direct-reports/detail',
    `信息直报：${r.summary}`,
    {
      done: doneFlags(query, ['acknowledged']),
      report: {
        ...row(r, names, cadres, ctx.now),
        details: r.details ?? '',
        cadreId: r.cadreId,
        phone: cadre?.phone ?? '',
        unit: cadre?.unit ?? '',
        acknowledgedAt: shortDateTime(r.acknowledgedAt),
        acknowledgedBy: r.acknowledgedAt ? signer(r.acknowledgedByName, '指挥部') : '',
        reply: r.acknowledgementNote ?? '',
      },
      action: `${BASE}/${encodeURIComponent(r.id)}/acknowledge`,
      form: formView(form),
      fields: { note: field(form, 'note') },
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
];

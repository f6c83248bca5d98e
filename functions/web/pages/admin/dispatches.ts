import type { ApiClient } from '../../../client/api-client.ts';
import { dispatchColor } from '../../../core/rules/colors.ts';
import type { RuleSet } from '../../../core/rules/rule-set.ts';
import type { Assignment } from '../../../schemas/assignments.ts';
import type { DispatchDetail, DispatchListItem } from '../../../schemas/dispatches.ts';
import type { Cadre } from '../../../schemas/roster.ts';
import { dispatchForms } from '../../forms/admin-dispatches.ts';
import { choices, type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { cadreNames, currentRules, placeNames } from '../../lookups.ts';
import { definePage, type PageContext, type PageDef, type PageInput, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { dateOf, shortDate, shortDateTime } from '../../view/format.ts';
import { townshipOptions } from '../../view/places.ts';
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
 * HQ's task dispatch forms (任务派遣单): the list (status, township, date range; colour and progress
 * per form), the form that issues one to chosen cadre–village pairs (checkboxes of the running
 * assignments, grouped township → village → cadre), and one form's detail with every assignee's
 * progress and reports.
 */
const BASE = '/app/admin/dispatches';

const STATUS_OPTIONS = [
  { value: 'open', label: '进行中' },
  { value: 'overdue', label: '已逾期' },
  { value: 'done', label: '已完成' },
];

/** The colour of a whole form: green once every assignee is done, else by its deadline. */
function formColor(d: DispatchListItem | DispatchDetail, now: Date, rules: RuleSet) {
  const done = d.status === 'done';
  return dispatchColor(
    {
      ...d,
      villageId: undefined,
      assigneeStatus: done ? 'done' : 'pending',
      doneAt: done ? d.createdAt : null,
    },
    now,
    rules,
  );
}

async function listView(input: PageInput, ctx: PageContext) {
  const filters = queryOf(input.query, ['status', 'townshipId', 'from', 'to']);
  const [names, list, rules] = await Promise.all([
    placeNames(ctx.api),
    listPage(ctx.api, '/dispatches', filters, input.query.get('next')),
    currentRules(ctx.api),
  ]);
  const state = filterState(filters, list.errors);
  return page(
    'admin/dispatches/list',
    '派遣单',
    {
      filter: {
        error: list.error,
        status: field(state, 'status'),
        statuses: choices(state, 'status', STATUS_OPTIONS),
        townshipId: field(state, 'townshipId'),
        townships: choices(state, 'townshipId', townshipOptions(names)),
        from: field(state, 'from'),
        to: field(state, 'to'),
      },
      rows: list.items.map((d) => {
        const color = formColor(d, ctx.now, rules);
        return {
          id: d.id,
          number: d.number,
          title: d.title,
          category: d.category,
          issued: shortDate(dateOf(d.createdAt)),
          deadline: shortDateTime(d.deadline),
          done: d.doneCount ?? 0,
          total: d.assigneeCount ?? 0,
          finished: d.status === 'done',
          overdue: d.status === 'overdue',
          color,
          href: `${BASE}/${encodeURIComponent(d.id)}`,
        };
      }),
      pager: pager(BASE, filters, list.next, input.query),
      exportFilters: exportFilters(filters),
    },
    { nav: 'dispatches' },
  );
}

/** The running assignments as checkboxes: township → village → cadre, chiefs first in each village. */
async function assigneeTree(api: ApiClient, ticked: ReadonlySet<string>) {
  const [names, assignments] = await Promise.all([
    placeNames(api),
    api.all('/assignments', { query: { active: 'true' } }, 10_000),
  ]);
  const cadres = await cadreNames(
    api,
    assignments.map((a) => a.cadreId),
  );
  const byVillage = new Map<string, Assignment[]>();
  for (const a of assignments) byVillage.set(a.villageId, [...(byVillage.get(a.villageId) ?? []), a]);
  const townships = names.townships
    .map((t) => {
      const villages = names.villages
        .filter((v) => v.townshipId === t.id && byVillage.has(v.id))
        .map((v) => ({
          id: v.id,
          name: v.name,
          category: v.categoryLabel,
          cadres: [...(byVillage.get(v.id) ?? [])]
            .sort((a, b) =>
              a.role === b.role ? a.cadreId.localeCompare(b.cadreId) : a.role === 'chief' ? -1 : 1,
            )
            .map((a) => {
              const value = `${a.cadreId}|${a.villageId}`;
              const cadre: Cadre | undefined = cadres.get(a.cadreId);
              return {
                value,
                id: `f-assignee-${a.id}`,
                name: cadre?.name ?? a.cadreId,
                cadreId: a.cadreId,
                unit: cadre?.unit ?? '',
                role: a.roleLabel,
                chief: a.role === 'chief',
                checked: ticked.has(value),
              };
            }),
        }));
      return {
        id: t.id,
        name: t.name,
        villages,
        chiefCount: villages.reduce((n, v) => n + v.cadres.filter((c) => c.chief).length, 0),
      };
    })
    .filter((t) => t.villages.length > 0);
  return townships;
}

async function newView(ctx: PageContext, state: FormState | undefined, status?: number) {
  const form = state ?? freshForm();
  const ticked = new Set(form.values.get('assignees') ?? []);
  const townships = await assigneeTree(ctx.api, ticked);
  // An API message about one pair (`assignees.3.cadreId`: 干部不存在) belongs to the assignee list.
  const assignees = field(form, 'assignees');
  const pairError = form.errors.find((e) => e.name.startsWith('assignees.'));
  if (!assignees.error && pairError) Object.assign(assignees, { error: pairError.message, invalid: true });
  return page(
    'admin/dispatches/new',
    '下发派遣单',
    {
      form: formView(form),
      fields: {
        title: field(form, 'title'),
        category: field(form, 'category'),
        description: field(form, 'description'),
        deadline: field(form, 'deadline'),
        assignees,
      },
      townships,
      hasAssignees: townships.length > 0,
      tickedCount: ticked.size,
    },
    { nav: 'dispatches', ...statusOf(status) },
  );
}

async function detailView(input: PageInput, ctx: PageContext) {
  const id = input.params.id!;
  const [d, rules, names] = await Promise.all([
    ctx.api.get('/dispatches/{id}', { params: { id } }),
    currentRules(ctx.api),
    placeNames(ctx.api),
  ]);
  const cadreOf = new Map(d.assignees.map((a) => [a.cadreId, a.cadreName]));
  const villageOf = new Map(d.assignees.map((a) => [a.villageId, a.villageName]));
  const assignees = d.assignees
    .map((a) => ({
      cadre: a.cadreName || a.cadreId,
      cadreId: a.cadreId,
      village: a.villageName || a.villageId,
      township: names.township(a.townshipId),
      pending: a.status === 'pending',
      inProgress: a.status === 'in_progress',
      done: a.status === 'done',
      overdue: a.overdue,
      doneAt: shortDateTime(a.doneAt),
      lastReportAt: shortDateTime(a.lastReportAt),
      lastNote: a.lastNote ?? '',
      color: dispatchColor({ ...d, ...a, assigneeStatus: a.status }, ctx.now, rules),
    }))
    // Who still owes work first: overdue, then not started, then in progress, then done.
    .sort((a, b) => rank(a) - rank(b));
  return page(
    'admin/dispatches/detail',
    `${d.number} ${d.title}`,
    {
      done: doneFlags(input.query, ['created']),
      dispatch: {
        number: d.number,
        title: d.title,
        category: d.category,
        description: d.description,
        issued: shortDateTime(d.createdAt),
        deadline: shortDateTime(d.deadline),
        doneCount: d.doneCount,
        assigneeCount: d.assigneeCount,
        finished: d.status === 'done',
        overdue: d.status === 'overdue',
        color: formColor(d, ctx.now, rules),
      },
      assignees,
      reports: d.reports.map((r) => ({
        at: shortDateTime(r.at),
        cadre: cadreOf.get(r.cadreId) ?? r.cadreId,
        village: villageOf.get(r.villageId) ?? r.villageId,
        done: r.status === 'done',
        late: r.late,
        note: r.note,
      })),
    },
    { nav: 'dispatches' },
  );
}

function rank(a: { overdue: boolean; pending: boolean; done: boolean }): number {
  if (a.overdue) return 0;
  if (a.pending) return 1;
  return a.done ? 3 : 2;
}

export const dispatchPages: PageDef[] = [
  definePage({ method: 'GET', path: BASE, roles: CONSOLE, handle: listView }),
  definePage({
    method: 'GET',
    path: `${BASE}/new`,
    roles: TOWNSHIP_WRITES,
    handle: (_input, ctx) => newView(ctx, undefined),
  }),
  definePage({
    method: 'POST',
    path: BASE,
    roles: TOWNSHIP_WRITES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: dispatchForms['dispatch-new'],
        path: '/dispatches',
        success: (body) => `${BASE}/${encodeURIComponent((body as DispatchDetail).id)}?done=created`,
        refused: (state, status) => newView(ctx, state, status),
      }),
  }),
  definePage({ method: 'GET', path: `${BASE}/{id}`, roles: CONSOLE, handle: detailView }),
];

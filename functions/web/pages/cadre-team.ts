import type { DispatchDetail } from '../../schemas/dispatches.ts';
import { cadreForms } from '../forms/cadre.ts';
import { type FormState, field, formView, freshForm } from '../forms/state.ts';
import { definePage, type PageContext, page } from '../route.ts';
import { submitForm } from '../submit.ts';
import { shortDate, shortDateTime } from '../view/format.ts';

/**
 * The chief's team page (村工作队, seed 002: "所有作战指令由总队长统一下达"): the teams they lead with
 * each member's team role, the 下达指令 form (tick members, deadline, content; no JavaScript needed,
 * and offline through the device's outbox like every cadre form), and the orders they issued with
 * every member's progress and reports. A cadre who leads no team reads that, with no form.
 */
const ROLES = ['cadre'] as const;
/** The category a chief's order is filed under (HQ's forms name their own). */
export const TEAM_ORDER_CATEGORY = '工作队指令';
const STATUS_WORDS = { pending: '未开始', in_progress: '推进中', done: '已完成' } as const;

async function teamPage(
  ctx: PageContext,
  query: URLSearchParams,
  state: FormState | undefined,
  status?: number,
) {
  const id = ctx.session!.cadreId;
  const [led, issued] = await Promise.all([
    ctx.api.get('/cadres/{id}/teams', { params: { id } }),
    ctx.api.get('/dispatches', { query: { issuedBy: id, limit: 20 } }),
  ]);
  const form = state ?? freshForm({ category: TEAM_ORDER_CATEGORY });
  const ticked = new Set(form.values.get('assignees') ?? []);
  // An API message about one member (`assignees.1.cadreId`: 不在您带领的工作队中) belongs to the list.
  const assignees = field(form, 'assignees');
  const pairError = form.errors.find((e) => e.name.startsWith('assignees.'));
  if (!assignees.error && pairError) Object.assign(assignees, { error: pairError.message, invalid: true });
  const teams = led.teams.map((t) => ({
    villageId: t.villageId,
    villageName: t.villageName,
    members: t.members
      .filter((m) => m.role !== 'chief')
      .map((m) => {
        const value = `${m.cadreId}|${t.villageId}`;
        return {
          id: `f-member-${m.assignmentId}`,
          value,
          name: m.cadreName,
          unit: m.unit,
          teamRole: m.teamRoleLabel ?? '队员',
          since: shortDate(m.from),
          checked: ticked.has(value),
        };
      }),
  }));
  return page(
    'cadre/team',
    '我的工作队',
    {
      leads: teams.length > 0,
      hasMembers: teams.some((t) => t.members.length > 0),
      teams,
      form: formView(form),
      fields: {
        title: field(form, 'title'),
        category: field(form, 'category', TEAM_ORDER_CATEGORY),
        description: field(form, 'description'),
        deadline: field(form, 'deadline'),
        assignees,
      },
      done: { dispatch: query.get('done') === 'dispatch' },
      issued: issued.items.map((d) => ({
        number: d.number,
        title: d.title,
        deadline: shortDateTime(d.deadline),
        createdAt: shortDateTime(d.createdAt),
        doneCount: d.doneCount ?? 0,
        assigneeCount: d.assigneeCount ?? 0,
        overdue: d.status === 'overdue',
        finished: d.status === 'done',
        href: `/app/cadre/team/dispatches/${encodeURIComponent(d.id)}`,
      })),
    },
    { nav: 'home', ...(status ? { status } : {}) },
  );
}

function orderView(d: DispatchDetail) {
  const names = new Map(d.assignees.map((a) => [`${a.cadreId}|${a.villageId}`, a]));
  return {
    number: d.number,
    title: d.title,
    description: d.description,
    deadline: shortDateTime(d.deadline),
    createdAt: shortDateTime(d.createdAt),
    doneCount: d.doneCount,
    assigneeCount: d.assigneeCount,
    assignees: d.assignees.map((a) => ({
      name: a.cadreName,
      villageName: a.villageName,
      status: STATUS_WORDS[a.status],
      done: a.status === 'done',
      overdue: a.overdue,
      lastReportAt: shortDateTime(a.lastReportAt),
      lastNote: a.lastNote ?? '',
    })),
    reports: d.reports.map((r) => {
      const who = names.get(`${r.cadreId}|${r.villageId}`);
      return {
        name: who?.cadreName ?? r.cadreId,
        villageName: who?.villageName ?? r.villageId,
        at: shortDateTime(r.at),
        note: r.note,
        done: r.status === 'done',
        late: r.late,
      };
    }),
  };
}

export const cadreTeamPages = [
  definePage({
    method: 'GET',
    path: '/app/cadre/team',
    roles: ROLES,
    handle: (input, ctx) => teamPage(ctx, input.query, undefined),
  }),
  definePage({
    method: 'POST',
    path: '/app/cadre/team/dispatches',
    formPage: '/app/cadre/team',
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms['team-dispatch'],
        path: '/dispatches',
        success: () => '/app/cadre/team?done=dispatch',
        refused: (state, status) => teamPage(ctx, new URLSearchParams(), state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: '/app/cadre/team/dispatches/{id}',
    roles: ROLES,
    async handle(input, ctx) {
      const d = await ctx.api.get('/dispatches/{id}', { params: { id: input.params.id! } });
      return page('cadre/team-dispatch', `${d.number} ${d.title}`, { order: orderView(d) }, { nav: 'home' });
    },
  }),
];

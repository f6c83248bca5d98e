import type { ApiClient, ItemOf } from '../../client/api-client.ts';
import { SEVERITY_LABELS, STATUS_LABELS } from '../../core/problems.ts';
import { dispatchColor, problemColor } from '../../core/rules/colors.ts';
import type { RuleSet } from '../../core/rules/rule-set.ts';
import { weekWords } from '../../core/week-words.ts';
import { ASSIGNMENT_ROLE_LABELS } from '../../schemas/assignments.ts';
import {
  DIRECT_REPORT_KIND_LABELS,
  DIRECT_REPORT_KINDS,
  DIRECT_REPORT_STATUS_LABELS,
} from '../../schemas/direct-reports.ts';
import type { DispatchListItem } from '../../schemas/dispatches.ts';
import type { CadreWeekEvaluation, Problem } from '../../schemas/problems.ts';
import { cadreForms } from '../forms/cadre.ts';
import { choices, type FormState, field, formView, freshForm, ticked } from '../forms/state.ts';
import { currentRules } from '../lookups.ts';
import { definePage, type PageContext, page } from '../route.ts';
import { submitForm } from '../submit.ts';
import { shortDate, shortDateTime, signer } from '../view/format.ts';
import { cadreTalkRow } from './cadre-talks.ts';

/**
 * The cadre's pages (mobile first): my villages and open dispatches with deadlines and colours, a
 * progress report per dispatch, my open problems with a rectification form, direct reports to HQ,
 * my standing. Every form goes through the device's outbox (data-queue), so it works with no signal.
 */
const ROLES = ['cadre'] as const;

async function myVillages(api: ApiClient, cadreId: string) {
  const assignments = await api.all('/assignments', { query: { cadreId, active: 'true' } }, 100);
  const villages = await Promise.all(
    assignments.map((a) => api.get('/villages/{id}', { params: { id: a.villageId } })),
  );
  return assignments.map((a, i) => ({
    id: a.villageId,
    name: villages[i]!.name,
    category: villages[i]!.categoryLabel,
    role: ASSIGNMENT_ROLE_LABELS[a.role],
    isChief: a.role === 'chief',
    since: shortDate(a.from),
  }));
}

function dispatchRow(d: DispatchListItem, now: Date, rules: RuleSet) {
  const color = dispatchColor(d, now, rules);
  return {
    id: d.id,
    number: d.number,
    title: d.title,
    category: d.category,
    villageId: d.villageId ?? '',
    villageName: d.villageName ?? '',
    /** A chief's order to their team names the chief (HQ's forms name nobody). */
    issuerName: d.issuerName ?? '',
    deadline: shortDateTime(d.deadline),
    done: d.assigneeStatus === 'done',
    started: d.assigneeStatus === 'in_progress',
    lastReportAt: shortDateTime(d.lastReportAt),
    /** The raw instant, for ordering. */
    reportedAt: d.lastReportAt ?? '',
    color,
    overdue: color.daysOverdue > 0,
    href: `/app/cadre/dispatches/${encodeURIComponent(d.id)}${d.villageId ? `?village=${encodeURIComponent(d.villageId)}` : ''}`,
  };
}

function problemRow(p: Problem, now: Date, rules: RuleSet, villageNames: Map<string, string>) {
  const color = problemColor(p, now, rules);
  return {
    id: p.id,
    description: p.description,
    severity: SEVERITY_LABELS[p.severity],
    status: STATUS_LABELS[p.status],
    awaiting: p.status === 'awaiting_verification',
    closed: p.status === 'closed',
    foundOn: shortDate(p.foundOn),
    rectifyBy: shortDate(p.rectifyBy),
    villageName: villageNames.get(p.villageId) ?? p.villageId,
    falseRectifications: p.falseRectifications,
    // 整改不到位 is told apart from 虚假整改: it reopened the problem with a new deadline, no more.
    incompleteRectifications: p.incompleteRectifications ?? 0,
    color,
    href: `/app/cadre/problems/${encodeURIComponent(p.id)}`,
  };
}

async function openProblems(api: ApiClient, cadreId: string): Promise<Problem[]> {
  const [open, awaiting] = await Promise.all([
    api.all('/problems', { query: { cadreId, status: 'open' } }, 500),
    api.all('/problems', { query: { cadreId, status: 'awaiting_verification' } }, 500),
  ]);
  return [...open, ...awaiting].sort(
    (a, b) => a.rectifyBy.localeCompare(b.rectifyBy) || a.id.localeCompare(b.id),
  );
}

function me(ctx: PageContext): string {
  return ctx.session!.cadreId;
}

/** `?done=` after a redirect → the flag its confirmation is shown by (wording is in the template). */
const DONE_MESSAGES: Record<string, string> = {
  report: 'report',
  rectification: 'rectification',
  'direct-report': 'directReport',
  read: 'read',
};

function doneFlag(query: URLSearchParams): Record<string, boolean> {
  const done = query.get('done') ?? '';
  const flag = Object.hasOwn(DONE_MESSAGES, done) ? DONE_MESSAGES[done] : undefined;
  return flag ? { [flag]: true } : {};
}

async function dispatchPage(
  ctx: PageContext,
  id: string,
  villageHint: string | null,
  state: FormState | undefined,
  status?: number,
) {
  const [dispatch, rules] = await Promise.all([
    ctx.api.get('/dispatches/{id}', { params: { id } }),
    currentRules(ctx.api),
  ]);
  const mine = dispatch.assignees.filter((a) => a.cadreId === me(ctx));
  const open = mine.filter((a) => a.status !== 'done');
  const form = state ?? freshForm({ villageId: villageHint ?? open[0]?.villageId, status: 'in_progress' });
  const rows = mine.map((a) => ({
    villageId: a.villageId,
    villageName: a.villageName,
    status: a.status,
    done: a.status === 'done',
    lastNote: a.lastNote ?? '',
    lastReportAt: shortDateTime(a.lastReportAt),
    color: dispatchColor(
      { ...dispatch, villageId: a.villageId, assigneeStatus: a.status, doneAt: a.doneAt },
      ctx.now,
      rules,
    ),
  }));
  return page(
    'cadre/dispatch',
    `${dispatch.number} ${dispatch.title}`,
    {
      dispatch: {
        id: dispatch.id,
        number: dispatch.number,
        title: dispatch.title,
        category: dispatch.category,
        description: dispatch.description,
        deadline: shortDateTime(dispatch.deadline),
      },
      rows,
      canReport: open.length > 0,
      severalVillages: open.length > 1,
      singleVillage: open.length === 1 ? open[0]!.villageId : '',
      myReports: dispatch.reports
        .filter((r) => r.cadreId === me(ctx))
        .map((r) => ({
          at: shortDateTime(r.at),
          note: r.note,
          done: r.status === 'done',
          late: r.late,
          villageName: mine.find((a) => a.villageId === r.villageId)?.villageName ?? r.villageId,
        })),
      form: formView(form),
      fields: {
        status: choices(form, 'status', [
          { value: 'in_progress', label: '推进中' },
          { value: 'done', label: '已完成' },
        ]),
        statusField: field(form, 'status'),
        note: field(form, 'note'),
        villageId: field(form, 'villageId'),
        villages: choices(
          form,
          'villageId',
          open.map((a) => ({ value: a.villageId, label: a.villageName })),
        ),
      },
      action: `/app/cadre/dispatches/${encodeURIComponent(dispatch.id)}/report`,
    },
    { nav: 'home', ...(status ? { status } : {}) },
  );
}

/** A record's photos as thumbnails linking to the full photo (links are short-lived: made per page). */
type PhotoLinks = { photos?: ReadonlyArray<{ url: string; thumbnailUrl: string }> | undefined };
const thumbnails = (record: object) =>
  ((record as PhotoLinks).photos ?? []).map((p, i) => ({
    url: p.url,
    thumbnailUrl: p.thumbnailUrl,
    number: i + 1,
  }));

async function problemPage(ctx: PageContext, id: string, state: FormState | undefined, status?: number) {
  const [problem, rules] = await Promise.all([
    ctx.api.get('/problems/{id}', { params: { id } }),
    currentRules(ctx.api),
  ]);
  const village = await ctx.api.get('/villages/{id}', { params: { id: problem.villageId } });
  const form = state ?? freshForm();
  const last = problem.events.at(-1);
  // Sent back by the inspector: why, above the form the cadre fills in again.
  const rejection =
    problem.status === 'open' && last?.kind === 'verification' && last.outcome === 'rejected'
      ? {
          kind: last.rejectionKind === 'incomplete' ? '整改不到位' : '虚假整改',
          note: last.note,
          by: signer(last.byName, '督查组'),
          at: shortDateTime(last.at),
          rectifyBy: last.rectifyBy ? shortDate(last.rectifyBy) : '',
        }
      : null;
  return page(
    'cadre/problem',
    '问题整改',
    {
      problem: problemRow(problem, ctx.now, rules, new Map([[village.id, village.name]])),
      canRectify: problem.status === 'open' && problem.cadreId === me(ctx),
      rejection,
      events: problem.events.map((e) => ({
        at: shortDateTime(e.at),
        note: e.note,
        by: e.kind === 'rectification' ? '' : signer(e.byName, '督查组'),
        isRectification: e.kind === 'rectification',
        accepted: e.outcome === 'accepted',
        rejected: e.outcome === 'rejected',
        rejectedAs: e.rejectionKind === 'incomplete' ? '整改不到位' : '虚假整改',
        photos: thumbnails(e),
      })),
      photos: thumbnails(problem),
      form: formView(form),
      fields: { note: field(form, 'note'), photoIds: field(form, 'photoIds') },
      action: `/app/cadre/problems/${encodeURIComponent(problem.id)}/rectify`,
    },
    { nav: 'problems', ...(status ? { status } : {}) },
  );
}

async function directReportPage(ctx: PageContext, state: FormState | undefined, status?: number) {
  const [villages, recent] = await Promise.all([
    myVillages(ctx.api, me(ctx)),
    ctx.api.get('/direct-reports', { query: { cadreId: me(ctx), limit: 10 } }),
  ]);
  const form = state ?? freshForm({ villageId: villages[0]?.id, kind: 'situation' });
  return page(
    'cadre/direct-report',
    '信息直报',
    {
      hasVillages: villages.length > 0,
      form: formView(form),
      fields: {
        villageId: field(form, 'villageId'),
        villages: choices(
          form,
          'villageId',
          villages.map((v) => ({ value: v.id, label: v.name })),
        ),
        kind: field(form, 'kind'),
        kinds: choices(
          form,
          'kind',
          DIRECT_REPORT_KINDS.map((k) => ({ value: k, label: DIRECT_REPORT_KIND_LABELS[k] })),
        ),
        summary: field(form, 'summary'),
        details: field(form, 'details'),
        skipLevels: field(form, 'skipLevels'),
        skipLevelsTicked: ticked(form, 'skipLevels'),
      },
      recent: recent.items.map((r) => ({
        kind: r.kindLabel,
        summary: r.summary,
        at: shortDateTime(r.createdAt),
        acknowledged: r.status !== 'new',
        status:
          r.status === 'new' || r.status === 'acknowledged' ? '' : DIRECT_REPORT_STATUS_LABELS[r.status],
        closed: r.status === 'closed',
        resolution: r.resolution ?? '',
        reply: r.acknowledgementNote ?? '',
        minutes: r.responseMinutes ?? null,
      })),
      done: doneFlag(new URLSearchParams()),
    },
    { nav: 'direct', ...(status ? { status } : {}) },
  );
}

type NotificationItem = ItemOf<'/cadres/{id}/notifications'>;

/** Where "标为已读" may send the person back to (never an address taken from outside). */
const READ_RETURNS = new Set(['/app/cadre', '/app/cadre/standing']);

function notificationRow(n: NotificationItem, back: string) {
  return {
    id: n.id,
    title: n.title,
    body: n.body,
    at: shortDateTime(n.createdAt),
    deadline: shortDate(n.deadline),
    unread: !n.readAt,
    readAt: shortDateTime(n.readAt),
    action: `/app/cadre/notifications/${encodeURIComponent(n.id)}/read`,
    // The subject's page (the problem, the dispatch, the standing page); only ever one of our pages.
    link: n.link?.startsWith('/app/') ? n.link : null,
    back,
    key: freshForm().key,
  };
}

/** The evaluation's reasons as lines a cadre can follow: which problem, how it was counted. */
async function reasonRows(ctx: PageContext, e: CadreWeekEvaluation, open: Problem[]) {
  // Villages short of the weekly visit minimum are named: a cadre answers for a handful at most.
  const shortVillages = [
    ...new Set(e.reasons.flatMap((r) => (r.kind === 'visitShortfall' ? [r.villageId] : []))),
  ].slice(0, 20);
  const villageNames = new Map<string, string>();
  for (const res of await Promise.all(
    shortVillages.map((id) => ctx.api.call('GET', '/villages/{id}', { params: { id } })),
  ))
    if (res.ok) villageNames.set(res.body.id, res.body.name);
  const known = new Map(open.map((p) => [p.id, p]));
  const missing = [
    ...new Set(
      e.reasons.flatMap((r) => (r.kind === 'openProblem' && !known.has(r.problemId) ? [r.problemId] : [])),
    ),
  ].slice(0, 20);
  // Problems closed since the week ended are no longer among the open ones: read those few by id.
  const found = await Promise.all(
    missing.map((id) => ctx.api.call('GET', '/problems/{id}', { params: { id } })),
  );
  for (const res of found) if (res.ok) known.set(res.body.id, res.body);
  return e.reasons.map((r) => {
    if (r.kind === 'openProblem') {
      const p = known.get(r.problemId);
      return {
        isProblem: true,
        description: p?.description ?? '',
        href: `/app/cadre/problems/${encodeURIComponent(r.problemId)}`,
        severity: SEVERITY_LABELS[r.severity],
        falseRectification: r.falseRectification,
        falseRectifications: r.falseRectifications,
        weight: r.weight,
        closedNow: p?.status === 'closed',
      };
    }
    if (r.kind === 'absence') {
      return {
        isAbsence: true,
        date: shortDate(r.date),
        severity: SEVERITY_LABELS[r.severity],
        weight: r.weight,
      };
    }
    if (r.kind === 'visitShortfall') {
      return {
        isVisitShortfall: true,
        villageName: villageNames.get(r.villageId) ?? r.villageId,
        required: r.required,
        made: r.made,
        weight: r.weight,
      };
    }
    return { isCommendation: true, date: shortDate(r.date) };
  });
}

/** My self-criticism meetings (检讨发言会) and training sessions (干部营养餐), the latest ten of each. */
async function accountabilityFollowUp(ctx: PageContext, id: string) {
  const [meetings, trainings] = await Promise.all([
    ctx.api.get('/self-criticism-meetings', { query: { cadreId: id, limit: 10 } }),
    ctx.api.get('/trainings', { query: { cadreId: id, limit: 10 } }),
  ]);
  return {
    meetings: meetings.items.map((m) => ({
      date: shortDate(m.date),
      week: weekWords(m.week),
      place: m.place ?? '',
      spoke: m.speakerIds.includes(id),
    })),
    trainings: trainings.items.map((t) => ({
      title: t.title,
      date: shortDate(t.date),
      place: t.place ?? '',
      unmarked: t.attendance?.attended === null,
      absent: t.attendance?.attended === false,
      attended: t.attendance?.attended === true && !t.attendance.completed,
      completed: t.attendance?.completed === true,
    })),
  };
}

async function standingPage(ctx: PageContext, query: URLSearchParams, readError?: string, status?: number) {
  const id = me(ctx);
  const [standing, notifications, visits, talks] = await Promise.all([
    ctx.api.get('/cadres/{id}/standing', { params: { id } }),
    ctx.api.get('/cadres/{id}/notifications', {
      params: { id },
      query: { limit: 20 },
    }),
    ctx.api.get('/visits/summary', { query: { cadreId: id } }),
    // My talks (docs/talks.md): the notice to download, the record, the statement still to make.
    ctx.api.get('/talks', { query: { cadreId: id, limit: 5 } }),
  ]);
  const followUp = await accountabilityFollowUp(ctx, id);
  const e = standing.evaluation;
  const week = e
    ? {
        label: weekWords(e.week),
        monday: shortDate(e.monday),
        sunday: shortDate(e.sunday),
        evaluatedAt: shortDateTime(e.evaluatedAt),
        revision: e.revision,
        revised: e.revision > 1,
      }
    : null;
  const evaluation = e
    ? {
        tier: e.tier,
        explanation: e.explanation,
        circle: {
          member: e.circle.member,
          weeks: e.circle.weeks,
          movement: e.circle.movement,
          previousTier: e.circle.previousTier ?? '',
        },
        remedialTraining: e.remedialTraining.length > 0,
        remedialForTier: e.remedialTraining.includes('tier'),
        remedialForWeeks: e.remedialTraining.includes('consecutiveWeeks'),
        heldForTraining: e.circle.held !== undefined,
        talkNotice: e.talkNotice ?? '',
        reasons: await reasonRows(ctx, e, standing.openProblems),
        reasonsOmitted: e.reasonsOmitted,
        overdueDispatches: e.overdueDispatches,
        majorFailures: e.majorFailureIds.length,
      }
    : null;
  const rows = notifications.items.map((n) => notificationRow(n, '/app/cadre/standing'));
  return page(
    'cadre/standing',
    '我的档次',
    {
      week,
      evaluation,
      counts: standing.counts,
      falseOnOpen: standing.falseRectifications.onOpenProblems,
      notifications: rows,
      unreadCount: rows.filter((n) => n.unread).length,
      talks: talks.items.filter((t) => t.status !== 'proposed' && t.status !== 'waived').map(cadreTalkRow),
      visits: { ...visits, from: shortDate(visits.from), to: shortDate(visits.to) },
      ...followUp,
      done: { read: query.get('done') === 'read' },
      readError: readError ?? '',
    },
    { nav: 'standing', ...(status ? { status } : {}) },
  );
}

export const cadrePages = [
  definePage({
    method: 'GET',
    path: '/app/cadre',
    roles: ROLES,
    async handle(input, ctx) {
      const id = me(ctx);
      const [villages, dispatches, problems, standing, notifications, rules] = await Promise.all([
        myVillages(ctx.api, id),
        ctx.api.all('/dispatches', { query: { cadreId: id } }, 300),
        openProblems(ctx.api, id),
        ctx.api.get('/cadres/{id}/standing', { params: { id } }),
        ctx.api.get('/cadres/{id}/notifications', {
          params: { id },
          query: { limit: 5, unread: 'true' },
        }),
        currentRules(ctx.api),
      ]);
      const names = new Map(villages.map((v) => [v.id, v.name]));
      const rows = dispatches.map((d) => dispatchRow(d, ctx.now, rules));
      const open = rows
        .filter((r) => !r.done)
        .sort((a, b) => b.color.daysOverdue - a.color.daysOverdue || a.color.daysLeft - b.color.daysLeft);
      // Finished dispatches stay reachable, the latest report first.
      const finished = rows.filter((r) => r.done).sort((a, b) => b.reportedAt.localeCompare(a.reportedAt));
      const problemRows = problems.map((p) => problemRow(p, ctx.now, rules, names));
      // To rectify (the cadre's move) apart from waiting for verification (the inspector's).
      const toRectify = problemRows.filter((p) => !p.awaiting);
      const awaiting = problemRows.filter((p) => p.awaiting);
      return page(
        'cadre/home',
        '我的任务',
        {
          villages,
          leadsTeam: villages.some((v) => v.isChief),
          open,
          doneCount: finished.length,
          finished,
          problems: toRectify.slice(0, 5),
          problemCount: toRectify.length,
          moreProblems: toRectify.length > 5,
          awaiting: awaiting.slice(0, 5),
          awaitingCount: awaiting.length,
          moreAwaiting: awaiting.length > 5,
          counts: standing.counts,
          notifications: notifications.items
            .filter((n) => !n.readAt)
            .map((n) => notificationRow(n, '/app/cadre')),
          done: doneFlag(input.query),
        },
        {
          nav: 'home',
          warm: [
            ...open.map((r) => r.href),
            ...problemRows.filter((p) => !p.awaiting).map((p) => p.href),
            '/app/cadre/problems',
            '/app/cadre/direct-reports/new',
            '/app/cadre/handoffs',
            '/app/cadre/visits',
            '/app/cadre/standing',
            ...(villages.some((v) => v.isChief) ? ['/app/cadre/team', '/app/cadre/allocations'] : []),
          ],
        },
      );
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/cadre/dispatches/{id}',
    roles: ROLES,
    handle: (input, ctx) => dispatchPage(ctx, input.params.id!, input.query.get('village'), undefined),
  }),
  definePage({
    method: 'POST',
    path: '/app/cadre/dispatches/{id}/report',
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms['dispatch-report'],
        path: '/dispatches/{id}/reports',
        params: { id: input.params.id! },
        success: () => '/app/cadre?done=report',
        refused: (state, status) => dispatchPage(ctx, input.params.id!, null, state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: '/app/cadre/problems',
    roles: ROLES,
    async handle(input, ctx) {
      const id = me(ctx);
      const [problems, villages, rules, closed] = await Promise.all([
        openProblems(ctx.api, id),
        myVillages(ctx.api, id),
        currentRules(ctx.api),
        ctx.api.get('/problems', {
          query: { cadreId: id, status: 'closed', limit: 10 },
        }),
      ]);
      const names = new Map(villages.map((v) => [v.id, v.name]));
      return page(
        'cadre/problems',
        '我的问题',
        {
          open: problems.filter((p) => p.status === 'open').map((p) => problemRow(p, ctx.now, rules, names)),
          awaiting: problems
            .filter((p) => p.status === 'awaiting_verification')
            .map((p) => problemRow(p, ctx.now, rules, names)),
          closed: closed.items.map((p) => problemRow(p, ctx.now, rules, names)),
          done: doneFlag(input.query),
        },
        {
          nav: 'problems',
          warm: problems
            .filter((p) => p.status === 'open')
            .map((p) => `/app/cadre/problems/${encodeURIComponent(p.id)}`),
        },
      );
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/cadre/problems/{id}',
    roles: ROLES,
    handle: (input, ctx) => problemPage(ctx, input.params.id!, undefined),
  }),
  definePage({
    method: 'POST',
    path: '/app/cadre/problems/{id}/rectify',
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms.rectification,
        path: '/problems/{id}/rectifications',
        params: { id: input.params.id! },
        success: () => '/app/cadre/problems?done=rectification',
        refused: (state, status) => problemPage(ctx, input.params.id!, state, status),
      }),
  }),
  definePage({
    method: 'GET',
    path: '/app/cadre/standing',
    roles: ROLES,
    handle: (input, ctx) => standingPage(ctx, input.query),
  }),
  definePage({
    method: 'POST',
    path: '/app/cadre/notifications/{id}/read',
    roles: ROLES,
    handle(input, ctx) {
      const asked = input.form.find(([name]) => name === '_back')?.[1] ?? '';
      const back = READ_RETURNS.has(asked) ? asked : '/app/cadre/standing';
      return submitForm(input, ctx, {
        form: cadreForms['notification-read'],
        path: '/cadres/{id}/notifications/{notificationId}/read',
        params: { id: me(ctx), notificationId: input.params.id! },
        success: () => `${back}?done=read`,
        refused: (state, status) => standingPage(ctx, new URLSearchParams(), state.error?.message, status),
      });
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/cadre/direct-reports/new',
    roles: ROLES,
    async handle(input, ctx) {
      const result = await directReportPage(ctx, undefined);
      result.view.done = doneFlag(input.query);
      return result;
    },
  }),
  definePage({
    method: 'POST',
    path: '/app/cadre/direct-reports',
    formPage: '/app/cadre/direct-reports/new',
    roles: ROLES,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: cadreForms['direct-report'],
        path: '/direct-reports',
        success: () => '/app/cadre/direct-reports/new?done=direct-report',
        refused: (state, status) => directReportPage(ctx, state, status),
      }),
  }),
];

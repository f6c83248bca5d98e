import { nextSequence } from '../adapters/dynamo/counters.ts';
import type { AssigneeRecord, DispatchRecord, ReportRecord } from '../adapters/dynamo/dispatches.ts';
import * as store from '../adapters/dynamo/dispatches.ts';
import { getCadre, getCadres, getVillages } from '../adapters/dynamo/roster.ts';
import {
  chooseRow,
  deadlineHasPassed,
  dispatchNumber,
  dispatchState,
  dispatchYear,
  isLate,
  overdue,
  rowState,
  sameDispatchRequest,
  transition,
} from '../core/dispatches.ts';
import { DISPATCH_SERIES } from '../core/document-number.ts';
import { derivedId, newId } from '../core/ids.ts';
import { townshipInScope } from '../core/roles.ts';
import { outsideTeams } from '../core/teams.ts';
import { beijingDate, beijingDayEnd, beijingDayStart } from '../core/time.ts';
import {
  ConcurrentUpdateError,
  ConflictError,
  type FieldIssue,
  ForbiddenCodeError,
  ForbiddenError,
  IdempotencyMismatchError,
  NotFoundError,
  ValidationError,
} from '../errors.ts';
import { hasRole, isStaff } from '../http/auth.ts';
import { created, defineRoute, ok, type RequestContext } from '../http/route.ts';
import { announce, dispatchNews } from '../jobs/news-events.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  type AssigneeView,
  createDispatch,
  createReport,
  type DispatchDetail,
  type DispatchListItem,
  dispatchDetail,
  dispatchListQuery,
  dispatchPage,
  REPORTS_SHOWN,
  type ReportView,
  reportView,
} from '../schemas/dispatches.ts';
import { byTownship, listedTownship, OUTSIDE_SCOPE, requireTownship, scopeOf } from './scope.ts';
import { asTeamAssignments, ledVillages, teamOf } from './teams.ts';

/**
 * Task dispatch forms (任务派遣单): HQ issues a numbered form to named cadres for named villages;
 * each cadre reports progress on their own rows. Admins write forms, every role reads (a cadre only
 * the forms they are on), only cadres report.
 */
const TAGS = ['dispatches'];
const INVALID = '请求内容有误，请按提示修改';
/** Re-reads of an assignee row that lost a race before giving up with 409. */
const REPORT_ATTEMPTS = 4;

function assigneeView(row: AssigneeRecord, now: Date): AssigneeView {
  return {
    cadreId: row.cadreId,
    cadreName: row.cadreName,
    villageId: row.villageId,
    villageName: row.villageName,
    townshipId: row.townshipId,
    status: row.status,
    lastReportAt: row.lastReportAt ?? null,
    lastNote: row.lastNote ?? null,
    doneAt: row.doneAt ?? null,
    overdue: overdue(row.deadline, now, row.status),
  };
}

function toReportView(r: ReportRecord): ReportView {
  return {
    id: r.id,
    dispatchId: r.dispatchId,
    cadreId: r.cadreId,
    villageId: r.villageId,
    status: r.status,
    note: r.note,
    at: r.at,
    late: r.late,
  };
}

/** Who issued a chief's dispatch (absent on HQ's forms). */
function issuerOf(d: { issuerCadreId?: string | undefined; issuerName?: string | undefined }) {
  return d.issuerCadreId
    ? { issuerCadreId: d.issuerCadreId, issuerName: d.issuerName ?? d.issuerCadreId }
    : {};
}

/**
 * A chief's dispatch (POST /dispatches by a cadre): every assignee must be on a team the chief leads
 * today, else 403 NOT_YOUR_TEAM naming who is not (nothing is written). Answers the chief's name.
 */
async function checkChiefDispatch(
  assignees: readonly { cadreId: string; villageId: string }[],
  cadres: Map<string, { name: string }>,
  villages: Map<string, { name: string }>,
  ctx: RequestContext,
): Promise<string> {
  const date = beijingDate(ctx.now);
  const led = await ledVillages(ctx.actor.cadreId, ctx.now);
  const teams = await Promise.all(led.map((v) => teamOf(v, date)));
  const refused = outsideTeams(
    assignees,
    new Set(led.map((v) => v.id)),
    asTeamAssignments(teams, date),
    date,
  );
  if (refused.length) {
    const cadreName = (id: string) => cadres.get(id)?.name ?? id;
    const villageName = (id: string) => villages.get(id)?.name ?? id;
    throw new ForbiddenCodeError(
      'NOT_YOUR_TEAM',
      led.length === 0
        ? '您目前不是任何村的总队长，不能下达指令'
        : `以下派遣对象不在您带领的村工作队中：${refused
            .map((r) => `${cadreName(r.cadreId)}（${villageName(r.villageId)}）`)
            .join('、')}`,
      {
        fields: refused.map((r) => ({
          path: `body.assignees.${r.index}.cadreId`,
          code: 'NOT_YOUR_TEAM',
          message:
            r.reason === 'not_led'
              ? `您不是${villageName(r.villageId)}的总队长`
              : `${cadreName(r.cadreId)}不在您带领的${villageName(r.villageId)}工作队中`,
        })),
      },
    );
  }
  return (await getCadre(ctx.actor.cadreId))?.name ?? ctx.actor.cadreId;
}

function summary(d: DispatchRecord, now: Date) {
  const status = dispatchState(d.deadline, now, d.openCount);
  return {
    id: d.id,
    number: d.number,
    title: d.title,
    category: d.category,
    deadline: d.deadline,
    createdAt: d.createdAt,
    createdBy: d.createdBy,
    ...issuerOf(d),
    status,
    overdue: status === 'overdue',
    assigneeCount: d.assigneeCount,
    doneCount: d.assigneeCount - d.openCount,
  };
}

function detailView(
  d: DispatchRecord,
  rows: AssigneeRecord[],
  reports: ReportRecord[],
  now: Date,
): DispatchDetail {
  // Rows come back in key order; show them in the order HQ listed them on the form.
  const byPair = new Map(rows.map((r) => [`${r.cadreId}#${r.villageId}`, r]));
  const ordered = d.assignees.flatMap((a) => byPair.get(`${a.cadreId}#${a.villageId}`) ?? []);
  return {
    ...summary(d, now),
    description: d.description,
    assignees: ordered.map((r) => assigneeView(r, now)),
    reports: reports.map(toReportView),
  };
}

/**
 * What a cadre sees of a dispatch they are on: every assignee's progress (status, times), but the
 * notes of their own rows and reports only; what others wrote is for HQ and the inspectors.
 */
function forCadre(detail: DispatchDetail, cadreId: string | undefined): DispatchDetail {
  return {
    ...detail,
    assignees: detail.assignees.map((a) => (a.cadreId === cadreId ? a : { ...a, lastNote: null })),
    reports: detail.reports.filter((r) => r.cadreId === cadreId),
  };
}

function rowListItem(row: AssigneeRecord, now: Date): DispatchListItem {
  const status = rowState(row.deadline, now, row.status);
  return {
    id: row.dispatchId,
    number: row.number,
    title: row.title,
    category: row.category,
    deadline: row.deadline,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    ...issuerOf(row),
    status,
    overdue: status === 'overdue',
    cadreId: row.cadreId,
    cadreName: row.cadreName,
    villageId: row.villageId,
    villageName: row.villageName,
    townshipId: row.townshipId,
    assigneeStatus: row.status,
    lastReportAt: row.lastReportAt ?? null,
    doneAt: row.doneAt ?? null,
  };
}

async function loadDispatch(id: string): Promise<DispatchRecord> {
  const found = await store.getDispatch(id);
  if (!found) throw new NotFoundError('派遣单不存在');
  return found;
}

/** Stable across a retry with the same Idempotency-Key, so a re-run lands on the same items. */
function writeId(ctx: RequestContext, kind: string): string {
  return ctx.idempotencyKey ? derivedId(ctx.actor.sub, ctx.idempotencyKey, kind) : newId(ctx.now);
}

export const dispatchesRoutes = [
  defineRoute({
    method: 'POST',
    path: '/dispatches',
    summary:
      '下发任务派遣单（自动编号，如 派〔2026〕12号）；总队长（干部）可向本人带领的村工作队队员下达，同一编号序列',
    tags: TAGS,
    roles: ['admin', 'township', 'cadre'],
    body: createDispatch,
    responses: { 201: dispatchDetail, 400: errorBody, 403: errorBody, 422: errorBody },
    async handle({ body }, ctx) {
      // 1. A re-run after a crash (same key, same body) finishes the stored form rather than
      //    taking a new number; the same key for a different form is refused.
      const id = writeId(ctx, 'dispatch');
      const existing = ctx.idempotencyKey ? await store.getDispatch(id) : undefined;
      if (existing && !sameDispatchRequest(existing, body)) {
        throw new IdempotencyMismatchError('这个防重复提交的编号已用于另一张派遣单');
      }

      // 2. Every cadre and village must exist; the deadline must lie ahead.
      const [cadres, villages] = await Promise.all([
        getCadres([...new Set(body.assignees.map((a) => a.cadreId))]),
        getVillages([...new Set(body.assignees.map((a) => a.villageId))]),
      ]);
      // A chief (a cadre, not HQ or a township's staff) dispatches only to the teams they lead.
      const chiefName = hasRole(ctx.actor, 'admin', 'township')
        ? undefined
        : await checkChiefDispatch(body.assignees, cadres, villages, ctx);
      const fields: FieldIssue[] = [];
      if (!existing && deadlineHasPassed(body.deadline, ctx.now)) {
        fields.push({ path: 'body.deadline', code: 'DEADLINE_PASSED', message: '截止时间必须晚于当前时间' });
      }
      body.assignees.forEach((a, i) => {
        if (!cadres.has(a.cadreId)) {
          fields.push({
            path: `body.assignees.${i}.cadreId`,
            code: 'UNKNOWN_REFERENCE',
            message: '干部不存在',
          });
        }
        if (!villages.has(a.villageId)) {
          fields.push({
            path: `body.assignees.${i}.villageId`,
            code: 'UNKNOWN_REFERENCE',
            message: '村不存在',
          });
        }
      });
      if (fields.length) throw new ValidationError(INVALID, { fields });
      // A township's staff dispatch within their own township only (HQ anywhere).
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) {
        for (const v of villages.values()) {
          if (!townshipInScope(scope, v.townshipId)) throw new ForbiddenError('只能向本乡镇的村派发任务');
        }
      }

      // 3. Number it (atomic per-year counter) and write the form, then its rows.
      let record = existing;
      if (!record) {
        const year = dispatchYear(ctx.now);
        const sequence = await nextSequence(DISPATCH_SERIES.key, year);
        const createdAt = ctx.now.toISOString();
        const result = await store.createDispatch({
          id,
          number: dispatchNumber(year, sequence),
          year,
          sequence,
          title: body.title,
          category: body.category,
          description: body.description,
          deadline: body.deadline,
          createdAt,
          createdBy: ctx.actor.sub,
          ...(chiefName !== undefined ? { issuerCadreId: ctx.actor.cadreId, issuerName: chiefName } : {}),
          assignees: body.assignees,
          townshipIds: [...new Set([...villages.values()].map((v) => v.townshipId))].sort(),
          assigneeCount: body.assignees.length,
          openCount: body.assignees.length,
        });
        record = result.item;
      }
      const d = record;
      const rows: AssigneeRecord[] = d.assignees.map((a) => {
        const cadre = cadres.get(a.cadreId);
        const village = villages.get(a.villageId);
        return {
          dispatchId: d.id,
          number: d.number,
          title: d.title,
          category: d.category,
          cadreId: a.cadreId,
          cadreName: cadre?.name ?? '',
          villageId: a.villageId,
          villageName: village?.name ?? '',
          townshipId: village?.townshipId ?? '',
          deadline: d.deadline,
          createdAt: d.createdAt,
          createdBy: d.createdBy,
          ...issuerOf(d),
          status: 'pending',
        };
      });
      await store.createAssignees(rows);

      // 4. Audit and answer with the form as stored (a resumed run re-reads rows that may have moved).
      await ctx.audit({
        entityType: 'dispatch',
        entityId: d.id,
        action: 'create',
        changes: {
          number: d.number,
          title: d.title,
          category: d.category,
          description: d.description,
          deadline: d.deadline,
          assignees: d.assignees,
          ...(d.issuerCadreId ? { issuerCadreId: d.issuerCadreId } : {}),
          ...(existing ? { resumed: true } : {}),
        },
      });
      // 5. Tell each assignee at once (docs/news.md); keyed by the dispatch, so a resumed run tells nobody twice.
      await announce(
        dispatchNews({
          dispatch: d,
          ...(d.issuerName ? { issuerName: d.issuerName } : {}),
          assignees: d.assignees.map((a) => ({
            cadreId: a.cadreId,
            villageName: villages.get(a.villageId)?.name ?? '',
          })),
        }),
        ctx.log,
      );
      const stored = existing ? await store.getAssignees(d.id) : rows;
      return created(
        detailView(d, stored, existing ? await store.latestReports(d.id, REPORTS_SHOWN) : [], ctx.now),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/dispatches',
    summary: '派遣单列表（可按状态、乡镇、干部、村、下发日期筛选；干部只看本人的）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    query: dispatchListQuery,
    responses: { 200: dispatchPage, 400: errorBody, 403: errorBody },
    async handle({ query }, ctx) {
      if (query.issuedBy !== undefined) {
        // A chief's own dispatches to their team; staff may read any chief's.
        if (!isStaff(ctx.actor) && query.issuedBy !== ctx.actor.cadreId) {
          throw new ForbiddenError('只能查看本人下达的指令');
        }
        const issued = await store.listDispatches(
          {
            issuedBy: query.issuedBy,
            state: query.status,
            townshipId: query.townshipId,
            createdFrom: query.from ? beijingDayStart(query.from).toISOString() : undefined,
            createdTo: query.to ? beijingDayEnd(query.to).toISOString() : undefined,
            now: ctx.now,
          },
          query.limit,
          query.next,
        );
        return ok({
          items: issued.items.map((d) => summary(d, ctx.now)),
          ...(issued.next ? { next: issued.next } : {}),
        });
      }
      let cadreId = query.cadreId;
      let townshipId = query.townshipId;
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) {
        // A township's staff or a leader: the rows in their township (a village or cadre in it).
        if (query.villageId)
          requireTownship(scope, (await getVillages([query.villageId])).get(query.villageId)?.townshipId);
        townshipId = query.villageId ? townshipId : listedTownship(scope, townshipId);
      } else if (!isStaff(ctx.actor)) {
        if (cadreId !== undefined && cadreId !== ctx.actor.cadreId) {
          throw new ForbiddenError('只能查看本人的派遣任务');
        }
        cadreId = ctx.actor.cadreId;
      }
      const filter = {
        state: query.status,
        townshipId,
        createdFrom: query.from ? beijingDayStart(query.from).toISOString() : undefined,
        createdTo: query.to ? beijingDayEnd(query.to).toISOString() : undefined,
        now: ctx.now,
      };
      if (cadreId !== undefined || query.villageId !== undefined) {
        const by =
          cadreId !== undefined
            ? { cadreId, villageId: query.villageId }
            : { villageId: query.villageId as string };
        const page = await store.listAssigneeRows(by, filter, query.limit, query.next);
        return ok({
          items: page.items.map((r) => rowListItem(r, ctx.now)),
          ...(page.next ? { next: page.next } : {}),
        });
      }
      const page = await store.listDispatches(filter, query.limit, query.next);
      return ok({
        items: page.items.map((d) => summary(d, ctx.now)),
        ...(page.next ? { next: page.next } : {}),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/dispatches/{id}',
    summary: '派遣单详情：每个派遣对象的进展与最新报告',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    params: idParams,
    responses: { 200: dispatchDetail, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const d = await loadDispatch(params.id);
      const rows = await store.getAssignees(d.id);
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) {
        // A township's staff or a leader read a dispatch that reaches a village of theirs, as HQ does.
        if (!d.townshipIds.some((t) => townshipInScope(scope, t))) throw new ForbiddenError(OUTSIDE_SCOPE);
        const reports = await store.latestReports(d.id, REPORTS_SHOWN);
        return ok(detailView(d, rows, reports, ctx.now));
      }
      // The chief who issued it follows every assignee's reports, as HQ does.
      const issuer = d.issuerCadreId !== undefined && d.issuerCadreId === ctx.actor.cadreId;
      if (!isStaff(ctx.actor) && !issuer && !rows.some((r) => r.cadreId === ctx.actor.cadreId)) {
        throw new ForbiddenError('您不是该派遣单的派遣对象，无权查看');
      }
      const reports = await store.latestReports(d.id, REPORTS_SHOWN);
      const detail = detailView(d, rows, reports, ctx.now);
      return ok(isStaff(ctx.actor) || issuer ? detail : forCadre(detail, ctx.actor.cadreId));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/dispatches/{id}/reports',
    summary: '报告派遣任务进展（仅限本人负责的派遣对象）',
    tags: TAGS,
    roles: ['cadre'],
    params: idParams,
    body: createReport,
    responses: { 201: reportView, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      // 1. The form, and the caller's own row on it.
      const d = await loadDispatch(params.id);
      const choice = chooseRow(await store.getOwnAssignees(d.id, ctx.actor.cadreId), body.villageId);
      if (choice.kind === 'not_assignee') throw new ForbiddenError('您不是该派遣单的派遣对象');
      if (choice.kind === 'village_not_assigned') throw new ForbiddenError('您未被派往该村执行此任务');
      if (choice.kind === 'village_required') {
        throw new ValidationError(INVALID, {
          fields: [
            {
              path: 'body.villageId',
              code: 'REQUIRED',
              message: `您在本派遣单中负责多个村（${choice.villageIds.join('、')}），请指定所报告的村`,
            },
          ],
        });
      }

      // 2. Move the row, guarded by the status it had when we decided; on a lost race decide again.
      const reportId = writeId(ctx, 'dispatch-report');
      let row = choice.row;
      let at = ctx.now.toISOString();
      for (let attempt = 1; ; attempt++) {
        if (row.lastReportId === reportId) {
          // A re-run after a crash: the row already carries this report.
          at = row.lastReportAt ?? at;
          break;
        }
        const step = transition(row.status, body.status);
        if (!step.ok) throw new ConflictError('ALREADY_DONE', '该派遣任务已完成，不能再报告');
        const updated = await store.applyReport({
          row,
          next: step.next,
          reportId,
          at,
          note: body.note,
          late: isLate(d.deadline, ctx.now),
        });
        if (updated) break;
        if (attempt >= REPORT_ATTEMPTS) throw new ConcurrentUpdateError('该派遣任务正被同时更新，请稍后重试');
        const fresh = await store.getAssignee(row.dispatchId, row.cadreId, row.villageId);
        if (!fresh)
          throw new Error(`assignee row ${row.dispatchId}/${row.cadreId}/${row.villageId} vanished`);
        row = fresh;
      }

      // 3. File the report (under its week too) and count a finished row on the form.
      const report: ReportRecord = {
        id: reportId,
        dispatchId: d.id,
        number: d.number,
        cadreId: row.cadreId,
        villageId: row.villageId,
        townshipId: row.townshipId,
        status: body.status,
        note: body.note,
        at,
        late: isLate(d.deadline, new Date(at)),
      };
      await store.putReport(report);
      if (body.status === 'done') await store.countRowDone(d.id, row.cadreId, row.villageId);
      await ctx.audit({
        entityType: 'dispatch',
        entityId: d.id,
        action: 'report',
        changes: {
          reportId,
          cadreId: row.cadreId,
          villageId: row.villageId,
          status: body.status,
          note: body.note,
          late: report.late,
        },
      });
      return created(toReportView(report));
    },
  }),
];

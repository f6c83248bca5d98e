import * as store from '../adapters/dynamo/assignments.ts';
import * as roster from '../adapters/dynamo/roster.ts';
import {
  type ActiveChief,
  cadresChiefOfSeveral,
  computeCoverage,
  defaultEndDate,
  endDateProblem,
} from '../core/assignments.ts';
import { derivedId, newId } from '../core/ids.ts';
import { beijingDate } from '../core/time.ts';
import {
  ConcurrentUpdateError,
  ConflictError,
  type FieldIssue,
  NotFoundError,
  ValidationError,
} from '../errors.ts';
import { isStaff, requireSelfOrStaff } from '../http/auth.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import {
  type Assignment,
  assignment,
  assignmentListQuery,
  assignmentMove,
  assignmentPage,
  coverage,
  coverageQuery,
  createAssignment,
  endAssignment,
  moveAssignment,
} from '../schemas/assignments.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import type { Village } from '../schemas/roster.ts';
import { coverageGaps } from './organisation-gaps.ts';
import { detailRoute, listedCadre, listRoute } from './read-routes.ts';
import { byTownship, listedTownship, requireTownship, scopeOf } from './scope.ts';
import { teamRoleIssues } from './teams.ts';

/**
 * Assignments (包村关系) and the coverage report. Admins assign and end; staff read everything; a
 * cadre reads only their own assignments.
 */
const READERS = ['admin', 'inspector', 'township', 'leader', 'cadre'] as const;
const TAGS = ['assignments'];

function invalid(fields: FieldIssue[]): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', { fields });
}

function conflictFor(
  result: Exclude<store.CreateResult, { kind: 'created' | 'recovered' }>,
  from: string,
): Error {
  switch (result.kind) {
    case 'already_assigned':
      return new ConflictError(
        'ALREADY_ASSIGNED',
        result.holder
          ? `该干部已在包联此村（${result.holder.roleLabel}，自 ${result.holder.from} 起），不能重复安排`
          : '该干部已在包联此村，不能重复安排',
        { fields: [{ path: 'body.cadreId', code: 'ALREADY_ASSIGNED', message: '已在包联此村' }] },
      );
    case 'chief_exists':
      return new ConflictError(
        'CHIEF_EXISTS',
        result.holder
          ? `该村已有总队长（干部 ${result.holder.cadreId}，自 ${result.holder.from} 起），须先结束其任职`
          : '该村已有总队长，须先结束其任职',
        { fields: [{ path: 'body.villageId', code: 'CHIEF_EXISTS', message: '该村已有总队长' }] },
      );
    case 'period_clash': {
      const other = result.clash.with;
      const chief = result.clash.kind === 'chief';
      const until = other.to ? `的任期（至 ${other.to} 止）` : '的任期';
      return new ConflictError(
        chief ? 'CHIEF_PERIOD_OVERLAP' : 'ASSIGNMENT_PERIOD_OVERLAP',
        `开始日期 ${from} 与${chief ? `该村总队长（干部 ${other.cadreId}）` : '该干部此前在此村'}${until}重叠`,
        {
          fields: [
            {
              path: 'body.from',
              code: chief ? 'CHIEF_PERIOD_OVERLAP' : 'ASSIGNMENT_PERIOD_OVERLAP',
              message: `不能早于 ${other.to ?? other.from}`,
            },
          ],
        },
      );
    }
    case 'superseded':
      return new ConcurrentUpdateError('该请求已被并发操作取代，请重新提交');
  }
}

/** Runs `fn` over `items`, at most `width` at a time. */
async function mapLimit<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

async function allVillages(townshipId: string | undefined): Promise<Village[]> {
  const villages: Village[] = [];
  let next: string | undefined;
  do {
    const page = await roster.listVillages({ townshipId }, 100, next);
    villages.push(...page.items);
    next = page.next;
  } while (next);
  return villages;
}

/**
 * The running chief assignments the report needs: those of the villages in scope, and (with a
 * township) the same chiefs' assignments elsewhere, so one chief of two townships' villages shows.
 */
async function chiefsForCoverage(townshipId: string | undefined): Promise<ActiveChief[]> {
  const inScope = await store.activeChiefAssignments(townshipId);
  if (!townshipId) return inScope;
  const cadreIds = [...new Set(inScope.map((a) => a.cadreId))];
  const elsewhere = await mapLimit(cadreIds, 8, (id) => store.activeAssignmentsForCadre(id));
  const byId = new Map<string, Assignment>(inScope.map((a) => [a.id, a]));
  for (const a of elsewhere.flat()) if (a.role === 'chief') byId.set(a.id, a);
  return [...byId.values()];
}

export const assignmentsRoutes = [
  defineRoute({
    method: 'POST',
    path: '/assignments',
    summary: '安排包村干部（总队长或工作队员）',
    tags: TAGS,
    roles: ['admin'],
    body: createAssignment,
    responses: { 201: assignment, 400: errorBody, 403: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      const [cadre, village] = await Promise.all([
        roster.getCadre(body.cadreId),
        roster.getVillage(body.villageId),
      ]);
      const missing: FieldIssue[] = [];
      if (!cadre) missing.push({ path: 'body.cadreId', code: 'UNKNOWN_REFERENCE', message: '干部不存在' });
      if (!village) missing.push({ path: 'body.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' });
      if (body.teamRole !== undefined) missing.push(...(await teamRoleIssues(body.teamRole)));
      if (!village || missing.length) throw invalid(missing);

      // A retry with the same Idempotency-Key lands on the same id, hence the same slots and item.
      const id = ctx.idempotencyKey
        ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'assignment')
        : newId(ctx.now);
      const from = body.from ?? beijingDate(ctx.now);
      const result = await store.createAssignment(
        {
          id,
          cadreId: body.cadreId,
          villageId: body.villageId,
          townshipId: village.townshipId,
          role: body.role,
          teamRole: body.teamRole,
          from,
          note: body.note,
          createdAt: ctx.now.toISOString(),
          createdBy: ctx.actor.sub,
        },
        ctx.now,
      );
      if (result.kind !== 'created' && result.kind !== 'recovered') throw conflictFor(result, from);
      // Also on recovery: the crashed attempt may have stopped before its audit entry.
      const { cadreId, villageId, townshipId, role, note, teamRole } = result.assignment;
      await ctx.audit({
        entityType: 'assignment',
        entityId: id,
        action: 'create',
        changes: {
          cadreId,
          villageId,
          townshipId,
          role,
          ...(teamRole ? { teamRole } : {}),
          from: result.assignment.from,
          ...(note ? { note } : {}),
        },
      });
      return created(result.assignment);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/assignments/{id}/end',
    summary: '结束包村关系（保留历史）',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: endAssignment,
    optionalBody: true,
    responses: { 200: assignment, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const current = await store.getAssignment(params.id);
      if (!current) throw new NotFoundError('包村关系不存在');
      const alreadyEnded = () => new ConflictError('ALREADY_ENDED', '该包村关系已经结束');
      if (!current.active) throw alreadyEnded();
      const to = body.to ?? defaultEndDate(current, beijingDate(ctx.now));
      const problem = endDateProblem(current, to);
      if (problem) throw invalid([{ path: 'body.to', code: 'BEFORE_FROM', message: problem }]);

      const result = await store.endAssignment(current, {
        to,
        endedAt: ctx.now.toISOString(),
        endedBy: ctx.actor.sub,
        endReason: body.reason,
      });
      if (result.kind === 'already_ended') throw alreadyEnded();
      await ctx.audit({
        entityType: 'assignment',
        entityId: current.id,
        action: 'end',
        changes: { active: false, to, ...(body.reason ? { reason: body.reason } : {}) },
      });
      return ok(result.assignment);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/assignments/{id}/move',
    summary: '调动：结束该包村关系并在另一村开始新的包村关系（同一日交接，一次完成）',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: moveAssignment,
    responses: { 201: assignmentMove, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      // Steps: 1. the running assignment and the target village; 2. start the new assignment (its
      // slots refuse a village the cadre is already in, or a second chief); 3. end the old one on the
      // same day. The start goes first so that a refusal leaves the old assignment running; a crash
      // between 2 and 3 is finished by a retry with the same Idempotency-Key (same derived id).
      const current = await store.getAssignment(params.id);
      if (!current) throw new NotFoundError('包村关系不存在');
      const id = ctx.idempotencyKey ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'move') : newId(ctx.now);
      const resumed = current.active ? undefined : await store.getAssignment(id);
      if (!current.active && !(resumed && resumed.cadreId === current.cadreId)) {
        throw new ConflictError('ALREADY_ENDED', '该包村关系已经结束，不能再调动');
      }
      if (body.villageId === current.villageId) {
        throw invalid([{ path: 'body.villageId', code: 'SAME_VILLAGE', message: '调往的村与原村相同' }]);
      }
      const village = await roster.getVillage(body.villageId);
      if (!village)
        throw invalid([{ path: 'body.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' }]);
      const from = body.from ?? resumed?.from ?? defaultEndDate(current, beijingDate(ctx.now));
      const problem = endDateProblem(current, from);
      if (problem) throw invalid([{ path: 'body.from', code: 'BEFORE_FROM', message: problem }]);

      const started = await store.createAssignment(
        {
          id,
          cadreId: current.cadreId,
          villageId: village.id,
          townshipId: village.townshipId,
          role: body.role ?? current.role,
          // The person keeps their team role in the new village's team.
          teamRole: current.teamRole,
          from,
          note: body.reason,
          createdAt: ctx.now.toISOString(),
          createdBy: ctx.actor.sub,
        },
        ctx.now,
      );
      if (started.kind !== 'created' && started.kind !== 'recovered') throw conflictFor(started, from);
      const reason = body.reason ?? `调动至${village.name}`;
      const ended = await store.endAssignment(current, {
        to: from,
        endedAt: ctx.now.toISOString(),
        endedBy: ctx.actor.sub,
        endReason: reason,
      });
      const endedAssignment =
        ended.kind === 'ended' ? ended.assignment : ((await store.getAssignment(current.id)) ?? current);
      const next = started.assignment;
      // Audited on a resumed move as well: the crashed attempt may have stopped before its entries.
      await Promise.all([
        ctx.audit({
          entityType: 'assignment',
          entityId: next.id,
          action: 'create',
          changes: {
            cadreId: next.cadreId,
            villageId: next.villageId,
            townshipId: next.townshipId,
            role: next.role,
            from: next.from,
            movedFrom: current.id,
          },
        }),
        ctx.audit({
          entityType: 'assignment',
          entityId: current.id,
          action: 'end',
          changes: { active: false, to: from, reason, movedTo: next.id },
        }),
        ctx.audit({
          entityType: 'cadre',
          entityId: current.cadreId,
          action: 'move',
          changes: {
            before: { assignmentId: current.id, villageId: current.villageId, role: current.role },
            after: { assignmentId: next.id, villageId: next.villageId, role: next.role },
            on: from,
          },
        }),
      ]);
      return created({ ended: endedAssignment, started: next });
    },
  }),
  listRoute({
    path: '/assignments',
    summary: '包村关系列表（可按村、干部、乡镇、角色、在任与否、某日在岗筛选）',
    tags: TAGS,
    roles: READERS,
    query: assignmentListQuery,
    page: assignmentPage,
    errors: [400, 403],
    async list(query, ctx) {
      const { limit, next, ...filter } = query;
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) {
        // A township's staff or a leader: a village of theirs, or the assignments in their township
        // (a cadre's too: only those in it).
        if (filter.villageId) requireTownship(scope, (await roster.getVillage(filter.villageId))?.townshipId);
        else filter.townshipId = listedTownship(scope, filter.townshipId);
      } else {
        filter.cadreId = listedCadre(ctx.actor, filter.cadreId, isStaff(ctx.actor), '只能查看本人的包村关系');
      }
      if (filter.on && !filter.villageId && !filter.cadreId) {
        throw invalid([
          {
            path: 'query.on',
            code: 'REQUIRES_VILLAGE_OR_CADRE',
            message: '按日期查询时须同时指定村或干部',
          },
        ]);
      }
      return store.listAssignments(filter, limit, next);
    },
  }),
  detailRoute({
    path: '/assignments/{id}',
    summary: '包村关系详情',
    tags: TAGS,
    roles: READERS,
    record: assignment,
    errors: [403, 404],
    notFound: '包村关系不存在',
    find: store.getAssignment,
    check: async (found, ctx) => {
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) requireTownship(scope, found.townshipId);
      else requireSelfOrStaff(ctx.actor, found.cadreId);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/coverage',
    summary:
      '包村覆盖情况：没有总队长的村、一人兼任多村总队长的干部、没有县级领导包镇的乡镇、没有部门包片的片区、工作队没有乡镇干部的村、总队长非领导干部的深度贫困村',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader'],
    query: coverageQuery,
    responses: { 200: coverage, 400: errorBody, 403: errorBody },
    async handle({ query }, ctx) {
      const townshipId = listedTownship(await scopeOf(ctx.actor, ctx.now), query.townshipId);
      const [villages, chiefs] = await Promise.all([allVillages(townshipId), chiefsForCoverage(townshipId)]);
      const several = cadresChiefOfSeveral(chiefs, townshipId);
      const listed = new Set(villages.map((v) => v.id));
      const elsewhere = chiefs
        .filter((c) => several.includes(c.cadreId) && !listed.has(c.villageId))
        .map((c) => c.villageId);
      const [cadres, otherVillages] = await Promise.all([
        roster.getCadres(several),
        roster.getVillages(elsewhere),
      ]);
      const report = computeCoverage(villages, chiefs, {
        townshipId,
        cadreNames: new Map([...cadres].map(([id, c]) => [id, c.name])),
        villageNames: new Map([...otherVillages].map(([id, v]) => [id, v.name])),
      });
      // The organisation's gaps (包镇, 包片, a township cadre per team, senior chiefs of deep villages).
      const gaps = await coverageGaps(townshipId, villages, beijingDate(ctx.now));
      return ok({
        ...report,
        ...gaps,
        counts: {
          ...report.counts,
          townshipsWithoutLeader: gaps.townshipsWithoutLeader.length,
          districtsWithoutDepartment: gaps.districtsWithoutDepartment.length,
          villagesWithoutTownshipCadre: gaps.villagesWithoutTownshipCadre.length,
          deepVillagesWithJuniorChief: gaps.deepVillagesWithJuniorChief.length,
        },
      });
    },
  }),
];

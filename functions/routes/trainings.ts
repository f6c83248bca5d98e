import { getStoredEvaluation, latestFinalBefore } from '../adapters/dynamo/evaluations.ts';
import { getCadre, getCadres } from '../adapters/dynamo/roster.ts';
import type { StoredRosterRow } from '../adapters/dynamo/trainings.ts';
import * as store from '../adapters/dynamo/trainings.ts';
import { derivedId, newId } from '../core/ids.ts';
import { COUNTY_SCOPE, type Scope } from '../core/roles.ts';
import { isoWeekOf } from '../core/time.ts';
import { weekWords } from '../core/week-words.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { isStaff } from '../http/auth.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  createTraining,
  markAttendance,
  type RosterRow,
  type Training,
  type TrainingDetail,
  trainingDetail,
  trainingListQuery,
  trainingPage,
} from '../schemas/trainings.ts';
import { listedCadre, listRoute } from './read-routes.ts';
import { byTownship, cadresInScope, requireCadre, scopeOf } from './scope.ts';

/**
 * Remedial training (干部营养餐): HQ creates a session; its roster is proposed from the training
 * candidates of an evaluated week (those in the circle the rules name: seed 001's 拟定对象); HQ then
 * marks each person's attendance and completion (anyone on the roster may be added by marking them).
 * A completion is what a rule set requiring training before leaving the circle looks for.
 */
const TAGS = ['trainings'];
const REFUSAL = '只能查看本人的培训记录';

function invalid(path: string, code: string, message: string): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', { fields: [{ path, code, message }] });
}

function publicRow(row: StoredRosterRow, name: string): RosterRow {
  return {
    cadreId: row.cadreId,
    name,
    proposed: row.proposed,
    reasons: row.reasons,
    attended: row.attended,
    completed: row.completed,
    markedAt: row.markedAt,
    markedBy: row.markedBy,
  };
}

/** A session with its roster: the whole roster for HQ, the rows of their townships' cadres for readers by township. */
async function detail(training: Training, scope: Scope = COUNTY_SCOPE): Promise<TrainingDetail> {
  const all = await store.listRoster(training.id);
  const seen = await cadresInScope(
    scope,
    all.map((r) => r.cadreId),
  );
  const rows = all.filter((r) => seen.has(r.cadreId));
  const cadres = await getCadres(rows.map((r) => r.cadreId));
  const roster = rows
    .map((r) => publicRow(r, cadres.get(r.cadreId)?.name ?? r.cadreId))
    .sort((a, b) => Number(b.proposed) - Number(a.proposed) || a.cadreId.localeCompare(b.cadreId));
  return {
    ...training,
    roster,
    counts: {
      roster: roster.length,
      attended: roster.filter((r) => r.attended === true).length,
      completed: roster.filter((r) => r.completed).length,
    },
  };
}

async function trainingOr404(id: string): Promise<Training> {
  const training = await store.getTraining(id);
  if (!training) throw new NotFoundError('培训不存在');
  return training;
}

export const trainingsRoutes = [
  defineRoute({
    method: 'POST',
    path: '/trainings',
    summary: '新建干部营养餐培训：名单由所依据考评周的培训拟定对象带入',
    tags: TAGS,
    roles: ['admin'],
    body: createTraining,
    responses: { 201: trainingDetail, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      // 1. The evaluated week the roster comes from: as given (it must be evaluated and finished before
      //    the session), else the latest finished week before the session's date, if any.
      let week: string | null = null;
      if (body.week) {
        if (body.week >= isoWeekOf(body.date))
          throw invalid(
            'body.week',
            'WEEK_NOT_BEFORE_TRAINING',
            `培训须在${weekWords(body.week)}结束之后举办`,
          );
        week = body.week;
      } else week = (await latestFinalBefore(isoWeekOf(body.date))) ?? null;
      const evaluation = week ? await getStoredEvaluation(week) : undefined;
      if (body.week && (!evaluation || evaluation.provisional))
        throw invalid('body.week', 'WEEK_NOT_EVALUATED', `${weekWords(body.week)}尚未考评，没有培训拟定对象`);
      // 2. The session, and its proposed roster (the week's candidates, with why).
      const id = ctx.idempotencyKey
        ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'training')
        : newId(ctx.now);
      const record: Training = {
        id,
        title: body.title,
        date: body.date,
        place: body.place ? body.place : null,
        week,
        createdAt: ctx.now.toISOString(),
        createdBy: ctx.actor.sub,
      };
      const candidates = (evaluation?.evaluation.cadres ?? []).filter((c) => c.remedialTraining.length > 0);
      const roster: StoredRosterRow[] = candidates.map((c) => ({
        trainingId: id,
        date: body.date,
        cadreId: c.cadreId,
        proposed: true,
        reasons: c.remedialTraining,
        attended: null,
        completed: false,
        markedAt: null,
        markedBy: null,
        revision: 0,
      }));
      const { item } = await store.createTraining(record, roster);
      await ctx.audit({
        entityType: 'training',
        entityId: item.id,
        action: 'create',
        changes: {
          title: item.title,
          date: item.date,
          place: item.place,
          week: item.week,
          proposed: roster.map((r) => r.cadreId),
        },
      });
      return created(await detail(item));
    },
  }),
  listRoute({
    path: '/trainings',
    summary:
      '干部营养餐培训列表（按日期；按干部时附该干部的登记，干部只看本人的，乡镇和县级领导可按所辖乡镇的干部查看）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    query: trainingListQuery,
    page: trainingPage,
    errors: [400, 403],
    async list(query, ctx) {
      const scope = await scopeOf(ctx.actor, ctx.now);
      // Sessions themselves (title, date, place) are county-wide; a roster row is its cadre's.
      if (byTownship(scope) && query.cadreId) await requireCadre(scope, ctx.actor, query.cadreId, ctx.now);
      const cadreId = byTownship(scope)
        ? query.cadreId
        : listedCadre(ctx.actor, query.cadreId, isStaff(ctx.actor), REFUSAL);
      const range = { from: query.from, to: query.to };
      if (!cadreId) return store.listTrainings(range, query.limit, query.next);
      const page = await store.listCadreTrainings(cadreId, range, query.limit, query.next);
      const cadre = await getCadre(cadreId);
      return {
        items: page.items.map(({ training, row }) => ({
          ...training,
          attendance: publicRow(row, cadre?.name ?? cadreId),
        })),
        ...(page.next ? { next: page.next } : {}),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/trainings/{id}',
    summary: '培训详情：名单、出勤与结业（乡镇和县级领导只看到所辖乡镇干部的登记与人数）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader'],
    params: idParams,
    responses: { 200: trainingDetail, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const training = await trainingOr404(params.id);
      return ok(await detail(training, await scopeOf(ctx.actor, ctx.now)));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/trainings/{id}/attendance',
    summary: '登记培训出勤与结业（名单外的干部登记即加入名单）；可改登，留前后记录',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: markAttendance,
    responses: { 200: trainingDetail, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const training = await trainingOr404(params.id);
      if (!(await getCadre(body.cadreId))) throw invalid('body.cadreId', 'UNKNOWN_REFERENCE', '干部不存在');
      const previous = await store.getRosterRow(training.id, body.cadreId);
      const unchanged =
        previous && previous.attended === body.attended && previous.completed === body.completed;
      if (!unchanged) {
        const row: StoredRosterRow = {
          trainingId: training.id,
          date: training.date,
          cadreId: body.cadreId,
          proposed: previous?.proposed ?? false,
          reasons: previous?.reasons ?? [],
          attended: body.attended,
          completed: body.completed,
          markedAt: ctx.now.toISOString(),
          markedBy: ctx.actor.sub,
          revision: (previous?.revision ?? 0) + 1,
        };
        if (!(await store.putRosterRow(row, previous)))
          throw new ConflictError('CONCURRENT_UPDATE', '该干部的登记已被他人修改，请刷新后重试');
        await ctx.audit({
          entityType: 'training',
          entityId: training.id,
          action: 'attendance',
          changes: {
            cadreId: body.cadreId,
            before: previous ? { attended: previous.attended, completed: previous.completed } : null,
            after: { attended: body.attended, completed: body.completed },
          },
        });
      }
      return ok(await detail(training));
    },
  }),
];

import { assignmentsOn } from '../adapters/dynamo/assignments.ts';
import { getVillage } from '../adapters/dynamo/roster.ts';
import * as store from '../adapters/dynamo/visits.ts';
import { derivedId, newId } from '../core/ids.ts';
import { addDays, beijingDate, beijingDayStart, isoWeekOfInstant, isoWeekRange } from '../core/time.ts';
import { farFromVillage, visitTimeProblem, visitTotals } from '../core/visits.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { isStaff } from '../http/auth.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import { errorBody } from '../schemas/common.ts';
import {
  createVisit,
  MAX_SUMMARY_DAYS,
  type Visit,
  type VisitSummary,
  visit,
  visitListQuery,
  visitPage,
  visitSummary,
  visitSummaryQuery,
} from '../schemas/visits.ts';
import { checkPhotos, claimPhotos, releasePhotos } from './photo-claims.ts';
import { listedCadre, listRoute } from './read-routes.ts';
import { byTownship, listedTownship, requireCadre, requireTownship, scopeOf } from './scope.ts';

/**
 * Visits to the village (驻村记录) and nights stayed (吃住在村). A cadre records their own visits to
 * the villages they answer for on that day; HQ and inspectors read everyone's, a cadre their own.
 * Only the cadre records: a visit is their own testimony, so no one records one on their behalf.
 */
const TAGS = ['visits'];

function invalid(path: string, code: string, message: string): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', { fields: [{ path, code, message }] });
}

const TIME_MESSAGES = {
  future: ['VISIT_IN_FUTURE', '到村时间不能晚于现在'],
  too_old: ['VISIT_TOO_OLD', '只能补记 7 天以内的驻村记录'],
} as const;

/** A span of Beijing days → the UTC range its visits' `at` lies in (from inclusive, before exclusive). */
function span(from: string | undefined, to: string | undefined) {
  return {
    fromAt: from ? beijingDayStart(from).toISOString() : undefined,
    beforeAt: to ? beijingDayStart(addDays(to, 1)).toISOString() : undefined,
  };
}

/**
 * Visits and nights of one cadre over Beijing days `from`–`to` (inclusive): the standing page and the
 * HQ cadre profile read this.
 */
export async function cadreVisitSummary(
  cadreId: string,
  from: string,
  to: string,
  /** Count only the visits to villages of these townships (a township-scoped reader's). */
  townshipIds?: readonly string[],
): Promise<VisitSummary> {
  const { fromAt, beforeAt } = span(from, to);
  const visits = await store.cadreVisitsBetween(cadreId, fromAt as string, beforeAt as string);
  return summarize(townshipIds ? visits.filter((v) => townshipIds.includes(v.townshipId)) : visits, from, to);
}

/** The same for one township (every cadre's visits to its villages). */
export async function townshipVisitSummary(
  townshipId: string,
  from: string,
  to: string,
): Promise<VisitSummary> {
  const { fromAt, beforeAt } = span(from, to);
  const visits = await store.townshipVisitsBetween(townshipId, fromAt as string, beforeAt as string);
  return summarize(visits, from, to);
}

function summarize(visits: readonly Visit[], from: string, to: string): VisitSummary {
  const totals = visitTotals(visits);
  return {
    from,
    to,
    visits: totals.visits,
    nights: totals.nights,
    far: totals.far,
    villages: new Set(visits.map((v) => v.villageId)).size,
    cadres: totals.cadresVisiting,
    cadresWithNight: totals.cadresWithNight,
  };
}

export const visitsRoutes = [
  defineRoute({
    method: 'POST',
    path: '/visits',
    summary: '干部驻村记录（到村、在村住宿；可附手机定位与照片）',
    tags: TAGS,
    roles: ['cadre'],
    body: createVisit,
    responses: { 201: visit, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      const cadreId = ctx.actor.cadreId;
      const atMs = Date.parse(body.at);
      const timeProblem = visitTimeProblem(atMs, ctx.now.getTime());
      if (timeProblem) {
        const [code, message] = TIME_MESSAGES[timeProblem];
        throw invalid('body.at', code, message);
      }
      const village = await getVillage(body.villageId);
      if (!village) throw invalid('body.villageId', 'UNKNOWN_REFERENCE', '村不存在');
      // Responsible for the village on the day of the visit (Beijing), not merely today.
      const date = beijingDate(new Date(atMs));
      const assigned = await assignmentsOn(body.villageId, date);
      if (!assigned.some((a) => a.cadreId === cadreId)) {
        throw new ForbiddenError('只能记录本人当日在包的村');
      }
      const verdict = farFromVillage(village.location, body.location);
      const id = ctx.idempotencyKey ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'visit') : newId(ctx.now);
      // Photos (POST /uploads first): every one checked and decoded before anything is written, then
      // claimed for this visit; a retry with the same key claims them again harmlessly.
      const photoIds = body.photoIds ?? [];
      const photos = photoIds.length
        ? await checkPhotos(
            ctx.actor,
            'visit',
            [{ path: 'body.photoIds', ids: photoIds }],
            new Map(photoIds.map((p) => [p, id])),
          )
        : undefined;
      if (photos?.issues.length)
        throw new ValidationError('请求内容有误，请按提示修改', { fields: photos.issues });
      if (photos)
        await claimPhotos(
          photos,
          [
            {
              ids: photoIds,
              claimRef: id,
              subject: { kind: 'visit', id, cadreId, townshipId: village.townshipId },
            },
          ],
          ctx,
        );
      const record: Visit = {
        id,
        cadreId,
        villageId: village.id,
        townshipId: village.townshipId,
        at: body.at,
        date,
        week: isoWeekOfInstant(new Date(atMs)),
        overnight: body.overnight ?? false,
        location: body.location ?? null,
        distanceMeters: verdict.distanceMeters,
        far: verdict.far,
        note: body.note ? body.note : null,
        photoIds,
        createdAt: ctx.now.toISOString(),
        createdBy: ctx.actor.sub,
      };
      // Not created means a retry (same derived id) after an attempt that failed once the visit was
      // stored, most likely before its audit entry: record it now rather than risk none.
      let item: Visit;
      try {
        ({ item } = await store.createVisit(record));
      } catch (error) {
        if (photos) await releasePhotos(photos, id);
        throw error;
      }
      await ctx.audit({
        entityType: 'visit',
        entityId: item.id,
        action: 'create',
        changes: {
          villageId: item.villageId,
          at: item.at,
          overnight: item.overnight,
          // Where a person was is personal data: the trail keeps the verdict, not the coordinates.
          located: item.location !== null,
          distanceMeters: item.distanceMeters,
          far: item.far,
          ...(item.note ? { note: item.note } : {}),
          ...(item.photoIds.length ? { photoIds: item.photoIds } : {}),
        },
      });
      return created(item);
    },
  }),
  listRoute({
    path: '/visits',
    summary:
      '驻村记录列表（指挥部、督查组看全部，乡镇和县级领导看所辖乡镇村的，干部看本人的；可按干部、村、乡镇、周、日期筛选）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    query: visitListQuery,
    page: visitPage,
    errors: [400, 403],
    async list(query, ctx) {
      const scope = await scopeOf(ctx.actor, ctx.now);
      let { cadreId, townshipId } = query;
      if (byTownship(scope)) {
        // The visits to their township's villages, whoever made them (a village elsewhere is 403).
        if (query.villageId) requireTownship(scope, (await getVillage(query.villageId))?.townshipId);
        townshipId = listedTownship(scope, townshipId);
      } else cadreId = listedCadre(ctx.actor, cadreId, isStaff(ctx.actor), '只能查看本人的驻村记录');
      // A week narrows the dates to its Monday–Sunday (the overlap with from/to, if also given).
      const week = query.week ? isoWeekRange(query.week) : undefined;
      const from = [query.from, week?.monday]
        .filter((d) => d !== undefined)
        .sort()
        .at(-1);
      const to = [query.to, week?.sunday].filter((d) => d !== undefined).sort()[0];
      // No day in common: nothing to list (and no inverted key range to ask the table for).
      if (from && to && from > to) return { items: [] };
      return store.listVisits(
        { cadreId, villageId: query.villageId, townshipId, ...span(from, to) },
        query.limit,
        query.next,
      );
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/visits/summary',
    summary: '驻村次数与在村住宿晚数（按干部或乡镇，默认最近 4 周；乡镇和县级领导只统计所辖乡镇村的驻村）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader', 'cadre'],
    query: visitSummaryQuery,
    responses: { 200: visitSummary, 400: errorBody, 403: errorBody },
    async handle({ query }, ctx) {
      const to = query.to ?? beijingDate(ctx.now);
      const from = query.from ?? addDays(to, -27);
      if (from > to) throw invalid('query.from', 'INVALID_RANGE', '起始日期不能晚于结束日期');
      if (addDays(from, MAX_SUMMARY_DAYS) <= to)
        throw invalid('query.from', 'RANGE_TOO_LONG', `一次最多统计 ${MAX_SUMMARY_DAYS} 天`);
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) {
        // A cadre's visits counted in the reader's townships only; else their (one) township's.
        if (query.cadreId) {
          await requireCadre(scope, ctx.actor, query.cadreId, ctx.now);
          return ok(await cadreVisitSummary(query.cadreId, from, to, scope.townshipIds));
        }
        return ok(await townshipVisitSummary(listedTownship(scope, query.townshipId) as string, from, to));
      }
      if (query.townshipId) {
        if (!isStaff(ctx.actor)) throw new ForbiddenError('只能查看本人的驻村记录');
        return ok(await townshipVisitSummary(query.townshipId, from, to));
      }
      const cadreId = listedCadre(ctx.actor, query.cadreId, isStaff(ctx.actor), '只能查看本人的驻村记录');
      if (!cadreId) throw invalid('query.cadreId', 'REQUIRED', '请指定干部或乡镇');
      return ok(await cadreVisitSummary(cadreId, from, to));
    },
  }),
];

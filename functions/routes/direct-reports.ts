import { activeAssignmentsForCadre } from '../adapters/dynamo/assignments.ts';
import * as store from '../adapters/dynamo/direct-reports.ts';
import { getCadre, getVillage } from '../adapters/dynamo/roster.ts';
import { assignmentsEffectiveOn as effectiveOn } from '../core/assignments.ts';
import { responseMinutes, townshipMaySee } from '../core/direct-reports.ts';
import { derivedId, newId } from '../core/ids.ts';
import { addDays, beijingDate, beijingDateTime, beijingDayStart } from '../core/time.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { type Actor, hasRole } from '../http/auth.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import { announce, emergencyNews } from '../jobs/news-events.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  acknowledgeDirectReport,
  createDirectReport,
  DIRECT_REPORT_KIND_LABELS,
  type DirectReport,
  directReport,
  directReportListQuery,
  directReportPage,
} from '../schemas/direct-reports.ts';
import { directReportHandoffRoutes, SENT_PAST, townshipStaffView } from './direct-report-handoffs.ts';
import { detailRoute, listedCadre, listRoute } from './read-routes.ts';
import { byTownship, listedTownship, requireTownship, scopeOf, villageIdsOf } from './scope.ts';

/**
 * Direct reports (信息直报): a cadre reports a village's situation, needs, violations or emergencies
 * straight to HQ; HQ acknowledges, and the time it took is recorded.
 */
const TAGS = ['direct-reports'];
const INSPECTOR_READS = '督查人员只能查看违规举报';
/** An inspector (and nothing more): reads the county's violation reports, to verify them. */
const inspectorOnly = (actor: Actor) =>
  hasRole(actor, 'inspector') && !hasRole(actor, 'admin', 'township', 'leader', 'cadre');

export const directReportsRoutes = [
  defineRoute({
    method: 'POST',
    path: '/direct-reports',
    summary: '干部信息直报',
    tags: TAGS,
    roles: ['cadre'],
    body: createDirectReport,
    responses: { 201: directReport, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      const cadreId = ctx.actor.cadreId;
      const village = await getVillage(body.villageId);
      if (!village) {
        throw new ValidationError('请求内容有误，请按提示修改', {
          fields: [{ path: 'body.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' }],
        });
      }
      // Responsible today (Beijing): an assignment planned to start later does not count yet.
      const current = effectiveOn(await activeAssignmentsForCadre(cadreId), beijingDate(ctx.now));
      if (!current.some((a) => a.villageId === body.villageId)) {
        throw new ForbiddenError('只能为本人在包的村直报信息');
      }
      const createdAt = ctx.now.toISOString();
      // A retry with the same Idempotency-Key lands on the same report, even after a crash.
      const id = ctx.idempotencyKey
        ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'direct-report')
        : newId(ctx.now);
      const report: DirectReport = {
        id,
        cadreId,
        villageId: village.id,
        townshipId: village.townshipId,
        kind: body.kind,
        kindLabel: DIRECT_REPORT_KIND_LABELS[body.kind],
        summary: body.summary,
        details: body.details ?? null,
        skipLevels: body.skipLevels ?? false,
        status: 'new',
        createdAt,
      };
      // Not created means a retry (same derived id) after an attempt that failed once the report was
      // stored, most likely before its audit entry: record it now rather than risk none.
      const { item } = await store.createDirectReport(report);
      await ctx.audit({
        entityType: 'directReport',
        entityId: item.id,
        action: 'create',
        changes: {
          villageId: item.villageId,
          kind: item.kind,
          summary: item.summary,
          skipLevels: item.skipLevels,
        },
      });
      if (item.kind === 'emergency') {
        // HQ's recipients hear of an emergency at once, by email (docs/news.md); keyed by the report.
        const cadre = await getCadre(cadreId);
        await announce(
          emergencyNews({ report: item, cadreName: cadre?.name ?? cadreId, villageName: village.name }),
          ctx.log,
        );
      }
      return created(item);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/direct-reports/{id}/acknowledge',
    summary: '指挥部签收直报（记录响应用时）',
    tags: TAGS,
    roles: ['admin', 'township'],
    params: idParams,
    body: acknowledgeDirectReport,
    optionalBody: true,
    responses: { 200: directReport, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const report = await store.getDirectReport(params.id);
      if (!report) throw new NotFoundError('直报信息不存在');
      // A township's staff sign for the reports from their own township's villages, not for those
      // sent past them (越级直报).
      const scope = await scopeOf(ctx.actor, ctx.now);
      requireTownship(scope, report.townshipId);
      if (townshipStaffView(scope, ctx.actor) && !townshipMaySee(report)) throw new ForbiddenError(SENT_PAST);
      const at = ctx.now.toISOString();
      const minutes = responseMinutes(report.createdAt, at);
      const result = await store.acknowledgeDirectReport(params.id, {
        at,
        by: ctx.actor.sub,
        byName: ctx.actor.name,
        note: body.note ?? null,
        responseMinutes: minutes,
        token: ctx.idempotencyKey
          ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'acknowledge', params.id)
          : undefined,
      });
      if (result.kind === 'missing') throw new NotFoundError('直报信息不存在');
      if (result.kind === 'already') {
        const when = result.item.acknowledgedAt
          ? `于北京时间 ${beijingDateTime(new Date(result.item.acknowledgedAt))} `
          : '';
        throw new ConflictError('ALREADY_ACKNOWLEDGED', `该直报已${when}签收`);
      }
      // Also for 'repeat' (this request's earlier attempt stored the acknowledgement and failed after
      // it, most likely before its audit entry).
      const { acknowledgementNote: note, responseMinutes: stored } = result.item;
      await ctx.audit({
        entityType: 'directReport',
        entityId: params.id,
        action: 'acknowledge',
        changes: { status: 'acknowledged', responseMinutes: stored, ...(note ? { note } : {}) },
      });
      return ok(result.item);
    },
  }),
  listRoute({
    path: '/direct-reports',
    summary:
      '直报列表（指挥部看全部，干部看本人的，督查人员看违规举报以便核实；可按类型、状态、村、干部、日期筛选）',
    tags: TAGS,
    roles: ['admin', 'township', 'leader', 'cadre', 'inspector'],
    query: directReportListQuery,
    page: directReportPage,
    errors: [400, 403],
    list: async (query, ctx) => {
      // An inspector reads violation reports only, across the county (to verify them, docs/quotas.md).
      const violationsOnly = inspectorOnly(ctx.actor);
      if (violationsOnly && query.kind !== undefined && query.kind !== 'violation')
        throw new ForbiddenError(INSPECTOR_READS);
      const scope = await scopeOf(ctx.actor, ctx.now);
      let townshipVillageIds: string[] | undefined;
      if (query.villageId) requireTownship(scope, (await getVillage(query.villageId))?.townshipId);
      else if (query.townshipId || byTownship(scope)) {
        // One township's reports: a township's staff or a leader always read by township.
        if (query.cadreId)
          throw new ValidationError('请求内容有误，请按提示修改', {
            fields: [
              {
                path: 'query.cadreId',
                code: 'FILTER_NOT_AVAILABLE',
                message: '按乡镇查看直报时不能再按干部筛选',
              },
            ],
          });
        townshipVillageIds = await villageIdsOf(listedTownship(scope, query.townshipId) as string);
      }
      return store.listDirectReports(
        {
          kind: violationsOnly ? 'violation' : query.kind,
          status: query.status,
          villageId: query.villageId,
          townshipVillageIds,
          townshipView: townshipStaffView(scope, ctx.actor),
          cadreId: byTownship(scope)
            ? undefined
            : listedCadre(
                ctx.actor,
                query.cadreId,
                hasRole(ctx.actor, 'admin') || violationsOnly,
                '只能查看本人的直报',
              ),
          fromAt: query.from ? beijingDayStart(query.from).toISOString() : undefined,
          beforeAt: query.to ? beijingDayStart(addDays(query.to, 1)).toISOString() : undefined,
        },
        query.limit,
        query.next,
      );
    },
  }),
  detailRoute({
    path: '/direct-reports/{id}',
    summary: '直报详情（督查人员只能查看违规举报）',
    tags: TAGS,
    roles: ['admin', 'township', 'leader', 'cadre', 'inspector'],
    record: directReport,
    errors: [403, 404],
    notFound: '直报信息不存在',
    find: store.getDirectReport,
    check: async (report, ctx) => {
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) {
        requireTownship(scope, report.townshipId);
        if (townshipStaffView(scope, ctx.actor) && !townshipMaySee(report))
          throw new ForbiddenError(SENT_PAST);
        return;
      }
      if (hasRole(ctx.actor, 'admin') || report.cadreId === ctx.actor.cadreId) return;
      if (inspectorOnly(ctx.actor)) {
        if (report.kind === 'violation') return;
        throw new ForbiddenError(INSPECTOR_READS);
      }
      // A cadre of a unit the report was handed to reads it (to reply).
      const unitId = ctx.actor.cadreId ? (await getCadre(ctx.actor.cadreId))?.unitId : undefined;
      if (!unitId || !report.handoffs?.some((h) => h.unitId === unitId))
        throw new ForbiddenError('只能查看本人的直报');
    },
  }),
  // Triage, hand-off (转办), the unit's reply and closure (办结).
  ...directReportHandoffRoutes,
];

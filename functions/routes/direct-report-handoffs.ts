import * as store from '../adapters/dynamo/direct-reports.ts';
import { getUnit } from '../adapters/dynamo/organisation.ts';
import { getCadre, getVillage } from '../adapters/dynamo/roster.ts';
import {
  closeRefusal,
  handoffOverdue,
  handoffRefusal,
  type ReportStatus,
  responseMinutes,
  type StepRefusal,
  townshipMayAct,
  townshipMaySee,
  triageRefusal,
} from '../core/direct-reports.ts';
import { derivedId, newId } from '../core/ids.ts';
import { beijingDate } from '../core/time.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { type Actor, hasRole } from '../http/auth.ts';
import { created, defineRoute, ok, type RequestContext } from '../http/route.ts';
import { announce, reportClosedNews } from '../jobs/news-events.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  closeDirectReport,
  createHandoff,
  type DirectReport,
  directReport,
  handoffListQuery,
  handoffPage,
  handoffParams,
  replyHandoff,
  triageDirectReport,
} from '../schemas/direct-reports.ts';
import { listRoute } from './read-routes.ts';
import { byTownship, listedTownship, requireTownship, scopeOf } from './scope.ts';

/**
 * Direct reports handed off and closed (docs/direct-reports.md): HQ or the township triages a report
 * (the level that handles it), hands it to a unit with a deadline (转办), the unit replies, and HQ or the
 * township closes it (办结) and the reporter is told. Each step is a conditional write on the report
 * (core/direct-reports.ts decides what may follow what), retried safely by its Idempotency-Key, and
 * audited with the state before and after.
 */
const TAGS = ['direct-reports'];
const NOT_FOUND = '直报信息不存在';
const COUNTY_HANDLES = '该直报由县级办理，乡镇工作人员只能查看';
/** A report sent past the township (越级直报), until the county hands it down. */
export const SENT_PAST = '该直报为越级直报，由县指挥部办理';

const REFUSALS: Record<Exclude<StepRefusal, null>, string> = {
  ALREADY_CLOSED: '该直报已办结',
  ALREADY_HANDED_OFF: '该直报已转办，不能再改变办理层级',
  NOT_TRIAGED: '请先研判该直报的办理层级，再转办',
  HANDOFF_OPEN: '尚有承办单位未回复，不能办结',
};

function refuse(code: StepRefusal): void {
  if (code) throw new ConflictError(code, REFUSALS[code]);
}

/** A token per request: the Idempotency-Key's, so a retry finds its own step done; else a fresh one. */
function tokenOf(ctx: RequestContext, step: string, ...parts: string[]): string {
  return ctx.idempotencyKey ? derivedId(ctx.actor.sub, ctx.idempotencyKey, step, ...parts) : newId(ctx.now);
}

/**
 * The report, for a write by HQ or a township's staff: their township's, visible to them (not sent past
 * them) and not the county's to handle. County leaders read; they do not triage.
 */
async function reportToHandle(id: string, ctx: RequestContext) {
  const found = await store.getStoredDirectReport(id);
  if (!found) throw new NotFoundError(NOT_FOUND);
  const scope = await scopeOf(ctx.actor, ctx.now);
  requireTownship(scope, found.report.townshipId);
  if (byTownship(scope) && !townshipMayAct(found.report))
    throw new ForbiddenError(townshipMaySee(found.report) ? COUNTY_HANDLES : SENT_PAST);
  return found;
}

function signer(ctx: RequestContext, token: string) {
  return {
    at: ctx.now.toISOString(),
    by: ctx.actor.sub,
    ...(ctx.actor.name ? { byName: ctx.actor.name } : {}),
    token,
  };
}

function invalid(path: string, code: string, message: string): never {
  throw new ValidationError('请求内容有误，请按提示修改', { fields: [{ path, code, message }] });
}

/** The unit a cadre belongs to (issue 12's units), if any. */
async function unitOfCadre(actor: Actor): Promise<string | undefined> {
  if (!actor.cadreId) return undefined;
  return (await getCadre(actor.cadreId))?.unitId;
}

/** Reads cut like a township's staff (a county leader reads as the county: they see every level). */
export function townshipStaffView(scope: Awaited<ReturnType<typeof scopeOf>>, actor: Actor): boolean {
  return byTownship(scope) && !hasRole(actor, 'leader');
}

export const directReportHandoffRoutes = [
  defineRoute({
    method: 'POST',
    path: '/direct-reports/{id}/triage',
    summary: '研判直报的办理层级（村级、乡镇、县级）',
    tags: TAGS,
    roles: ['admin', 'township'],
    params: idParams,
    body: triageDirectReport,
    responses: { 200: directReport, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const { report } = await reportToHandle(params.id, ctx);
      refuse(triageRefusal(report.status as ReportStatus));
      const s = signer(ctx, tokenOf(ctx, 'triage', params.id));
      const result = await store.triageDirectReport(params.id, {
        ...s,
        level: body.level,
        note: body.note ?? null,
        responseMinutes: responseMinutes(report.createdAt, s.at),
      });
      if (result.kind === 'missing') throw new NotFoundError(NOT_FOUND);
      if (result.kind === 'refused')
        refuse(triageRefusal(result.item.status as ReportStatus) ?? 'ALREADY_HANDED_OFF');
      const item = result.item;
      await ctx.audit({
        entityType: 'directReport',
        entityId: params.id,
        action: 'triage',
        changes: {
          before: { status: report.status, level: report.level ?? null },
          after: { status: item.status, level: item.level },
          ...(item.triageNote ? { note: item.triageNote } : {}),
        },
      });
      return ok(item);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/direct-reports/{id}/handoffs',
    summary: '转办直报给单位（限期办理）',
    tags: TAGS,
    roles: ['admin', 'township'],
    params: idParams,
    body: createHandoff,
    responses: { 201: directReport, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const { report } = await reportToHandle(params.id, ctx);
      const unit = await getUnit(body.unitId);
      if (!unit) invalid('body.unitId', 'UNKNOWN_REFERENCE', '单位不存在，请从单位名册中选择');
      if (body.deadline < beijingDate(ctx.now))
        invalid('body.deadline', 'DEADLINE_PASSED', '办理期限不能早于今天');
      refuse(handoffRefusal(report.status as ReportStatus));
      const s = signer(ctx, tokenOf(ctx, 'handoff', params.id));
      // A retry with the same Idempotency-Key lands on the same hand-off.
      const handoffId = ctx.idempotencyKey ? s.token : newId(ctx.now);
      const result = await store.addHandoff(params.id, {
        id: handoffId,
        unitId: unit.id,
        unitName: unit.name,
        deadline: body.deadline,
        note: body.note,
        createdAt: s.at,
        createdBy: s.by,
        ...(s.byName ? { createdByName: s.byName } : {}),
      });
      if (result.kind === 'missing') throw new NotFoundError(NOT_FOUND);
      if (result.kind === 'refused')
        refuse(handoffRefusal(result.item.status as ReportStatus) ?? 'NOT_TRIAGED');
      await ctx.audit({
        entityType: 'directReport',
        entityId: params.id,
        action: 'handoff',
        changes: {
          before: { status: report.status },
          after: { status: result.item.status },
          handoffId,
          unitId: unit.id,
          unitName: unit.name,
          deadline: body.deadline,
          note: body.note,
        },
      });
      return created(result.item);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/direct-reports/{id}/handoffs/{handoffId}/reply',
    summary: '承办单位回复转办的直报（本单位干部或指挥部代为录入）',
    tags: TAGS,
    roles: ['admin', 'cadre'],
    params: handoffParams,
    body: replyHandoff,
    responses: { 200: directReport, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const found = await store.getStoredDirectReport(params.id);
      const handoff = found?.report.handoffs?.find((h) => h.id === params.handoffId);
      if (!found || !handoff) throw new NotFoundError('转办记录不存在');
      if (!hasRole(ctx.actor, 'admin') && (await unitOfCadre(ctx.actor)) !== handoff.unitId)
        throw new ForbiddenError('只有承办单位的干部才能回复该转办');
      const s = signer(ctx, tokenOf(ctx, 'reply', params.id, params.handoffId));
      const result = await store.replyToHandoff(params.id, params.handoffId, { ...s, reply: body.reply });
      if (result.kind === 'missing') throw new NotFoundError('转办记录不存在');
      if (result.kind === 'refused') {
        if (result.item.status === 'closed') refuse('ALREADY_CLOSED');
        throw new ConflictError('ALREADY_REPLIED', '该转办已回复');
      }
      await ctx.audit({
        entityType: 'directReport',
        entityId: params.id,
        action: 'handoff-reply',
        changes: {
          before: { status: found.report.status },
          after: { status: result.item.status },
          handoffId: params.handoffId,
          unitId: handoff.unitId,
          reply: body.reply,
        },
      });
      return ok(result.item);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/direct-reports/{id}/close',
    summary: '直报办结（告知报告人）',
    tags: TAGS,
    roles: ['admin', 'township'],
    params: idParams,
    body: closeDirectReport,
    responses: { 200: directReport, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const { report, openHandoffs } = await reportToHandle(params.id, ctx);
      const s = signer(ctx, tokenOf(ctx, 'close', params.id));
      const minutes = responseMinutes(report.createdAt, s.at);
      const result = await store.closeDirectReport(params.id, {
        ...s,
        resolution: body.resolution,
        resolutionMinutes: minutes,
        responseMinutes: minutes,
      });
      if (result.kind === 'missing') throw new NotFoundError(NOT_FOUND);
      if (result.kind === 'refused')
        refuse(
          closeRefusal(result.item.status as ReportStatus, store.openHandoffsOf(result.stored)) ??
            closeRefusal(report.status as ReportStatus, openHandoffs) ??
            'ALREADY_CLOSED',
        );
      const item = result.item as DirectReport & { closedAt: string };
      await ctx.audit({
        entityType: 'directReport',
        entityId: params.id,
        action: 'close',
        changes: {
          before: { status: report.status },
          after: { status: 'closed', resolutionMinutes: item.resolutionMinutes },
          resolution: item.resolution,
        },
      });
      // The reporter hears of it at once (keyed by the report: a retry tells nobody twice).
      const village = await getVillage(item.villageId);
      await announce(
        reportClosedNews({
          report: item,
          villageName: village?.name ?? item.villageId,
          resolution: item.resolution ?? body.resolution,
        }),
        ctx.log,
      );
      return ok(item);
    },
  }),
  listRoute({
    path: '/direct-report-handoffs',
    summary: '转办记录（承办单位的干部看本单位的；可只看逾期未回复的）',
    tags: TAGS,
    roles: ['admin', 'township', 'leader', 'cadre'],
    query: handoffListQuery,
    page: handoffPage,
    errors: [400, 403],
    list: async (query, ctx) => {
      const scope = await scopeOf(ctx.actor, ctx.now);
      let unitId = query.unitId;
      let townshipId: string | undefined;
      if (byTownship(scope)) townshipId = listedTownship(scope, query.townshipId);
      else if (!hasRole(ctx.actor, 'admin')) {
        // A cadre reads their own unit's hand-offs.
        const own = await unitOfCadre(ctx.actor);
        if (unitId !== undefined && unitId !== own) throw new ForbiddenError('只能查看转给本单位的直报');
        if (own === undefined) return { items: [] };
        unitId = own;
      } else townshipId = query.townshipId;
      const today = beijingDate(ctx.now);
      const page = await store.listHandoffs(
        {
          unitId,
          townshipId,
          dueBefore: query.overdue ? today : undefined,
          townshipView: townshipStaffView(scope, ctx.actor),
        },
        query.limit,
        query.next,
      );
      return {
        ...page,
        items: page.items.map((h) => ({ ...h, overdue: handoffOverdue(h, today) })),
      };
    },
  }),
];

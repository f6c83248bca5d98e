import * as allocations from '../adapters/dynamo/allocations.ts';
import { activeAssignmentsForCadre } from '../adapters/dynamo/assignments.ts';
import { getDirectReport } from '../adapters/dynamo/direct-reports.ts';
import { getMajorFailure } from '../adapters/dynamo/major-failures.ts';
import {
  getResourceKinds,
  type ResourceKindSettings,
  saveResourceKinds,
} from '../adapters/dynamo/resource-kinds.ts';
import { getVillage, getVillages } from '../adapters/dynamo/roster.ts';
import * as sanctions from '../adapters/dynamo/sanctions.ts';
import { createVerification, getVerification } from '../adapters/dynamo/violation-verifications.ts';
import { assignmentsEffectiveOn } from '../core/assignments.ts';
import { derivedId, newId } from '../core/ids.ts';
import {
  type Grant,
  periodRange,
  quotaLedger,
  type ResourceKind,
  type SanctionTerm,
  sanctionTouches,
} from '../core/quotas.ts';
import { villagesLed } from '../core/teams.ts';
import { beijingDate } from '../core/time.ts';
import {
  ConflictError,
  type FieldIssue,
  ForbiddenCodeError,
  NotFoundError,
  ValidationError,
} from '../errors.ts';
import { type Actor, hasRole } from '../http/auth.ts';
import { expectedVersion, versionConflict, versionHeaders } from '../http/if-match.ts';
import { created, defineRoute, ok, type RequestContext } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  ALLOCATION_STATUS_LABELS,
  type Allocation,
  allocation,
  allocationListQuery,
  allocationPage,
  createAllocation,
  createSanction,
  decideAllocation,
  decideSanction,
  putResourceKinds,
  type QuotaLine,
  quotaLedgerView,
  quotaQuery,
  rejectSanction,
  resourceKinds,
  SANCTION_KIND_LABELS,
  SANCTION_STATUS_LABELS,
  type Sanction,
  sanction,
  sanctionListQuery,
  sanctionPage,
  VERIFICATION_VERDICT_LABELS,
  type Verification,
  verificationView,
  verifyViolation,
} from '../schemas/resources.ts';
import type { Village } from '../schemas/roster.ts';
import { detailRoute, listRoute } from './read-routes.ts';
import { byTownship, listedTownship, requireTownship, scopeOf } from './scope.ts';

/**
 * The team leader's powers (seed 000, docs/quotas.md): resource allocation — the chief proposes the
 * priority of the villages they lead for a named resource, HQ decides, and a ledger keeps each
 * village's quota per period — and violation handling — a violation report verified by an inspector,
 * a sanction (削减 by a share, or 暂停, for a date range) proposed by the chief (or a township's staff
 * or HQ) and approved by HQ, after which it counts in the quota ledger, the bulletin and the village's
 * page. A sanction may cite a predefined major failure; that failure keeps its own consequence.
 */
const TAGS = ['resources'];
const INVALID = '请求内容有误，请按提示修改';
const invalid = (fields: FieldIssue[]) => new ValidationError(INVALID, { fields });
const READERS = ['admin', 'inspector', 'township', 'leader', 'cadre'] as const;
const PROPOSERS = ['admin', 'township', 'cadre'] as const;
const NOT_LED = '只能为本人任总队长的村提出建议或约束';

const kindsView = (s: ResourceKindSettings) => ({
  kinds: s.kinds,
  retired: s.retired,
  version: s.version,
  updatedAt: s.updatedAt,
  updatedBy: s.updatedBy,
});

/** Stable ids: a retry with the same Idempotency-Key lands on the same record. */
const writeId = (ctx: RequestContext, what: string) =>
  ctx.idempotencyKey ? derivedId(ctx.actor.sub, ctx.idempotencyKey, what) : newId(ctx.now);
const decisionToken = (ctx: RequestContext, what: string, id: string) =>
  ctx.idempotencyKey ? derivedId(ctx.actor.sub, ctx.idempotencyKey, what, id) : undefined;

async function knownVillage(villageId: string): Promise<Village> {
  const village = await getVillage(villageId);
  if (!village) throw invalid([{ path: 'body.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' }]);
  return village;
}

/**
 * Who may propose for a village (an allocation, a sanction): HQ anywhere, a township's staff in their
 * township, a cadre only for a village whose team they lead today (its chief). 403 otherwise.
 */
async function requireProposer(actor: Actor, village: Village, now: Date): Promise<void> {
  if (hasRole(actor, 'admin')) return;
  const scope = await scopeOf(actor, now);
  if (byTownship(scope)) return requireTownship(scope, village.townshipId);
  const led = villagesLed(await activeAssignmentsForCadre(actor.cadreId), actor.cadreId, beijingDate(now));
  if (!led.has(village.id)) throw new ForbiddenCodeError('NOT_YOUR_VILLAGE', NOT_LED);
}

/**
 * Who may read a village's records here: HQ and inspectors, township staff and leaders within their
 * townships, a cadre working in the village today (any team role).
 */
async function requireVillageReader(actor: Actor, village: Pick<Village, 'id' | 'townshipId'>, now: Date) {
  const scope = await scopeOf(actor, now);
  if (scope.kind === 'county') return;
  if (byTownship(scope)) return requireTownship(scope, village.townshipId);
  const running = assignmentsEffectiveOn(await activeAssignmentsForCadre(actor.cadreId), beijingDate(now));
  if (!running.some((a) => a.villageId === village.id))
    throw new ForbiddenCodeError('NOT_YOUR_VILLAGE', '只能查看本人在包的村');
}

function kindOf(settings: ResourceKindSettings, id: string): ResourceKind {
  return (
    settings.kinds.find((k) => k.id === id) ??
    settings.retired.find((k) => k.id === id) ?? { id, name: id, unit: '' }
  );
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** The quota ledger of these granted allocations and approved sanctions (keys: docs/quotas.md). */
async function ledgerView(granted: Allocation[], approved: Sanction[]): Promise<QuotaLine[]> {
  const grants: Grant[] = granted.map((a) => ({
    allocationId: a.id,
    villageId: a.villageId,
    resourceKind: a.resourceKind,
    period: a.period,
    quantity: a.grantedQuantity ?? 0,
    priority: a.priority,
    decidedAt: a.decidedAt ?? a.proposedAt,
  }));
  const terms: SanctionTerm[] = approved.map((s) => ({ ...s }));
  const [settings, villages] = await Promise.all([
    getResourceKinds(),
    getVillages([...new Set(granted.map((a) => a.villageId))]),
  ]);
  const byAllocation = new Map(granted.map((a) => [a.id, a]));
  const bySanction = new Map(approved.map((s) => [s.id, s]));
  return quotaLedger(grants, terms).map((line) => {
    const kind = kindOf(settings, line.resourceKind);
    const village = villages.get(line.villageId);
    return {
      villageId: line.villageId,
      villageName: village?.name ?? line.villageId,
      townshipId: village?.townshipId ?? '',
      resourceKind: line.resourceKind,
      resourceKindName: kind.name,
      unit: kind.unit,
      period: line.period,
      granted: line.granted,
      deducted: Math.round((line.granted - line.quota) * 100) / 100,
      suspended: line.suspended,
      quota: line.quota,
      entries: [
        ...line.grants.map((g) => ({
          type: 'grant' as const,
          label: `指挥部分配（优先顺序第 ${g.priority} 位）`,
          allocationId: g.allocationId,
          sanctionId: null,
          at: g.decidedAt,
          quantity: g.quantity,
          reason: byAllocation.get(g.allocationId)?.decisionNote ?? null,
        })),
        ...line.deductions.map((d) => {
          const s = bySanction.get(d.sanctionId) as Sanction;
          return {
            type: 'sanction' as const,
            label:
              d.kind === 'reduce'
                ? `${SANCTION_KIND_LABELS.reduce} ${percent(d.share ?? 0)}`
                : SANCTION_KIND_LABELS.suspend,
            allocationId: null,
            sanctionId: d.sanctionId,
            at: s.decidedAt ?? s.proposedAt,
            quantity: -d.deducted,
            reason: s.reason,
          };
        }),
      ],
    };
  });
}

/** A sanction, if this person may read it (the village's readers). */
async function readableSanction(id: string, ctx: RequestContext): Promise<Sanction> {
  const found = await sanctions.getSanction(id);
  if (!found) throw new NotFoundError('约束记录不存在');
  await requireVillageReader(ctx.actor, { id: found.villageId, townshipId: found.townshipId }, ctx.now);
  return found;
}

function decided<T extends { status: string }>(
  result: { kind: 'decided'; item: T } | { kind: 'missing' } | { kind: 'already'; item: T; mine: boolean },
  missing: string,
  labels: Record<string, string>,
): T {
  if (result.kind === 'missing') throw new NotFoundError(missing);
  if (result.kind === 'already' && !result.mine)
    throw new ConflictError(
      'ALREADY_DECIDED',
      `该记录已处理（${labels[result.item.status] ?? ''}），不能再次决定`,
    );
  return result.item;
}

export const resourcesRoutes = [
  defineRoute({
    method: 'GET',
    path: '/resource-kinds',
    summary: '统一调配的资源种类（默认：抗旱物资、抗旱水泵）',
    tags: TAGS,
    roles: READERS,
    responses: { 200: resourceKinds },
    async handle() {
      const current = await getResourceKinds();
      return { ...ok(kindsView(current)), headers: versionHeaders(current.version) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/resource-kinds',
    summary: '设置资源种类（整体替换；须带 If-Match 版本号）',
    tags: TAGS,
    roles: ['admin'],
    ifMatch: true,
    body: putResourceKinds,
    responses: { 200: resourceKinds, 400: errorBody, 412: errorBody, 428: errorBody },
    async handle({ body }, ctx) {
      const expected = expectedVersion(ctx);
      const current = await getResourceKinds();
      // The same list again changes nothing (a retried PUT).
      if (JSON.stringify(current.kinds) === JSON.stringify(body.kinds))
        return { ...ok(kindsView(current)), headers: versionHeaders(current.version) };
      if (current.version !== expected) throw versionConflict('资源种类列表', current.version);
      const offered = new Set(body.kinds.map((k) => k.id));
      const retired = new Map<string, ResourceKind>();
      for (const k of [...current.retired, ...current.kinds]) if (!offered.has(k.id)) retired.set(k.id, k);
      const next: ResourceKindSettings = {
        kinds: body.kinds,
        retired: [...retired.values()].sort((a, b) => a.id.localeCompare(b.id)),
        version: current.version + 1,
        updatedAt: ctx.now.toISOString(),
        updatedBy: ctx.actor.sub,
      };
      if (!(await saveResourceKinds(next, expected)))
        throw versionConflict('资源种类列表', (await getResourceKinds()).version);
      await ctx.audit({
        entityType: 'setting',
        entityId: 'resource-kinds',
        action: 'update',
        changes: { before: { kinds: current.kinds }, after: { kinds: next.kinds }, version: next.version },
      });
      return { ...ok(kindsView(next)), headers: versionHeaders(next.version) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/allocations',
    summary: '总队长提出资源分配优先建议（本人任总队长的村；乡镇工作人员限本乡镇）',
    tags: TAGS,
    roles: PROPOSERS,
    body: createAllocation,
    responses: { 201: allocation, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      // 1. The village and the resource kind exist; 2. the proposer leads it; 3. store once; 4. audit.
      const [village, settings] = await Promise.all([getVillage(body.villageId), getResourceKinds()]);
      const kind = settings.kinds.find((k) => k.id === body.resourceKind);
      const fields: FieldIssue[] = [];
      if (!village) fields.push({ path: 'body.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' });
      if (!kind)
        fields.push({
          path: 'body.resourceKind',
          code: 'UNKNOWN_RESOURCE_KIND',
          message: `资源种类不在县里的列表中，请从以下种类中选择：${settings.kinds.map((k) => k.name).join('、')}`,
        });
      if (!village || !kind) throw invalid(fields);
      await requireProposer(ctx.actor, village, ctx.now);
      const record: Allocation = {
        id: writeId(ctx, 'allocation'),
        resourceKind: kind.id,
        resourceKindName: kind.name,
        unit: kind.unit,
        period: body.period,
        villageId: village.id,
        villageName: village.name,
        townshipId: village.townshipId,
        priority: body.priority,
        requestedQuantity: body.quantity ?? null,
        note: body.note,
        status: 'proposed',
        statusLabel: ALLOCATION_STATUS_LABELS.proposed,
        proposedBy: ctx.actor.sub,
        proposerCadreId: hasRole(ctx.actor, 'admin', 'township') ? null : ctx.actor.cadreId,
        proposedByName: ctx.actor.name ?? null,
        proposedAt: ctx.now.toISOString(),
        grantedQuantity: null,
        decidedAt: null,
        decidedBy: null,
        decidedByName: null,
        decisionNote: null,
      };
      // Audited on a retry too: the first attempt may have stored the record and failed before it.
      const { item } = await allocations.createAllocation(record);
      await ctx.audit({
        entityType: 'allocation',
        entityId: item.id,
        action: 'propose',
        changes: {
          after: {
            villageId: item.villageId,
            resourceKind: item.resourceKind,
            period: item.period,
            priority: item.priority,
            requestedQuantity: item.requestedQuantity,
            note: item.note,
          },
        },
      });
      return created(item);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/allocations/{id}/decide',
    summary: '指挥部决定资源分配（分配并定数量，或不分配）',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: decideAllocation,
    responses: { 200: allocation, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const before = await allocations.getAllocation(params.id);
      if (!before) throw new NotFoundError('分配建议不存在');
      const status = body.decision === 'grant' ? 'granted' : 'declined';
      const result = await allocations.decideAllocation(
        params.id,
        {
          status,
          statusLabel: ALLOCATION_STATUS_LABELS[status],
          grantedQuantity: body.quantity ?? null,
          decidedAt: ctx.now.toISOString(),
          decidedBy: ctx.actor.sub,
          decidedByName: ctx.actor.name ?? null,
          decisionNote: body.note ?? null,
        },
        decisionToken(ctx, 'allocation-decision', params.id),
      );
      const item = decided(result, '分配建议不存在', ALLOCATION_STATUS_LABELS);
      await ctx.audit({
        entityType: 'allocation',
        entityId: item.id,
        action: 'decide',
        changes: {
          before: { status: before.status, grantedQuantity: before.grantedQuantity },
          after: { status: item.status, grantedQuantity: item.grantedQuantity, note: item.decisionNote },
        },
      });
      return ok(item);
    },
  }),
  listRoute({
    path: '/allocations',
    summary: '资源分配建议列表（可按状态、村、乡镇、分配期、资源种类筛选；干部看本人提出的）',
    tags: TAGS,
    roles: READERS,
    query: allocationListQuery,
    page: allocationPage,
    errors: [400, 403],
    list: async ({ limit, next, ...query }, ctx) => {
      const scope = await scopeOf(ctx.actor, ctx.now);
      let townshipId = query.townshipId;
      let proposerCadreId: string | undefined;
      if (byTownship(scope)) {
        if (query.villageId) requireTownship(scope, (await getVillage(query.villageId))?.townshipId);
        else townshipId = listedTownship(scope, query.townshipId);
      } else if (scope.kind === 'self') proposerCadreId = ctx.actor.cadreId;
      return allocations.listAllocations({ ...query, townshipId, proposerCadreId }, limit, next);
    },
  }),
  detailRoute({
    path: '/allocations/{id}',
    summary: '资源分配建议详情',
    tags: TAGS,
    roles: READERS,
    record: allocation,
    errors: [403, 404],
    notFound: '分配建议不存在',
    find: allocations.getAllocation,
    check: async (a, ctx) => {
      if (a.proposerCadreId && a.proposerCadreId === ctx.actor.cadreId) return;
      await requireVillageReader(ctx.actor, { id: a.villageId, townshipId: a.townshipId }, ctx.now);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/quotas',
    summary: '资源分配额度台账（按村，或按分配期看全县/乡镇：分配、约束扣减与本期额度）',
    tags: TAGS,
    roles: READERS,
    query: quotaQuery,
    responses: { 200: quotaLedgerView, 400: errorBody, 403: errorBody },
    async handle({ query }, ctx) {
      const range = query.period ? periodRange(query.period) : undefined;
      let granted: Allocation[];
      let approved: Sanction[];
      if (query.villageId) {
        const village = await getVillage(query.villageId);
        if (!village)
          throw invalid([{ path: 'query.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' }]);
        await requireVillageReader(ctx.actor, village, ctx.now);
        [granted, approved] = await Promise.all([
          allocations.allAllocations({
            villageId: village.id,
            status: 'granted',
            period: query.period,
            resourceKind: query.resourceKind,
          }),
          sanctions.approvedSanctions({ villageId: village.id }),
        ]);
      } else {
        // A period across the county (HQ, inspectors) or one township (its staff, its leaders).
        const scope = await scopeOf(ctx.actor, ctx.now);
        if (scope.kind === 'self')
          throw invalid([
            { path: 'query.villageId', code: 'FILTER_REQUIRED', message: '请指定本人在包的村' },
          ]);
        const townshipId = listedTownship(scope, query.townshipId);
        [granted, approved] = await Promise.all([
          allocations.allAllocations({
            townshipId,
            status: 'granted',
            period: query.period,
            resourceKind: query.resourceKind,
          }),
          sanctions.approvedSanctions({ townshipId, last: range?.last }),
        ]);
      }
      const touching = range ? approved.filter((s) => sanctionTouches(s, query.period as string)) : approved;
      return ok({ items: await ledgerView(granted, touching), sanctions: touching });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/direct-reports/{id}/verify',
    summary: '督查人员核实违规举报（查证属实或查无实据；每条只核实一次）',
    tags: TAGS,
    roles: ['inspector'],
    params: idParams,
    body: verifyViolation,
    responses: { 201: verificationView, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const report = await getDirectReport(params.id);
      if (!report) throw new NotFoundError('直报信息不存在');
      if (report.kind !== 'violation')
        throw new ConflictError('NOT_A_VIOLATION', `只有违规举报需要核实，这条直报是${report.kindLabel}`);
      const record: Verification = {
        directReportId: report.id,
        villageId: report.villageId,
        townshipId: report.townshipId,
        verdict: body.verdict,
        verdictLabel: VERIFICATION_VERDICT_LABELS[body.verdict],
        note: body.note,
        verifiedBy: ctx.actor.sub,
        verifiedByName: ctx.actor.name ?? null,
        verifiedAt: ctx.now.toISOString(),
      };
      const result = await createVerification(record);
      const mine =
        result.created ||
        (result.item.verifiedBy === ctx.actor.sub &&
          result.item.verdict === body.verdict &&
          result.item.note === body.note);
      if (!mine)
        throw new ConflictError(
          'ALREADY_VERIFIED',
          `该举报已由他人核实（${result.item.verdictLabel}），不能再次核实`,
        );
      await ctx.audit({
        entityType: 'directReport',
        entityId: report.id,
        action: 'verify',
        changes: { after: { verdict: result.item.verdict, note: result.item.note } },
      });
      return created(result.item);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/direct-reports/{id}/verification',
    summary: '违规举报的核实结果',
    tags: TAGS,
    roles: READERS,
    params: idParams,
    responses: { 200: verificationView, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const report = await getDirectReport(params.id);
      if (!report) throw new NotFoundError('直报信息不存在');
      if (report.cadreId !== ctx.actor.cadreId)
        await requireVillageReader(
          ctx.actor,
          { id: report.villageId, townshipId: report.townshipId },
          ctx.now,
        );
      const found = await getVerification(report.id);
      if (!found) throw new NotFoundError('该举报尚未核实');
      return ok(found);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/sanctions',
    summary: '提出约束：削减或暂停一个村的资源分配额度（总队长、乡镇工作人员或指挥部；须经指挥部批准）',
    tags: TAGS,
    roles: PROPOSERS,
    body: createSanction,
    responses: { 201: sanction, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      // 1. The village exists and the proposer may act for it; 2. what it cites is real, of that
      //    village, and (a violation report) verified; 3. store once; 4. audit.
      const village = await knownVillage(body.villageId);
      await requireProposer(ctx.actor, village, ctx.now);
      const fields: FieldIssue[] = [];
      if (body.directReportId) {
        const path = 'body.directReportId';
        const [report, verification] = await Promise.all([
          getDirectReport(body.directReportId),
          getVerification(body.directReportId),
        ]);
        if (!report) fields.push({ path, code: 'UNKNOWN_REFERENCE', message: '直报信息不存在' });
        else if (report.kind !== 'violation')
          fields.push({ path, code: 'NOT_A_VIOLATION', message: '所引直报不是违规举报' });
        else if (report.villageId !== village.id)
          fields.push({ path, code: 'OTHER_VILLAGE', message: '所引举报不是该村的' });
        else if (!verification)
          fields.push({
            path,
            code: 'NOT_VERIFIED',
            message: '该举报尚未经督查人员核实，核实属实后才能据此约束',
          });
        else if (verification.verdict !== 'confirmed')
          fields.push({ path, code: 'NOT_CONFIRMED', message: '该举报经核实查无实据，不能据此约束' });
      }
      let majorFailureName: string | null = null;
      if (body.majorFailureId) {
        const path = 'body.majorFailureId';
        const failure = await getMajorFailure(body.majorFailureId);
        if (!failure) fields.push({ path, code: 'UNKNOWN_REFERENCE', message: '重大失误记录不存在' });
        else if (failure.villageId !== village.id)
          fields.push({ path, code: 'OTHER_VILLAGE', message: '所引重大失误不是该村的' });
        else majorFailureName = failure.typeName;
      }
      if (fields.length) throw invalid(fields);
      const record: Sanction = {
        id: writeId(ctx, 'sanction'),
        villageId: village.id,
        villageName: village.name,
        townshipId: village.townshipId,
        kind: body.kind,
        kindLabel: SANCTION_KIND_LABELS[body.kind],
        share: body.share ?? null,
        from: body.from,
        to: body.to,
        reason: body.reason,
        directReportId: body.directReportId ?? null,
        majorFailureId: body.majorFailureId ?? null,
        majorFailureName,
        status: 'proposed',
        statusLabel: SANCTION_STATUS_LABELS.proposed,
        proposedBy: ctx.actor.sub,
        proposedByName: ctx.actor.name ?? null,
        proposedAt: ctx.now.toISOString(),
        decidedBy: null,
        decidedByName: null,
        decidedAt: null,
        decisionNote: null,
      };
      const { item } = await sanctions.createSanction(record);
      await ctx.audit({
        entityType: 'sanction',
        entityId: item.id,
        action: 'propose',
        changes: {
          after: {
            villageId: item.villageId,
            kind: item.kind,
            share: item.share,
            from: item.from,
            to: item.to,
            reason: item.reason,
            directReportId: item.directReportId,
            majorFailureId: item.majorFailureId,
          },
        },
      });
      return created(item);
    },
  }),
  ...(['approve', 'reject'] as const).map((action) =>
    defineRoute({
      method: 'POST',
      path: `/sanctions/{id}/${action}`,
      summary:
        action === 'approve' ? '指挥部批准约束（自此计入额度台账）' : '指挥部不予批准约束（须写明理由）',
      tags: TAGS,
      roles: ['admin'],
      params: idParams,
      body: action === 'approve' ? decideSanction : rejectSanction,
      optionalBody: action === 'approve',
      responses: { 200: sanction, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
      async handle({ params, body }, ctx) {
        const before = await sanctions.getSanction(params.id);
        if (!before) throw new NotFoundError('约束记录不存在');
        const status = action === 'approve' ? 'approved' : 'rejected';
        const result = await sanctions.decideSanction(
          params.id,
          {
            status,
            statusLabel: SANCTION_STATUS_LABELS[status],
            decidedAt: ctx.now.toISOString(),
            decidedBy: ctx.actor.sub,
            decidedByName: ctx.actor.name ?? null,
            decisionNote: (body as { note?: string }).note ?? null,
          },
          decisionToken(ctx, `sanction-${action}`, params.id),
        );
        const item = decided(result, '约束记录不存在', SANCTION_STATUS_LABELS);
        await ctx.audit({
          entityType: 'sanction',
          entityId: item.id,
          action,
          changes: {
            before: { status: before.status },
            after: { status: item.status, note: item.decisionNote },
          },
        });
        return ok(item);
      },
    }),
  ),
  listRoute({
    path: '/sanctions',
    summary: '约束列表（可按状态、村、乡镇筛选；干部须指定本人在包的村）',
    tags: TAGS,
    roles: READERS,
    query: sanctionListQuery,
    page: sanctionPage,
    errors: [400, 403],
    list: async ({ limit, next, ...query }, ctx) => {
      const scope = await scopeOf(ctx.actor, ctx.now);
      let townshipId = query.townshipId;
      if (query.villageId) {
        const village = await getVillage(query.villageId);
        if (!village) return { items: [] };
        await requireVillageReader(ctx.actor, village, ctx.now);
      } else if (byTownship(scope)) townshipId = listedTownship(scope, query.townshipId);
      else if (scope.kind === 'self')
        throw invalid([{ path: 'query.villageId', code: 'VILLAGE_REQUIRED', message: '请指定本人在包的村' }]);
      return sanctions.listSanctions({ ...query, townshipId }, limit, next);
    },
  }),
  detailRoute({
    path: '/sanctions/{id}',
    summary: '约束详情',
    tags: TAGS,
    roles: READERS,
    record: sanction,
    errors: [403, 404],
    notFound: '约束记录不存在',
    find: (id, ctx) => readableSanction(id, ctx),
  }),
];

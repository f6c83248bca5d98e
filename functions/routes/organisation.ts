import * as store from '../adapters/dynamo/organisation.ts';
import * as roster from '../adapters/dynamo/roster.ts';
import { defaultEndDate, endDateProblem } from '../core/assignments.ts';
import { derivedId, newId } from '../core/ids.ts';
import { changeDepartment } from '../core/organisation.ts';
import { beijingDate } from '../core/time.ts';
import { ConflictError, type FieldIssue, NotFoundError, ValidationError } from '../errors.ts';
import { expectedVersion, versionConflict, versionHeaders } from '../http/if-match.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  changeDistrictDepartment,
  createDistrict,
  createTownshipLeader,
  createUnit,
  type District,
  district,
  districtListQuery,
  districtPage,
  endDistrict,
  endTownshipLeader,
  patchUnit,
  TOWNSHIP_UNIT_KINDS,
  townshipLeader,
  townshipLeaderListQuery,
  townshipLeaderPage,
  townshipLeaderParams,
  UNIT_KIND_LABELS,
  unit,
  unitListQuery,
  unitPage,
} from '../schemas/organisation.ts';
import { detailRoute, listRoute } from './read-routes.ts';

/**
 * The organisation above the village teams: units (单位), county leaders over townships (包镇),
 * districts covered by departments (片区, 包片). Admins write; staff read. Every write is audited
 * and safe to retry (ids given by the caller or derived from the Idempotency-Key; conditional writes).
 */
const READERS = ['admin', 'inspector'] as const;
const TAGS = ['organisation'];

function invalid(fields: FieldIssue[]): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', { fields });
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

async function requireDepartment(unitId: string, path: string): Promise<void> {
  const found = await store.getUnit(unitId);
  if (!found) throw invalid([{ path, code: 'UNKNOWN_REFERENCE', message: '单位不存在' }]);
  if (found.kind !== 'department') {
    throw invalid([
      {
        path,
        code: 'NOT_A_DEPARTMENT',
        message: `包片的须为县直部门，「${found.name}」是${UNIT_KIND_LABELS[found.kind]}`,
      },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Routes

export const organisationRoutes = [
  defineRoute({
    method: 'POST',
    path: '/units',
    summary: '新增单位（县直部门、乡镇党委、乡镇政府）',
    tags: TAGS,
    roles: ['admin'],
    body: createUnit,
    responses: { 201: unit, 200: unit, 400: errorBody, 403: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      const township = TOWNSHIP_UNIT_KINDS.includes(body.kind);
      if (township && !body.townshipId) {
        throw invalid([
          { path: 'body.townshipId', code: 'REQUIRED', message: '乡镇党委、乡镇政府须选择所属乡镇' },
        ]);
      }
      if (!township && body.townshipId) {
        throw invalid([
          { path: 'body.townshipId', code: 'NOT_ALLOWED', message: '县直部门不属于乡镇，请不要填写' },
        ]);
      }
      if (body.townshipId && !(await roster.getTownship(body.townshipId))) {
        throw invalid([{ path: 'body.townshipId', code: 'UNKNOWN_REFERENCE', message: '乡镇不存在' }]);
      }
      const now = ctx.now.toISOString();
      const result = await store.createUnit({
        ...body,
        kindLabel: UNIT_KIND_LABELS[body.kind],
        createdAt: now,
        updatedAt: now,
      });
      if (result.created) {
        await ctx.audit({ entityType: 'unit', entityId: body.id, action: 'create', changes: body });
        return created(result.item);
      }
      const stored = result.item as Record<string, unknown>;
      if (Object.entries(body).every(([k, v]) => same(stored[k], v))) return ok(result.item);
      throw new ConflictError('ALREADY_EXISTS', '单位编号已存在且内容不同', {
        fields: [{ path: 'body.id', code: 'ALREADY_EXISTS', message: '编号已存在' }],
      });
    },
  }),
  listRoute({
    path: '/units',
    summary: '单位列表（可按类别、乡镇筛选）',
    tags: TAGS,
    roles: READERS,
    query: unitListQuery,
    page: unitPage,
    list: (query) => store.listUnits(query, query.limit, query.next),
  }),
  detailRoute({
    path: '/units/{id}',
    summary: '单位详情',
    tags: TAGS,
    roles: READERS,
    record: unit,
    notFound: '单位不存在',
    headers: (found) => versionHeaders(found.version),
    find: store.getUnit,
  }),
  defineRoute({
    method: 'PATCH',
    path: '/units/{id}',
    summary: '修改单位名称（If-Match 带读取时的版本号；类别和所属乡镇不可改）',
    tags: TAGS,
    roles: ['admin'],
    ifMatch: true,
    params: idParams,
    body: patchUnit,
    responses: { 200: unit, 400: errorBody, 403: errorBody, 404: errorBody, 412: errorBody, 428: errorBody },
    async handle({ params, body }, ctx) {
      if (body.name === undefined) {
        throw new ValidationError('请至少填写一项要修改的内容', {
          fields: [{ path: 'body', code: 'EMPTY_PATCH', message: '没有要修改的内容' }],
        });
      }
      const expected = expectedVersion(ctx);
      const current = await store.getUnit(params.id);
      if (!current) throw new NotFoundError('单位不存在');
      if (current.version !== expected) throw versionConflict('单位', current.version);
      if (current.name === body.name) return { ...ok(current), headers: versionHeaders(current.version) };
      const result = await store.renameUnit(params.id, expected, body.name, ctx.now.toISOString());
      if (result.kind === 'missing') throw new NotFoundError('单位不存在');
      if (result.kind === 'stale') throw versionConflict('单位', result.current.version);
      await ctx.audit({
        entityType: 'unit',
        entityId: params.id,
        action: 'update',
        changes: { before: { name: current.name }, after: { name: body.name }, version: result.item.version },
      });
      return { ...ok(result.item), headers: versionHeaders(result.item.version) };
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/townships/{id}/leaders',
    summary: '安排县级领导包镇（自某日起）',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: createTownshipLeader,
    responses: { 201: townshipLeader, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      // Steps: 1. the township (404) and the cadre, who must be a county leader (400); 2. no overlap
      // with an earlier period of the same leader there (409); 3. the record, then its slot (409 when
      // this leader already covers the township). A retry with the same Idempotency-Key lands on the
      // same id and finishes or repeats what the first attempt did.
      const township = await roster.getTownship(params.id);
      if (!township) throw new NotFoundError('乡镇不存在');
      const cadre = await roster.getCadre(body.cadreId);
      if (!cadre) throw invalid([{ path: 'body.cadreId', code: 'UNKNOWN_REFERENCE', message: '干部不存在' }]);
      if (cadre.rank !== 'county') {
        throw invalid([
          {
            path: 'body.cadreId',
            code: 'NOT_COUNTY_LEADER',
            message: `包镇的须为县级领导，${cadre.name}的职级是${cadre.rankLabel}`,
          },
        ]);
      }
      const id = ctx.idempotencyKey
        ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'township-leader')
        : newId(ctx.now);
      const from = body.from ?? beijingDate(ctx.now);
      // A `to` records a period that has already ended (the roster workbook's history rows).
      const to = body.to ?? null;
      const problem = to === null ? undefined : endDateProblem({ from }, to);
      if (problem) throw invalid([{ path: 'body.to', code: 'BEFORE_FROM', message: problem }]);
      const history = await store.townshipLeaderHistory(township.id);
      const clash = history.find(
        (l) =>
          l.id !== id &&
          l.cadreId === cadre.id &&
          (to !== null || !l.active) &&
          l.to !== l.from &&
          from < (l.to ?? '9999-12-31') &&
          l.from < (to ?? '9999-12-31'),
      );
      if (clash) {
        const period = `${clash.from}～${clash.to ?? '今'}`;
        throw new ConflictError('LEADER_PERIOD_OVERLAP', `该领导包镇的任期与此前的任期（${period}）重叠`, {
          fields: [
            clash.to !== null && from < clash.to && from >= clash.from
              ? { path: 'body.from', code: 'LEADER_PERIOD_OVERLAP', message: `不能早于 ${clash.to}` }
              : { path: 'body.from', code: 'LEADER_PERIOD_OVERLAP', message: `与 ${period} 的任期重叠` },
          ],
        });
      }
      const now = ctx.now.toISOString();
      const result = await store.createTownshipLeader({
        id,
        townshipId: township.id,
        cadreId: cadre.id,
        from,
        to,
        active: to === null,
        ...(body.note ? { note: body.note } : {}),
        createdAt: now,
        createdBy: ctx.actor.sub,
        ...(to === null ? {} : { endedAt: now, endedBy: ctx.actor.sub }),
      });
      if (result.kind === 'already_leader') {
        throw new ConflictError(
          'ALREADY_LEADER',
          `${cadre.name}已在包联此乡镇（自 ${result.holder.from} 起）`,
          {
            fields: [{ path: 'body.cadreId', code: 'ALREADY_LEADER', message: '已在包联此乡镇' }],
          },
        );
      }
      const l = result.leader;
      await ctx.audit({
        entityType: 'township-leader',
        entityId: l.id,
        action: 'create',
        changes: {
          townshipId: l.townshipId,
          cadreId: l.cadreId,
          from: l.from,
          ...(l.to ? { to: l.to } : {}),
          ...(l.note ? { note: l.note } : {}),
        },
      });
      return created(l);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/townships/{id}/leaders',
    summary: '乡镇的包镇县级领导（含历史，按开始日期）',
    tags: TAGS,
    roles: READERS,
    params: idParams,
    query: townshipLeaderListQuery,
    responses: { 200: townshipLeaderPage, 400: errorBody, 403: errorBody, 404: errorBody },
    async handle({ params, query }) {
      if (!(await roster.getTownship(params.id))) throw new NotFoundError('乡镇不存在');
      return ok(
        await store.listTownshipLeaders(params.id, { active: query.active }, query.limit, query.next),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/townships/{id}/leaders/{leaderId}/end',
    summary: '结束县级领导包镇（保留历史）',
    tags: TAGS,
    roles: ['admin'],
    params: townshipLeaderParams,
    body: endTownshipLeader,
    optionalBody: true,
    responses: { 200: townshipLeader, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const current = await store.getTownshipLeader(params.leaderId);
      if (!current || current.townshipId !== params.id) throw new NotFoundError('包镇安排不存在');
      const ended = () => new ConflictError('ALREADY_ENDED', '该包镇安排已经结束');
      if (!current.active) throw ended();
      const to = body.to ?? defaultEndDate(current, beijingDate(ctx.now));
      const problem = endDateProblem(current, to);
      if (problem) throw invalid([{ path: 'body.to', code: 'BEFORE_FROM', message: problem }]);
      const result = await store.endTownshipLeader(current, {
        to,
        endedAt: ctx.now.toISOString(),
        endedBy: ctx.actor.sub,
        endReason: body.reason,
      });
      if (result.kind === 'already_ended') throw ended();
      await ctx.audit({
        entityType: 'township-leader',
        entityId: current.id,
        action: 'end',
        changes: {
          before: { active: true, to: null },
          after: { active: false, to },
          ...(body.reason ? { reason: body.reason } : {}),
        },
      });
      return ok(result.leader);
    },
  }),

  defineRoute({
    method: 'POST',
    path: '/districts',
    summary: '新增片区（乡镇内的一组村，由县直部门包片）',
    tags: TAGS,
    roles: ['admin'],
    body: createDistrict,
    responses: { 201: district, 200: district, 400: errorBody, 403: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      // Steps: 1. references: the township, every village (in that township, none twice) and the
      // department (400 with the field); 2. the record (a retry of the same content goes on; other
      // content under the id is 409); 3. each village's district slot: a village of another running
      // district rolls the new record back (409 naming that district).
      const fields: FieldIssue[] = [];
      const township = await roster.getTownship(body.townshipId);
      if (!township)
        fields.push({ path: 'body.townshipId', code: 'UNKNOWN_REFERENCE', message: '乡镇不存在' });
      const villages = await roster.getVillages(body.villageIds);
      const seen = new Set<string>();
      body.villageIds.forEach((villageId, i) => {
        const path = `body.villageIds.${i}`;
        const v = villages.get(villageId);
        if (seen.has(villageId)) fields.push({ path, code: 'DUPLICATE', message: `村 ${villageId} 重复` });
        else if (!v) fields.push({ path, code: 'UNKNOWN_REFERENCE', message: `村 ${villageId} 不存在` });
        else if (township && v.townshipId !== township.id) {
          fields.push({ path, code: 'VILLAGE_NOT_IN_TOWNSHIP', message: `${v.name}不属于${township.name}` });
        }
        seen.add(villageId);
      });
      if (fields.length) throw invalid(fields);
      if (body.unitId) await requireDepartment(body.unitId, 'body.unitId');

      const now = ctx.now.toISOString();
      const from = body.from ?? beijingDate(ctx.now);
      const record: District = {
        id: body.id,
        name: body.name,
        townshipId: body.townshipId,
        villageIds: body.villageIds,
        ...(body.unitId ? { unitId: body.unitId } : {}),
        departments: body.unitId ? [{ unitId: body.unitId, from, to: null }] : [],
        from,
        to: null,
        active: true,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const fresh = await store.putDistrictIfAbsent(record);
      const stored = fresh ? record : await store.getDistrict(body.id);
      if (!fresh) {
        const sameContent =
          stored?.active &&
          stored.name === body.name &&
          stored.townshipId === body.townshipId &&
          same(stored.villageIds, body.villageIds) &&
          stored.unitId === body.unitId &&
          (body.from === undefined || stored.from === body.from);
        if (!sameContent) {
          throw new ConflictError('ALREADY_EXISTS', '片区编号已存在且内容不同', {
            fields: [{ path: 'body.id', code: 'ALREADY_EXISTS', message: '编号已存在' }],
          });
        }
      }
      const claimed: string[] = [];
      for (const [i, villageId] of body.villageIds.entries()) {
        const claim = await store.claimVillage(villageId, body.id, now);
        if (claim.ok) {
          claimed.push(villageId);
          continue;
        }
        if (fresh) {
          await Promise.all(claimed.map((v) => store.releaseVillage(v, body.id)));
          await store.removeDistrict(body.id);
        }
        const name = villages.get(villageId)?.name ?? villageId;
        throw new ConflictError(
          'VILLAGE_IN_DISTRICT',
          `${name}已属于片区「${claim.holder.name}」，一个村同一时间只能属于一个片区`,
          {
            fields: [
              {
                path: `body.villageIds.${i}`,
                code: 'VILLAGE_IN_DISTRICT',
                message: `已属于片区「${claim.holder.name}」`,
              },
            ],
          },
        );
      }
      if (!fresh) return ok(stored as District);
      await ctx.audit({
        entityType: 'district',
        entityId: body.id,
        action: 'create',
        changes: {
          name: body.name,
          townshipId: body.townshipId,
          villageIds: body.villageIds,
          unitId: body.unitId ?? null,
          from,
        },
      });
      return created(record);
    },
  }),
  listRoute({
    path: '/districts',
    summary: '片区列表（可按乡镇、包片部门、是否在用筛选）',
    tags: TAGS,
    roles: READERS,
    query: districtListQuery,
    page: districtPage,
    list: (query) => store.listDistricts(query, query.limit, query.next),
  }),
  detailRoute({
    path: '/districts/{id}',
    summary: '片区详情（含包片部门的历史）',
    tags: TAGS,
    roles: READERS,
    record: district,
    notFound: '片区不存在',
    headers: (found) => versionHeaders(found.version),
    find: store.getDistrict,
  }),
  defineRoute({
    method: 'POST',
    path: '/districts/{id}/department',
    summary: '调整包片部门（自某日起；unitId 为 null 即不再有部门包片）',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: changeDistrictDepartment,
    responses: { 200: district, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const current = await store.getDistrict(params.id);
      if (!current) throw new NotFoundError('片区不存在');
      if (!current.active) throw new ConflictError('ALREADY_ENDED', '该片区已经撤销');
      if (body.unitId) await requireDepartment(body.unitId, 'body.unitId');
      // A retry of a change already made answers the district as it is.
      const open = current.departments.find((d) => d.to === null);
      if ((open?.unitId ?? null) === body.unitId) return ok(current);
      const from = body.from ?? beijingDate(ctx.now);
      const change = changeDepartment(current.departments, body.unitId, from);
      if ('problem' in change)
        throw invalid([{ path: 'body.from', code: 'BEFORE_FROM', message: change.problem }]);
      const updated = await store.setDistrictDepartments(
        current.id,
        current.version,
        change.departments,
        ctx.now.toISOString(),
      );
      if (!updated) throw new ConflictError('CONCURRENT_UPDATE', '片区刚被他人修改，请刷新后重试');
      await ctx.audit({
        entityType: 'district',
        entityId: current.id,
        action: 'department',
        changes: {
          before: { unitId: open?.unitId ?? null },
          after: { unitId: body.unitId },
          from,
          ...(body.reason ? { reason: body.reason } : {}),
        },
      });
      return ok(updated);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/districts/{id}/end',
    summary: '撤销片区（保留历史；其村可再划入其他片区）',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: endDistrict,
    optionalBody: true,
    responses: { 200: district, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const current = await store.getDistrict(params.id);
      if (!current) throw new NotFoundError('片区不存在');
      if (!current.active) throw new ConflictError('ALREADY_ENDED', '该片区已经撤销');
      const to = body.to ?? defaultEndDate(current, beijingDate(ctx.now));
      const problem = endDateProblem(current, to);
      if (problem) throw invalid([{ path: 'body.to', code: 'BEFORE_FROM', message: problem }]);
      const ended = await store.endDistrict(current, {
        to,
        updatedAt: ctx.now.toISOString(),
        endReason: body.reason,
      });
      if (!ended) throw new ConflictError('CONCURRENT_UPDATE', '片区刚被他人修改，请刷新后重试');
      await ctx.audit({
        entityType: 'district',
        entityId: current.id,
        action: 'end',
        changes: {
          before: { active: true, to: null },
          after: { active: false, to },
          ...(body.reason ? { reason: body.reason } : {}),
        },
      });
      return ok(ended);
    },
  }),
];

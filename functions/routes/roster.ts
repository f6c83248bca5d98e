import * as store from '../adapters/dynamo/roster.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { requireSelfOrStaff } from '../http/auth.ts';
import { versionHeaders } from '../http/if-match.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  CADRE_RANK_LABELS,
  cadre,
  cadreListQuery,
  cadrePage,
  createCadre,
  createTownship,
  createVillage,
  township,
  townshipListQuery,
  townshipPage,
  VILLAGE_CATEGORY_LABELS,
  village,
} from '../schemas/roster.ts';
import { villageDetail, villageListPage, villageListQueryWithColors } from '../schemas/village-colors.ts';
import { detailRoute, listRoute } from './read-routes.ts';
import { rosterCorrectionRoutes } from './roster-corrections.ts';
import { byTownship, listedTownship, requireCadre, requireTownship, scopeOf } from './scope.ts';
import { checkUnitReference } from './unit-reference.ts';
import { villageColorNow } from './village-colors.ts';

/**
 * The roster: townships, villages, cadres. Admins write; every signed-in role reads, a township's
 * staff and a county leader only what lies in their townships (functions/routes/scope.ts).
 */
const READERS = ['admin', 'inspector', 'township', 'leader', 'cadre'] as const;
const TAGS = ['roster'];

/** A create repeated with the same content answers 200 with the stored item; different content is 409. */
function settle<T extends object>(result: { created: boolean; item: T }, input: object, what: string) {
  if (result.created) return created(result.item);
  const stored = result.item as Record<string, unknown>;
  const same = Object.entries(input).every(([k, v]) => JSON.stringify(stored[k]) === JSON.stringify(v));
  if (same) return ok(result.item);
  throw new ConflictError('ALREADY_EXISTS', `${what}编号已存在且内容不同`, {
    fields: [{ path: 'body.id', code: 'ALREADY_EXISTS', message: '编号已存在' }],
  });
}

function unknownReference(path: string, message: string): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', {
    fields: [{ path, code: 'UNKNOWN_REFERENCE', message }],
  });
}

export const rosterRoutes = [
  defineRoute({
    method: 'POST',
    path: '/townships',
    summary: '新增乡镇',
    tags: TAGS,
    roles: ['admin'],
    body: createTownship,
    responses: { 201: township, 200: township, 400: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      const now = ctx.now.toISOString();
      const result = await store.createTownship({ ...body, createdAt: now, updatedAt: now });
      if (result.created)
        await ctx.audit({ entityType: 'township', entityId: body.id, action: 'create', changes: body });
      return settle(result, body, '乡镇');
    },
  }),
  listRoute({
    path: '/townships',
    summary: '乡镇列表',
    tags: TAGS,
    roles: READERS,
    query: townshipListQuery,
    page: townshipPage,
    errors: [],
    async list(query, ctx) {
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (!byTownship(scope)) return store.listTownships(query.limit, query.next);
      // A township's staff or a leader: their own few townships, one page.
      const found = await Promise.all(scope.townshipIds.map((id) => store.getTownship(id)));
      return { items: found.filter((t) => t !== undefined) };
    },
  }),
  detailRoute({
    path: '/townships/{id}',
    summary: '乡镇详情',
    tags: TAGS,
    roles: READERS,
    record: township,
    notFound: '乡镇不存在',
    errors: [403, 404],
    headers: (found) => versionHeaders(found.version),
    find: store.getTownship,
    check: async (found, ctx) => requireTownship(await scopeOf(ctx.actor, ctx.now), found.id),
  }),
  defineRoute({
    method: 'POST',
    path: '/villages',
    summary: '新增村',
    tags: TAGS,
    roles: ['admin'],
    body: createVillage,
    responses: { 201: village, 200: village, 400: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      if (!(await store.getTownship(body.townshipId)))
        throw unknownReference('body.townshipId', '乡镇不存在');
      const now = ctx.now.toISOString();
      const result = await store.createVillage({
        ...body,
        categoryLabel: VILLAGE_CATEGORY_LABELS[body.category],
        createdAt: now,
        updatedAt: now,
      });
      if (result.created)
        await ctx.audit({ entityType: 'village', entityId: body.id, action: 'create', changes: body });
      return settle(result, body, '村');
    },
  }),
  listRoute({
    path: '/villages',
    summary: '村列表（可按乡镇、类别筛选）',
    tags: TAGS,
    roles: READERS,
    query: villageListQueryWithColors,
    page: villageListPage,
    errors: [400, 403],
    async list(query, ctx) {
      const { colors, ...filter } = query;
      const townshipId = listedTownship(await scopeOf(ctx.actor, ctx.now), filter.townshipId);
      const found = await store.listVillages({ ...filter, townshipId }, filter.limit, filter.next);
      if (!colors) return found;
      // Each village's colour from its own matters, a few villages at a time.
      const items = [];
      for (let i = 0; i < found.items.length; i += 8) {
        const batch = found.items.slice(i, i + 8);
        const coloured = await Promise.all(batch.map((v) => villageColorNow(v.id, ctx.now)));
        items.push(...batch.map((v, j) => ({ ...v, ...coloured[j] })));
      }
      return { ...found, items };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/villages/{id}',
    summary: '村详情，含村的红黄绿颜色、成因及较上周变化',
    tags: TAGS,
    roles: READERS,
    params: idParams,
    responses: { 200: villageDetail, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const found = await store.getVillage(params.id);
      if (!found) throw new NotFoundError('村不存在');
      requireTownship(await scopeOf(ctx.actor, ctx.now), found.townshipId);
      // The colour is read only once the reader may see the village.
      const body = { ...found, ...(await villageColorNow(found.id, ctx.now)) };
      return { ...ok(body), headers: versionHeaders(found.version) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/cadres',
    summary: '新增干部',
    tags: TAGS,
    roles: ['admin'],
    body: createCadre,
    responses: { 201: cadre, 200: cadre, 400: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      if (body.townshipId && !(await store.getTownship(body.townshipId))) {
        throw unknownReference('body.townshipId', '乡镇不存在');
      }
      await checkUnitReference(body.unitId);
      const now = ctx.now.toISOString();
      const result = await store.createCadre({
        ...body,
        rankLabel: CADRE_RANK_LABELS[body.rank],
        createdAt: now,
        updatedAt: now,
      });
      if (result.created) {
        // Contact details are personal data: the audit trail notes that they were set, not their values.
        const { email, phone, ...rest } = body;
        await ctx.audit({
          entityType: 'cadre',
          entityId: body.id,
          action: 'create',
          changes: { ...rest, ...(email ? { email: '[set]' } : {}), ...(phone ? { phone: '[set]' } : {}) },
        });
      }
      return settle(result, body, '干部');
    },
  }),
  listRoute({
    path: '/cadres',
    summary: '干部列表（可按乡镇、职级、单位筛选）',
    tags: TAGS,
    roles: ['admin', 'inspector', 'township', 'leader'],
    query: cadreListQuery,
    page: cadrePage,
    errors: [400, 403],
    async list(query, ctx) {
      const townshipId = listedTownship(await scopeOf(ctx.actor, ctx.now), query.townshipId);
      return store.listCadres({ ...query, townshipId }, query.limit, query.next);
    },
  }),
  detailRoute({
    path: '/cadres/{id}',
    summary: '干部详情',
    tags: TAGS,
    roles: READERS,
    record: cadre,
    errors: [403, 404],
    notFound: '干部不存在',
    headers: (found) => versionHeaders(found.version),
    find: async (id, ctx) => {
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) await requireCadre(scope, ctx.actor, id, ctx.now);
      else requireSelfOrStaff(ctx.actor, id);
      return store.getCadre(id);
    },
  }),
  ...rosterCorrectionRoutes,
];

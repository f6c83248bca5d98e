import * as store from '../adapters/dynamo/rule-sets.ts';
import { checkRuleSetSuccession, ruleSetForWeek, sortRuleSets, weekBounds } from '../core/rules/index.ts';
import { beijingDate, isoWeekOfInstant } from '../core/time.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import { errorBody } from '../schemas/common.ts';
import { ruleSetIndex, ruleSetInput, ruleVersionParams, storedRuleSet } from '../schemas/rules.ts';

/**
 * The accountability rules as versioned data. Everyone signed in may read them (cadres are judged by
 * them, so they should know them); only an admin publishes a new version, and only from a Monday that
 * has not come yet, so no evaluated or provisional week ever changes under the new rules.
 */
const TAGS = ['rules'];
const READERS = ['admin', 'inspector', 'township', 'leader', 'cadre'] as const;

export const rulesRoutes = [
  defineRoute({
    method: 'GET',
    path: '/rules',
    summary: '查看问责规则：当前生效版本、待生效版本及全部历史版本',
    tags: TAGS,
    roles: READERS,
    responses: { 200: ruleSetIndex },
    async handle(_input, ctx) {
      const versions = sortRuleSets(await store.listRuleSets());
      const week = isoWeekOfInstant(ctx.now);
      const current = ruleSetForWeek(versions, week);
      const monday = weekBounds(week).monday;
      const upcoming = versions.filter((r) => r.effectiveFrom > monday);
      return ok({ current, upcoming: upcoming[upcoming.length - 1] ?? null, versions });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/rules/{version}',
    summary: '查看某一版本的问责规则',
    tags: TAGS,
    roles: READERS,
    params: ruleVersionParams,
    responses: { 200: storedRuleSet, 400: errorBody, 404: errorBody },
    async handle({ params }) {
      const found = await store.getRuleSet(params.version);
      if (!found) throw new NotFoundError(`规则版本 ${params.version} 不存在`);
      return ok(found);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/rules',
    summary: '发布新版问责规则（自下周一或以后的某个星期一起生效，不改写已开始的周）',
    tags: TAGS,
    roles: ['admin'],
    body: ruleSetInput,
    responses: { 201: storedRuleSet, 400: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      const existing = await store.listRuleSets();
      const version = existing.reduce((max, r) => Math.max(max, r.version), 0) + 1;
      const issues = checkRuleSetSuccession(
        existing,
        { version, effectiveFrom: body.effectiveFrom },
        beijingDate(ctx.now),
      );
      if (issues.length)
        throw new ValidationError('请求内容有误，请按提示修改', {
          fields: issues.map((i) => ({ ...i, path: `body.${i.path}` })),
        });
      const stored = { version, ...body, createdAt: ctx.now.toISOString(), createdBy: ctx.actor.sub };
      if (!(await store.putRuleSet(stored)))
        throw new ConflictError('VERSION_TAKEN', '另一版本规则刚刚发布，请刷新后重试');
      await ctx.audit({
        entityType: 'ruleSet',
        entityId: String(version),
        action: 'create',
        changes: { version, effectiveFrom: body.effectiveFrom },
      });
      return created(stored);
    },
  }),
];

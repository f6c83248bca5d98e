import * as store from '../adapters/dynamo/major-failures.ts';
import { getCadres, getVillage } from '../adapters/dynamo/roster.ts';
import { listRuleSets } from '../adapters/dynamo/rule-sets.ts';
import { derivedId, newId } from '../core/ids.ts';
import { selectRuleSet } from '../core/rules/rule-set.ts';
import { CONSEQUENCE_LABELS } from '../core/rules/terms.ts';
import { beijingDate, isoWeekOf, isoWeekRange } from '../core/time.ts';
import { type FieldIssue, ValidationError } from '../errors.ts';
import { created, defineRoute } from '../http/route.ts';
import { errorBody } from '../schemas/common.ts';
import {
  createMajorFailure,
  type MajorFailure,
  majorFailure,
  majorFailureListQuery,
  majorFailurePage,
} from '../schemas/major-failures.ts';
import { detailRoute, listRoute } from './read-routes.ts';

/**
 * Major failures (重大失误): HQ or an inspector records an incident of a type the rules define in
 * advance, against the cadres held responsible. The weekly evaluation of the incident's week lists it
 * with its consequence (通报批评 or 纪律处分建议), and the weekly documents include a notice of criticism.
 */
const TAGS = ['major-failures'];

const invalid = (fields: FieldIssue[]) => new ValidationError('请求内容有误，请按提示修改', { fields });

export const majorFailuresRoutes = [
  defineRoute({
    method: 'POST',
    path: '/major-failures',
    summary: '登记重大失误（类型须为当日生效规则中事先界定的类型）',
    tags: TAGS,
    roles: ['admin', 'inspector'],
    body: createMajorFailure,
    responses: { 201: majorFailure, 400: errorBody, 403: errorBody },
    async handle({ body }, ctx) {
      if (body.date > beijingDate(ctx.now))
        throw invalid([
          { path: 'body.date', code: 'FUTURE_DATE', message: '发生日期不能晚于今天（北京时间）' },
        ]);

      // The rule set in force for the incident's week decides which types exist and what follows.
      const week = isoWeekOf(body.date);
      const ruleSet = selectRuleSet(await listRuleSets(), isoWeekRange(week).monday);
      if (!ruleSet)
        throw invalid([{ path: 'body.date', code: 'NO_RULE_SET', message: '该日期没有生效的规则' }]);
      const type = ruleSet.majorFailures.find((t) => t.code === body.type);
      if (!type) {
        const known = ruleSet.majorFailures.map((t) => t.name).join('、');
        throw invalid([
          {
            path: 'body.type',
            code: 'UNKNOWN_TYPE',
            message: `第 ${ruleSet.version} 版规则未界定该重大失误类型，可选：${known}`,
          },
        ]);
      }

      const cadreIds = [...new Set(body.cadreIds)];
      const [village, cadres] = await Promise.all([getVillage(body.villageId), getCadres(cadreIds)]);
      const missing: FieldIssue[] = [];
      if (!village) missing.push({ path: 'body.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' });
      body.cadreIds.forEach((id, i) => {
        if (!cadres.has(id))
          missing.push({ path: `body.cadreIds.${i}`, code: 'UNKNOWN_REFERENCE', message: '干部不存在' });
      });
      if (!village || missing.length) throw invalid(missing);

      const consequence = (body.serious && type.seriousConsequence) || type.consequence;
      // A retry with the same Idempotency-Key lands on the same record, even after a crash.
      const id = ctx.idempotencyKey
        ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'major-failure')
        : newId(ctx.now);
      const record: MajorFailure = {
        id,
        type: type.code,
        typeName: type.name,
        consequence,
        consequenceLabel: CONSEQUENCE_LABELS[consequence],
        ruleSetVersion: ruleSet.version,
        villageId: village.id,
        townshipId: village.townshipId,
        cadreIds,
        date: body.date,
        week,
        description: body.description,
        serious: body.serious ?? false,
        createdAt: ctx.now.toISOString(),
        createdBy: ctx.actor.sub,
      };
      // Audited on a retry as well: the first attempt may have stored the record and failed before it.
      const { item } = await store.createMajorFailure(record);
      await ctx.audit({
        entityType: 'majorFailure',
        entityId: item.id,
        action: 'create',
        changes: {
          type: item.type,
          villageId: item.villageId,
          cadreIds: item.cadreIds,
          date: item.date,
          serious: item.serious,
          consequence: item.consequence,
          description: item.description,
        },
      });
      return created(item);
    },
  }),
  listRoute({
    path: '/major-failures',
    summary: '重大失误列表（可按村、干部、类型、日期筛选）',
    tags: TAGS,
    roles: ['admin', 'inspector'],
    query: majorFailureListQuery,
    page: majorFailurePage,
    errors: [400, 403],
    list: ({ limit, next, ...filter }) => store.listMajorFailures(filter, limit, next),
  }),
  detailRoute({
    path: '/major-failures/{id}',
    summary: '重大失误详情',
    tags: TAGS,
    roles: ['admin', 'inspector'],
    record: majorFailure,
    errors: [403, 404],
    notFound: '重大失误记录不存在',
    find: store.getMajorFailure,
  }),
];

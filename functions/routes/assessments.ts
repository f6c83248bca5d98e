import * as z from 'zod/mini';
import {
  getVillageResults,
  listSchemes,
  listVillageResults,
  putScheme,
  putVillageResults,
  readPeriodRecords,
} from '../adapters/dynamo/assessments.ts';
import { downloadPath } from '../adapters/dynamo/notices.ts';
import { getVillage } from '../adapters/dynamo/roster.ts';
import { listRuleSets } from '../adapters/dynamo/rule-sets.ts';
import {
  ASSESSMENT_ITEM_LABELS,
  type AssessmentPeriod,
  checkSchemeSuccession,
  EXIT_GRADE_LABELS,
  parsePeriod,
  periodLabel,
  schemeForPeriod,
} from '../core/assessment.ts';
import { type Assessment, assess } from '../core/assessment-facts.ts';
import { selectRuleSet } from '../core/rules/rule-set.ts';
import { beijingDate } from '../core/time.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { created, defineRoute, ok, type RawResponse } from '../http/route.ts';
import { handOffPrinting } from '../jobs/print-hand-off.ts';
import {
  assessmentNoticeView,
  assessmentQuery,
  assessmentSchemeIndex,
  assessmentSchemeInput,
  assessmentScheme as assessmentSchemeView,
  assessmentView,
  periodParams,
  villageResultsInput,
  villageResultsParams,
  villageResultsView,
} from '../schemas/assessments.ts';
import { errorBody } from '../schemas/common.ts';
import { contentDisposition } from './document-files.ts';
import { byTownship, listedTownship, scopeOf } from './scope.ts';

/**
 * Assessment binding (考核捆绑, docs/assessments.md). HQ and county leaders read the scorecards, a
 * township's staff and a leader theirs cut to their township (ranks stay county ranks); cadres are
 * not shown the county's ranking. Only HQ enters village results and publishes a scheme.
 */
const TAGS = ['assessments'];
const READERS = ['admin', 'township', 'leader'] as const;
/** Rendering (templates, the document store) loads only for the notice route. */
const noticeDocuments = () => import('../jobs/assessment-notice.ts');
const emptyBody = z.strictObject({});

function periodOf(id: string): AssessmentPeriod {
  // The params schema already refused anything else.
  return parsePeriod(id) as AssessmentPeriod;
}

/** The period's scorecards, for the whole county. */
export async function computeAssessment(period: AssessmentPeriod): Promise<Assessment> {
  const [records, schemes, ruleSets, results] = await Promise.all([
    readPeriodRecords(period),
    listSchemes(),
    listRuleSets(),
    listVillageResults(period.id),
  ]);
  const ruleSet = selectRuleSet(ruleSets, period.to);
  const m = ruleSet?.visitMinimum;
  return assess({
    period,
    scheme: schemeForPeriod(schemes, period),
    visitMinimum: m && (m.deep > 0 || m.general > 0 || m.non > 0) ? m : null,
    records,
    results,
  });
}

/** Cut to one township: its villages, the cadres working there, the units with a village there. */
function cutTo(a: Assessment, townshipId: string): Assessment {
  const villages = a.villages.filter((v) => v.townshipId === townshipId);
  const ids = new Set(villages.map((v) => v.villageId));
  return {
    ...a,
    villages,
    cadres: a.cadres.filter((c) => c.townshipId === townshipId || c.villageIds.some((v) => ids.has(v))),
    units: a.units.filter((u) => u.villageIds.some((v) => ids.has(v))),
  };
}

async function readable(periodId: string, townshipId: string | undefined, ctx: Parameters<typeof scopeOf>) {
  const scope = await scopeOf(ctx[0], ctx[1]);
  const township = byTownship(scope) ? listedTownship(scope, townshipId) : townshipId;
  const period = periodOf(periodId);
  const all = await computeAssessment(period);
  const cut = township ? cutTo(all, township) : all;
  return { ...cut, label: periodLabel(period), provisional: period.to >= beijingDate(ctx[1]) };
}

export const assessmentsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/assessments/{period}',
    summary: '考核结果：村、干部、帮扶单位的得分、排名及得分构成（季度如 2026-Q4，年度如 2026）',
    tags: TAGS,
    roles: READERS,
    params: periodParams,
    query: assessmentQuery,
    responses: { 200: assessmentView, 400: errorBody, 403: errorBody },
    async handle({ params, query }, ctx) {
      return ok(await readable(params.period, query.townshipId, [ctx.actor, ctx.now]));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/assessments/{period}/export',
    summary: '导出考核结果（.xlsx：村、干部、帮扶单位三张表，含各项得分）',
    tags: TAGS,
    roles: READERS,
    params: periodParams,
    query: assessmentQuery,
    responses: { 200: { description: '.xlsx 文件' }, 400: errorBody, 403: errorBody },
    async handle({ params, query }, ctx): Promise<RawResponse> {
      const a = await readable(params.period, query.townshipId, [ctx.actor, ctx.now]);
      const body = await assessmentWorkbook(a);
      const name = `考核结果-${a.label}.xlsx`;
      return {
        raw: true,
        statusCode: 200,
        headers: {
          'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'content-disposition': contentDisposition(name, `assessment-${a.period}.xlsx`),
          'cache-control': 'private, no-store',
          'x-content-type-options': 'nosniff',
        },
        body: body.toString('base64'),
        isBase64Encoded: true,
      };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/assessments/{period}/villages/{villageId}/results',
    summary: '录入某村本考核期的成效考核结果与群众满意度（指挥部；重复提交相同内容不作修改）',
    tags: TAGS,
    roles: ['admin'],
    params: villageResultsParams,
    body: villageResultsInput,
    responses: { 200: villageResultsView, 400: errorBody, 404: errorBody },
    async handle({ params, body }, ctx) {
      const village = await getVillage(params.villageId);
      if (!village) throw new NotFoundError('村不存在');
      const before = await getVillageResults(params.period, params.villageId);
      const after = {
        exitAssessment: body.exitAssessment ?? null,
        satisfaction: body.satisfaction ?? null,
        note: body.note ?? null,
      };
      if (
        before &&
        before.exitAssessment === after.exitAssessment &&
        before.satisfaction === after.satisfaction &&
        before.note === after.note
      )
        return ok({ ...before, changed: false });
      const stored = {
        period: params.period,
        villageId: params.villageId,
        ...after,
        updatedAt: ctx.now.toISOString(),
        updatedBy: ctx.actor.sub,
      };
      await putVillageResults(stored);
      await ctx.audit({
        entityType: 'assessmentResults',
        entityId: `${params.period}:${params.villageId}`,
        action: before ? 'update' : 'create',
        changes: {
          before: before
            ? { exitAssessment: before.exitAssessment, satisfaction: before.satisfaction, note: before.note }
            : null,
          after,
        },
      });
      return ok({ ...stored, changed: true });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/assessments/{period}/notice',
    summary: '印发考核结果通报（已结束的考核期；每期一份，重复提交返回同一份）',
    tags: TAGS,
    roles: ['admin'],
    params: periodParams,
    optionalBody: true,
    body: emptyBody,
    responses: { 201: assessmentNoticeView, 400: errorBody, 409: errorBody },
    async handle({ params }, ctx) {
      const period = periodOf(params.period);
      if (period.to >= beijingDate(ctx.now))
        throw new ConflictError(
          'PERIOD_NOT_FINISHED',
          `${periodLabel(period)}尚未结束，结束后才能印发考核结果通报`,
        );
      const [assessment, schemes] = await Promise.all([computeAssessment(period), listSchemes()]);
      const { issueAssessmentNotice } = await noticeDocuments();
      const record = await issueAssessmentNotice(
        assessment,
        periodLabel(period),
        schemeForPeriod(schemes, period),
        ctx.now,
      );
      await handOffPrinting({ documentId: record.id }, ctx.log);
      await ctx.audit({
        entityType: 'assessmentNotice',
        entityId: period.id,
        action: 'create',
        changes: { before: null, after: { noticeId: record.id, number: record.number } },
      });
      return created({
        id: record.id,
        number: record.number,
        title: record.title,
        downloads: {
          html: downloadPath(record.id, 'html'),
          ...(record.files.pdf ? { pdf: downloadPath(record.id, 'pdf') } : {}),
        },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/assessment-schemes',
    summary: '考核办法（考核项目与权重）：当前版本及全部版本',
    tags: TAGS,
    roles: READERS,
    responses: { 200: assessmentSchemeIndex },
    async handle(_input, ctx) {
      const versions = await listSchemes();
      const today = beijingDate(ctx.now);
      const current = schemeForPeriod(versions, {
        id: '',
        kind: 'quarter',
        year: 0,
        quarter: 1,
        from: today,
        to: today,
      });
      return ok({ current, versions });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/assessment-schemes',
    summary: '发布新版考核办法（自某个尚未开始的季度起生效，不改写已开始的考核期）',
    tags: TAGS,
    roles: ['admin'],
    body: assessmentSchemeInput,
    responses: { 201: assessmentSchemeView, 400: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      const existing = await listSchemes();
      const issues = checkSchemeSuccession(existing, body, beijingDate(ctx.now));
      if (issues.length)
        throw new ValidationError('请求内容有误，请按提示修改', {
          fields: issues.map((i) => ({ ...i, path: `body.${i.path}` })),
        });
      const version = existing.reduce((max, s) => Math.max(max, s.version), 0) + 1;
      const stored = { version, ...body, createdAt: ctx.now.toISOString(), createdBy: ctx.actor.sub };
      if (!(await putScheme(stored)))
        throw new ConflictError('VERSION_TAKEN', '另一版本考核办法刚刚发布，请刷新后重试');
      await ctx.audit({
        entityType: 'assessmentScheme',
        entityId: String(version),
        action: 'create',
        changes: {
          before: null,
          after: { version, effectiveFrom: body.effectiveFrom, weights: body.weights },
        },
      });
      return created(stored);
    },
  }),
];

/** The scorecards as a workbook, one sheet each (exceljs is loaded only by this export). */
async function assessmentWorkbook(a: Assessment & { label: string }): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  book.creator = 'Baocun';
  book.created = new Date(0);
  const itemColumns = (rows: { breakdown: { label: string; points: number | null }[] }[]) =>
    rows[0]?.breakdown.map((b) => b.label) ?? [];
  const safe = (v: unknown) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  const sheet = (name: string, head: string[], rows: unknown[][]) => {
    const ws = book.addWorksheet(name);
    ws.addRow(head);
    for (const r of rows) ws.addRow(r.map(safe));
    ws.getRow(1).font = { bold: true };
    ws.columns.forEach((c) => {
      c.width = 14;
    });
  };
  const villageItems = itemColumns(a.villages);
  sheet(
    '村',
    ['排名', '村', '乡镇', '得分', ...villageItems],
    a.villages.map((v) => [
      v.rank,
      v.name,
      v.townshipName ?? '',
      v.score,
      ...v.breakdown.map((b) => b.points ?? '不适用'),
    ]),
  );
  const cadreItems = itemColumns(a.cadres);
  sheet(
    '干部',
    [
      '排名',
      '干部',
      '职责',
      '单位',
      '得分',
      ...(cadreItems.length ? cadreItems : [ASSESSMENT_ITEM_LABELS.village]),
    ],
    a.cadres.map((c) => [
      c.rank,
      c.name,
      c.role === 'chief' ? '总队长' : '队员',
      c.unitName ?? '',
      c.score,
      ...c.breakdown.map((b) => b.points ?? '不适用'),
    ]),
  );
  sheet(
    '帮扶单位',
    ['排名', '单位', '得分', '所包村数', '干部人数'],
    a.units.map((u) => [u.rank, u.name, u.score, u.villageIds.length, u.cadreIds.length]),
  );
  sheet(
    '说明',
    ['项目', '内容'],
    [
      ['考核期', `${a.label}（${a.from} 至 ${a.to}）`],
      ['考核办法版本', a.schemeVersion],
      ['成效考核等次', Object.values(EXIT_GRADE_LABELS).join('、')],
    ],
  );
  return Buffer.from(await book.xlsx.writeBuffer());
}

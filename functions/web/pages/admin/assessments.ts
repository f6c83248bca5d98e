import { ApiCallError, errorOf } from '../../../client/api-client.ts';
import { parsePeriod, periodLabel, quarterOf } from '../../../core/assessment.ts';
import { addDays, beijingDate, chineseDate } from '../../../core/time.ts';
import { assessmentForms } from '../../forms/admin-assessments.ts';
import { type FormState, field, formView, freshForm } from '../../forms/state.ts';
import { definePage, type PageContext, type PageDef, page } from '../../route.ts';
import { submitForm } from '../../submit.ts';
import { ADMIN, statusOf } from './lists.ts';

/**
 * HQ's assessment pages (考核捆绑): a period's rankings of villages, units and cadres, each row
 * drilling down to the breakdown behind its score; a village's page carries the form for HQ's results
 * (成效考核, 满意度); the workbook and the 考核结果通报 from the same page. The words are the templates'.
 */
const BASE = '/app/admin/assessments';
const enc = encodeURIComponent;
const periodHref = (period: string) => `${BASE}?period=${enc(period)}`;
const detailHref = (period: string, kind: 'villages' | 'cadres' | 'units', id: string) =>
  `${BASE}/${enc(period)}/${kind}/${enc(id)}`;

/** The last six quarters and the last two years, newest first. */
function periodOptions(today: string, selected: string) {
  const options: { value: string; label: string; selected: boolean }[] = [];
  let day = today;
  for (let i = 0; i < 6; i++) {
    const q = quarterOf(day);
    options.push({ value: q, label: periodLabel(parsePeriod(q)!), selected: q === selected });
    day = addDays(parsePeriod(q)!.from, -1);
  }
  const year = Number(today.slice(0, 4));
  for (const y of [year, year - 1])
    options.push({
      value: String(y),
      label: periodLabel(parsePeriod(String(y))!),
      selected: String(y) === selected,
    });
  return options;
}

type Row = {
  item: string;
  label: string;
  raw: number | string | null;
  points: number | null;
  weight: number;
  contribution: number;
  villageId?: string | undefined;
};
const rows = (breakdown: readonly Row[], period: string) =>
  breakdown.map((b) => ({
    label: b.label,
    raw: b.raw ?? '',
    points: b.points ?? '',
    applies: b.points !== null,
    weight: b.weight,
    contribution: b.contribution,
    href: b.villageId ? detailHref(period, 'villages', b.villageId) : '',
  }));

async function indexPage(ctx: PageContext, query: URLSearchParams) {
  const today = beijingDate(ctx.now);
  const asked = query.get('period') ?? '';
  // By default the quarter under way (its scores are provisional); in its first ten days, the one before.
  const period = parsePeriod(asked) ? asked : quarterOf(addDays(today, -10));
  const a = await ctx.api.get('/assessments/{period}', { params: { period }, query: {} });
  const villageName = new Map(a.villages.map((v) => [v.villageId, v.name]));
  return page(
    'admin/assessments/index',
    `考核结果：${a.label}`,
    {
      label: a.label,
      from: chineseDate(a.from),
      to: chineseDate(a.to),
      provisional: a.provisional,
      schemeVersion: a.schemeVersion,
      issued: query.get('done') === 'issued',
      periods: periodOptions(today, period),
      exportHref: `${BASE}/${enc(period)}/export`,
      noticeAction: `${BASE}/${enc(period)}/notice`,
      villages: a.villages.map((v) => ({
        rank: v.rank,
        name: v.name,
        township: v.townshipName ?? '',
        score: v.score,
        entered: v.results !== null,
        href: detailHref(period, 'villages', v.villageId),
      })),
      units: a.units.map((u) => ({
        rank: u.rank,
        name: u.name,
        villages: u.villageIds.length,
        cadres: u.cadreIds.length,
        score: u.score,
        href: detailHref(period, 'units', u.unitId),
      })),
      cadres: a.cadres.map((c) => ({
        rank: c.rank,
        name: c.name,
        chief: c.role === 'chief',
        unit: c.unitName ?? '',
        villages: c.villageIds.map((id) => villageName.get(id) ?? id).join('、'),
        score: c.score,
        href: detailHref(period, 'cadres', c.cadreId),
      })),
    },
    { nav: 'assessments' },
  );
}

async function detailPage(
  ctx: PageContext,
  period: string,
  kind: string,
  id: string,
  query: URLSearchParams,
  state?: FormState,
  status?: number,
) {
  const a = await ctx.api.get('/assessments/{period}', { params: { period }, query: {} });
  const base = { period, label: a.label, backHref: periodHref(period), saved: query.get('done') === 'saved' };
  if (kind === 'villages') {
    const v = a.villages.find((x) => x.villageId === id);
    if (!v)
      throw new ApiCallError(
        404,
        { code: 'NOT_FOUND', message: '该村不在本期考核中' },
        'GET /assessments/{period}',
      );
    const form =
      state ??
      freshForm({
        exitAssessment: v.results?.exitAssessment ?? '',
        satisfaction:
          v.results?.satisfaction === null || v.results?.satisfaction === undefined
            ? ''
            : String(v.results.satisfaction),
      });
    const grade = form.values.get('exitAssessment')?.[0] ?? '';
    return page(
      'admin/assessments/detail',
      `考核得分：${v.name}（${a.label}）`,
      {
        ...base,
        title: v.name,
        isVillage: true,
        subtitle: v.townshipName ?? '',
        score: v.score,
        rank: v.rank,
        rows: rows(v.breakdown, period),
        action: `${BASE}/${enc(period)}/villages/${enc(id)}`,
        form: formView(form),
        fields: { exitAssessment: field(form, 'exitAssessment'), satisfaction: field(form, 'satisfaction') },
        grades: [
          { value: 'good', label: '好', selected: grade === 'good' },
          { value: 'fairlyGood', label: '较好', selected: grade === 'fairlyGood' },
          { value: 'average', label: '一般', selected: grade === 'average' },
          { value: 'poor', label: '较差', selected: grade === 'poor' },
        ],
      },
      { nav: 'assessments', ...statusOf(status) },
    );
  }
  const found =
    kind === 'cadres'
      ? a.cadres.find((c) => c.cadreId === id)
      : kind === 'units'
        ? a.units.find((u) => u.unitId === id)
        : undefined;
  if (!found)
    throw new ApiCallError(
      404,
      { code: 'NOT_FOUND', message: '未找到该考核对象' },
      'GET /assessments/{period}',
    );
  return page(
    'admin/assessments/detail',
    `考核得分：${found.name}（${a.label}）`,
    {
      ...base,
      title: found.name,
      isVillage: false,
      isUnit: kind === 'units',
      subtitle: 'unitName' in found ? (found.unitName ?? '') : '',
      score: found.score,
      rank: found.rank,
      rows: rows(found.breakdown, period),
    },
    { nav: 'assessments' },
  );
}

export const assessmentPages: PageDef[] = [
  definePage({
    method: 'GET',
    path: BASE,
    roles: ADMIN,
    handle: (input, ctx) => indexPage(ctx, input.query),
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/{period}/export`,
    roles: ADMIN,
    async handle(input, ctx) {
      const res = await ctx.api.relay('GET', '/assessments/{period}/export', {
        params: { period: input.params.period! },
        query: {},
      });
      if (res.status >= 400)
        throw new ApiCallError(res.status, errorOf(res.body), 'GET /assessments/{period}/export');
      return { type: 'raw', result: res.raw };
    },
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{period}/notice`,
    roles: ADMIN,
    async handle(input, ctx) {
      const period = input.params.period!;
      const res = await ctx.api.relay('POST', '/assessments/{period}/notice', {
        params: { period },
        body: {},
      });
      if (res.status >= 400)
        throw new ApiCallError(res.status, errorOf(res.body), 'POST /assessments/{period}/notice');
      return { type: 'redirect', location: `/app/admin/notices?kind=assessmentNotice` };
    },
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/{period}/{kind}/{id}`,
    roles: ADMIN,
    handle: (input, ctx) =>
      detailPage(ctx, input.params.period!, input.params.kind!, input.params.id!, input.query),
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{period}/villages/{id}`,
    roles: ADMIN,
    handle: (input, ctx) =>
      submitForm(input, ctx, {
        form: assessmentForms['assessment-results'],
        method: 'PUT',
        path: '/assessments/{period}/villages/{villageId}/results',
        params: { period: input.params.period!, villageId: input.params.id! },
        success: () => `${detailHref(input.params.period!, 'villages', input.params.id!)}?done=saved`,
        refused: (state, status) =>
          detailPage(ctx, input.params.period!, 'villages', input.params.id!, input.query, state, status),
      }),
  }),
];

import { getStoredEvaluation, listStoredEvaluations, summarize } from '../adapters/dynamo/evaluations.ts';
import { downloadPath, listDocumentsForWeek } from '../adapters/dynamo/notices.ts';
import { cutEvaluation } from '../core/bulletin-cut.ts';
import { BadRequestError, NotFoundError } from '../errors.ts';
import { defineRoute, ok } from '../http/route.ts';
import {
  bulletinDetail,
  bulletinListQuery,
  bulletinPage,
  bulletinQuery,
  weekParams,
} from '../schemas/bulletins.ts';
import { errorBody } from '../schemas/common.ts';
import { bulletinCutFor } from './bulletin-cuts.ts';

/**
 * Weekly bulletins as JSON: each stored weekly evaluation (final revisions, or the provisional view of
 * a week not yet finished) with links to the documents rendered from it. HQ and inspection teams read
 * them; a cadre sees their own standing elsewhere (GET /cadres/{id}/standing), not the whole county's.
 */
const TAGS = ['bulletins'];
const READERS = ['admin', 'inspector', 'township', 'leader'] as const;

export const bulletinsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/bulletins',
    summary: '周通报列表（已评定的周，新的在前）',
    tags: TAGS,
    roles: READERS,
    query: bulletinListQuery,
    responses: { 200: bulletinPage, 400: errorBody, 403: errorBody },
    async handle({ query }, ctx) {
      if (query.from && query.to && query.from > query.to)
        throw new BadRequestError('VALIDATION_FAILED', '请求内容有误，请按提示修改', {
          fields: [{ path: 'query.to', code: 'RANGE_INVERTED', message: '结束周不能早于开始周' }],
        });
      const cut = await bulletinCutFor(query, ctx);
      const page = await listStoredEvaluations(query.limit, query.next, { from: query.from, to: query.to });
      if (!cut) return ok(page);
      // A township's or a district's own counts: each week's evaluation cut to it.
      const items = await Promise.all(
        page.items.map(async (item) => {
          const found = await getStoredEvaluation(item.week);
          return found ? summarize(cutEvaluation(found.evaluation, cut), found) : item;
        }),
      );
      return ok({ ...page, items });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/bulletins/{week}',
    summary: '某一周的周通报（对号入座档次、进退严圈、红黄绿、成效指标及文书下载链接）',
    tags: TAGS,
    roles: READERS,
    params: weekParams,
    query: bulletinQuery,
    responses: { 200: bulletinDetail, 400: errorBody, 403: errorBody, 404: errorBody },
    async handle({ params, query }, ctx) {
      const cut = await bulletinCutFor(query, ctx);
      const found = await getStoredEvaluation(params.week, { revision: query.revision });
      if (!found)
        throw new NotFoundError(
          query.revision === undefined
            ? `${params.week} 尚未评定，没有周通报`
            : `${params.week} 没有第 ${query.revision} 次评定`,
        );
      const e = cut ? cutEvaluation(found.evaluation, cut) : found.evaluation;
      const documents = (await listDocumentsForWeek(params.week))
        // Documents of this revision and earlier ones; provisional ones (revision 0) only beside the provisional view.
        // A cut bulletin links only the documents about its own cadres (not the county's bulletin).
        .filter((d) => !cut || (d.cadreId !== undefined && e.cadres.some((c) => c.cadreId === d.cadreId)))
        .filter((d) =>
          d.revision === undefined
            ? true
            : found.provisional
              ? d.revision === 0
              : d.revision >= 1 && d.revision <= found.revision,
        )
        .map((d) => ({
          id: d.id,
          kind: d.kind,
          title: d.title,
          ...(d.number ? { number: d.number } : {}),
          ...(d.cadreId ? { cadreId: d.cadreId } : {}),
          ...(d.revision !== undefined ? { revision: d.revision } : {}),
          html: downloadPath(d.id, 'html'),
          ...(d.files.pdf ? { pdf: downloadPath(d.id, 'pdf') } : {}),
        }));
      const summary = summarize(e, found);
      return ok({
        ...summary,
        revisions: found.head.revisions,
        tiers: e.tiers,
        circle: e.circle,
        colors: { ...summary.colors, ...e.colors },
        remedialTraining: e.remedialTraining,
        talkNotices: e.talkNotices,
        overdueDispatches: e.overdueDispatches,
        dispatches: e.dispatches,
        effectiveness: e.effectiveness,
        cadres: e.cadres,
        problems: e.problems,
        absences: e.absences,
        majorFailures: e.majorFailures,
        documents,
      });
    },
  }),
];

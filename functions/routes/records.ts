import { listAssignments } from '../adapters/dynamo/assignments.ts';
import { profileWeeks } from '../adapters/dynamo/cadre-evaluations.ts';
import * as inspectionStore from '../adapters/dynamo/inspections.ts';
import { cadreNoticesInWeeks, listNotices, type NoticeRecord } from '../adapters/dynamo/notices.ts';
import { listProblems } from '../adapters/dynamo/problems.ts';
import { getCadre, getTownship, getVillage } from '../adapters/dynamo/roster.ts';
import { listVisits } from '../adapters/dynamo/visits.ts';
import { townshipInScope } from '../core/roles.ts';
import { isoWeekOf, isoWeekOfInstant } from '../core/time.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { hasRole } from '../http/auth.ts';
import { defineRoute, ok, type RequestContext } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import type { Problem, ProblemEvent } from '../schemas/problems.ts';
import {
  cadreProfile,
  PROFILE_NOTICES,
  PROFILE_PROBLEMS,
  PROFILE_VISITS,
  PROFILE_WEEKS,
  type ProblemRecord,
} from '../schemas/records.ts';
import { view as noticeView } from './document-files.ts';
import { byTownship, requireCadre, scopeOf } from './scope.ts';

/**
 * HQ's view of whole records: a problem's whole
 * history (where it was found, what happened, the documents that concerned it) and a cadre's profile.
 */

function noticeSummary(r: NoticeRecord) {
  const v = noticeView(r);
  return {
    id: v.id,
    kind: v.kind,
    ...(v.week ? { week: v.week } : {}),
    number: v.number,
    title: v.title,
    createdAt: v.createdAt,
    downloads: v.downloads,
  };
}

/**
 * GET /problems/{id}'s answer: the problem and its events, plus the inspection that found it, the
 * names of its cadre, village and township, and the cadre's rectification and talk notices of the
 * weeks it was open (notices are HQ's documents: only staff get them).
 */
export async function problemRecord(
  problem: Problem,
  events: ProblemEvent[],
  ctx: RequestContext,
): Promise<ProblemRecord> {
  const fromWeek = isoWeekOf(problem.foundOn);
  const toWeek = problem.closedAt ? isoWeekOfInstant(new Date(problem.closedAt)) : isoWeekOfInstant(ctx.now);
  const [inspection, cadre, village, township, notices] = await Promise.all([
    inspectionStore.getInspection(problem.inspectionId),
    getCadre(problem.cadreId),
    getVillage(problem.villageId),
    getTownship(problem.townshipId),
    hasRole(ctx.actor, 'admin')
      ? cadreNoticesInWeeks(problem.cadreId, ['rectificationNotice', 'talkNotice'], fromWeek, toWeek)
      : Promise.resolve([]),
  ]);
  // A voided inspection (its problems no longer count) says so; the record itself stays.
  const h = inspection?.header as Record<string, unknown> | undefined;
  return {
    ...problem,
    events,
    found: inspection
      ? {
          inspectionId: inspection.header.id,
          date: inspection.header.date,
          mode: inspection.header.mode,
          modeLabel: inspection.header.modeLabel,
          recordedBy: inspection.header.recordedBy,
          ...(inspection.header.recordedByName ? { recordedByName: inspection.header.recordedByName } : {}),
          ...(h && (h.voidedAt || h.voided) ? { voided: true } : {}),
        }
      : null,
    ...(cadre ? { cadreName: cadre.name } : {}),
    ...(village ? { villageName: village.name } : {}),
    ...(township ? { townshipName: township.name } : {}),
    notices: notices.map(noticeSummary),
  };
}

export const recordsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/cadres/{id}/profile',
    summary:
      '干部档案：包村关系历史、各周档次、问题、驻村记录、文书（指挥部，或干部本人；乡镇和县级领导只看到所辖乡镇的包村关系、问题和驻村记录）',
    tags: ['problems'],
    roles: ['admin', 'township', 'leader', 'cadre'],
    params: idParams,
    responses: { 200: cadreProfile, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const isAdmin = hasRole(ctx.actor, 'admin');
      const scope = await scopeOf(ctx.actor, ctx.now);
      // A township's staff or a leader: the cadres of their township or working in it.
      if (byTownship(scope)) await requireCadre(scope, ctx.actor, params.id, ctx.now);
      else if (!isAdmin && ctx.actor.cadreId !== params.id) throw new ForbiddenError('只能查看本人的档案');
      // …who see the cadre's work in their townships only (the one township filtered in the store,
      // several in the page read), and the cadre's documents as GET /notices?cadreId gives them.
      const only = byTownship(scope) && scope.townshipIds.length === 1 ? scope.townshipIds[0] : undefined;
      const ours = <T extends { townshipId: string }>(items: T[]) =>
        byTownship(scope) ? items.filter((i) => townshipInScope(scope, i.townshipId)) : items;
      const [cadre, assignments, weeks, problems, visits, notices] = await Promise.all([
        getCadre(params.id),
        listAssignments({ cadreId: params.id }, 100),
        profileWeeks(params.id, PROFILE_WEEKS),
        listProblems({ cadreId: params.id, townshipId: only }, PROFILE_PROBLEMS),
        listVisits({ cadreId: params.id, townshipId: only }, PROFILE_VISITS),
        isAdmin || byTownship(scope)
          ? listNotices({ cadreId: params.id }, PROFILE_NOTICES)
          : Promise.resolve({ items: [] }),
      ]);
      if (!cadre) throw new NotFoundError('干部不存在');
      const shownVisits = ours(visits.items);
      return ok({
        cadre,
        assignments: ours(assignments.items),
        weeks,
        problems: ours(problems.items),
        moreProblems: problems.next !== undefined,
        visits: shownVisits,
        nights: shownVisits.filter((v) => v.overnight).length,
        notices: notices.items.map(noticeSummary),
      });
    },
  }),
];

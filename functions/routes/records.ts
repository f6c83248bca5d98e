import { listAssignments } from '../adapters/dynamo/assignments.ts';
import { profileWeeks } from '../adapters/dynamo/cadre-evaluations.ts';
import { listNotices } from '../adapters/dynamo/notices.ts';
import { listProblems } from '../adapters/dynamo/problems.ts';
import { getCadre } from '../adapters/dynamo/roster.ts';
import { listVisits } from '../adapters/dynamo/visits.ts';
import { townshipInScope } from '../core/roles.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { hasRole } from '../http/auth.ts';
import { defineRoute, ok } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  cadreProfile,
  PROFILE_NOTICES,
  PROFILE_PROBLEMS,
  PROFILE_VISITS,
  PROFILE_WEEKS,
} from '../schemas/records.ts';
import { noticeSummary } from './problem-history.ts';
import { byTownship, requireCadre, scopeOf } from './scope.ts';

/**
 * HQ's view of a cadre's whole record: the profile (assignments over time, tier by week, problems,
 * visits and nights, notices). A problem's whole history is routes/problem-history.ts.
 */

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

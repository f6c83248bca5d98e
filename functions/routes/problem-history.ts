import * as inspectionStore from '../adapters/dynamo/inspections.ts';
import { cadreNoticesInWeeks, type NoticeRecord } from '../adapters/dynamo/notices.ts';
import { getCadre, getTownship, getVillage } from '../adapters/dynamo/roster.ts';
import { isoWeekOf, isoWeekOfInstant } from '../core/time.ts';
import { hasRole } from '../http/auth.ts';
import type { RequestContext } from '../http/route.ts';
import type { ProblemRecord } from '../schemas/problem-record.ts';
import type { Problem, ProblemEvent } from '../schemas/problems.ts';
import { view as noticeView } from './document-files.ts';

/**
 * A problem's whole history as GET /problems/{id} answers it. Apart from the HQ record routes
 * (routes/records.ts: the cadre profile) so the problems function does not load the profile's
 * stores with it (docs/deploy.md §9).
 */

/** A document in a record: its cadre's rectification and talk notices (and the profile's list). */
export function noticeSummary(r: NoticeRecord) {
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

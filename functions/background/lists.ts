import * as z from 'zod/mini';
import { safeParse } from 'zod/v4/core';
import type { FieldIssue } from '../errors.ts';
import { fieldIssues } from '../http/validation.ts';
import { assignmentListQuery } from '../schemas/assignments.ts';
import type { ExportList } from '../schemas/background.ts';
import { built, entityId } from '../schemas/common.ts';
import { directReportListQuery } from '../schemas/direct-reports.ts';
import { dispatchListQuery } from '../schemas/dispatches.ts';
import { noticeListQuery } from '../schemas/notices.ts';
import { districtListQuery, townshipLeaderListQuery, unitListQuery } from '../schemas/organisation.ts';
import { problemListQuery } from '../schemas/problems.ts';
import { cadreListQuery, townshipListQuery, villageListQuery } from '../schemas/roster.ts';
import { visitListQuery } from '../schemas/visits.ts';

/** The red/yellow/green board (红黄绿): every open problem, by township as the board page filters it. */
export const boardQuery = z.strictObject({ townshipId: z.optional(entityId) });

/** County leaders over townships (包镇领导): every township's, or one township's; running ones or all. */
export const leaderExportQuery = z.strictObject({
  townshipId: z.optional(entityId),
  active: built(townshipLeaderListQuery).shape.active,
});

/**
 * The lists that can be exported: the API list route each is paged through, and that route's own
 * query schema, which decides which filters an export takes (the same as the list page's).
 */
// Paths stay literal (no annotation naming the client's ListPath: the client depends on the routes,
// which depend on this module); the export's `api.all(path)` call checks each is a list route.
export const LIST_SOURCES = {
  townships: { path: '/townships', query: townshipListQuery },
  villages: { path: '/villages', query: villageListQuery },
  cadres: { path: '/cadres', query: cadreListQuery },
  assignments: { path: '/assignments', query: assignmentListQuery },
  dispatches: { path: '/dispatches', query: dispatchListQuery },
  problems: { path: '/problems', query: problemListQuery },
  'direct-reports': { path: '/direct-reports', query: directReportListQuery },
  notices: { path: '/notices', query: noticeListQuery },
  // The open problems (open and awaiting verification), coloured as the board colours them.
  board: { path: '/problems', query: boardQuery },
  visits: { path: '/visits', query: visitListQuery },
  units: { path: '/units', query: unitListQuery },
  districts: { path: '/districts', query: districtListQuery },
  // Read township by township (GET /townships/{id}/leaders), see the export.
  leaders: { path: '/townships/{id}/leaders', query: leaderExportQuery },
} as const satisfies Record<ExportList, { path: `/${string}`; query: Parameters<typeof safeParse>[0] }>;

const PAGING = new Set(['limit', 'next']);

/** Filters of an export, checked by the list's own query schema; issues at `body.filters.<name>`. */
export function filterIssues(list: ExportList, filters: Record<string, string>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const name of Object.keys(filters)) {
    if (PAGING.has(name)) {
      issues.push({
        path: `body.filters.${name}`,
        code: 'NOT_ALLOWED',
        message: '导出包含全部页，不能指定分页参数',
      });
    }
  }
  const query = Object.fromEntries(Object.entries(filters).filter(([name]) => !PAGING.has(name)));
  const result = safeParse(LIST_SOURCES[list].query, query);
  if (!result.success) issues.push(...fieldIssues(result.error, 'body.filters'));
  return issues;
}

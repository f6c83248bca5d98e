import * as z from 'zod/mini';
import { type FieldMessage, fieldMessages, formToBody, issuesOf } from '../../client/form-data.ts';
import { isValidIsoWeek } from '../../core/time.ts';
import { entityId } from '../../schemas/common.ts';
import type { FormRegistry } from './registry.ts';

/**
 * HQ's report filters (board, circle, bulletins, notices). They are GET forms: the values become the
 * page's query and, from there, the API's query, so the fields are named by the API's query
 * parameters. The schemas check a hand-edited or stale link the same way in the browser and on the
 * server; a value that fails is shown beside its field and left out, and the page shows its default.
 */

// Listed here rather than imported: the document module carries its templates, far too heavy for the
// admin script (and not even type-checkable there). pages/admin/notices.ts fails to compile when the
// two lists differ.
export const NOTICE_KINDS = [
  'bulletin',
  'talkNotice',
  'rectificationNotice',
  'criticismNotice',
  'appointmentLetter',
  'talkRecord',
  'commendationNotice',
  'assessmentNotice',
] as const;

// The API's week check (schemas/bulletins.ts), without that module's server-side types.
const isoWeek = z
  .string()
  .check(
    z.regex(/^\d{4}-W\d{2}$/, '周次应写成年份和周数，如 2026-W47'),
    z.refine(isValidIsoWeek, { message: '该年没有这一周', params: { code: 'INVALID_WEEK' } }),
  );

export const boardFilters = z.strictObject({ townshipId: z.optional(entityId) });

export const weekFilters = z.strictObject({ week: z.optional(isoWeek) });

export const noticeFilters = z.strictObject({
  kind: z.optional(z.enum(NOTICE_KINDS, { message: '请从列表中选择文书类别' })),
  week: z.optional(isoWeek),
  cadreId: z.optional(entityId),
});

export const reportForms = {
  'board-filters': { schema: boardFilters },
  'circle-filters': { schema: weekFilters },
  'notice-filters': { schema: noticeFilters },
} satisfies FormRegistry;

export interface FilterReading {
  /** The values that passed, by field name (absent or invalid ones are left out). */
  values: Record<string, string>;
  /** Raw values as given, to show in the form again. */
  given: Record<string, string>;
  errors: FieldMessage[];
}

/**
 * Reads the named query parameters through a filter schema. Other parameters (a page cursor) are the
 * page's own and are not looked at here.
 */
export function readFilters(schema: z.ZodMiniType, query: URLSearchParams, names: readonly string[]) {
  const given: Record<string, string> = {};
  const entries: Array<[string, string]> = [];
  for (const name of names) {
    const value = query.get(name)?.trim() ?? '';
    given[name] = value;
    if (value !== '') entries.push([name, value]);
  }
  const { body, paths } = formToBody(schema, entries);
  const result = z.safeParse(schema, body);
  const errors = result.success ? [] : fieldMessages(issuesOf(result.error), paths);
  const values: Record<string, string> = {};
  for (const [name, value] of entries) if (!errors.some((e) => e.name === name)) values[name] = value;
  return { values, given, errors } satisfies FilterReading;
}

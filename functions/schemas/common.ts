import './locale.ts';
import * as z from 'zod/mini';
import { hasControlCharacter, normalizeName, normalizeText } from '../core/text.ts';
import {
  beijingDate,
  beijingDayEnd,
  beijingDayStart,
  isoWeekRange,
  isValidDate,
  isValidIsoWeek,
} from '../core/time.ts';

/** Building blocks shared by every request schema; limits are stated here once. */
export const LIMITS = {
  id: 64,
  name: 60,
  title: 120,
  text: 2000,
  shortText: 200,
  listMax: 100,
  assignees: 500,
  findings: 200,
  problemsPerFinding: 50,
} as const;

/** 「甲、乙或丙」: the choices of a field, for a message that asks a person to pick one. */
export function orList(labels: readonly string[]): string {
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join('、')}或${labels[labels.length - 1]}`;
}

export const entityId = z
  .string()
  .check(
    z.minLength(1, '不能为空'),
    z.maxLength(LIMITS.id, `不能超过 ${LIMITS.id} 个字符`),
    z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, '只能包含字母、数字、下划线、点和连字符，且以字母或数字开头'),
  );

/** Text a person typed may hold line breaks and tabs, never other control characters. */
export const noControlCharacters = () =>
  z.refine<string>((s) => !hasControlCharacter(s), {
    message: '不能包含控制字符',
    params: { code: 'CONTROL_CHARACTER' },
  });

/**
 * A person's or place's name: trimmed, NFC-normalised, non-empty after trimming. Control characters
 * are refused as sent (before white space is collapsed), so a vertical tab is refused, not hidden.
 */
export const nameText = (max: number = LIMITS.name) =>
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(max * 2, `不能超过 ${max} 个字符`), noControlCharacters()),
      z.transform(normalizeName),
    ),
    z.string().check(z.minLength(1, '不能为空'), z.maxLength(max, `不能超过 ${max} 个字符`)),
  );

export const freeText = (max: number = LIMITS.text) =>
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(max * 2, `不能超过 ${max} 个字符`), noControlCharacters()),
      z.transform(normalizeText),
    ),
    z.string().check(z.maxLength(max, `不能超过 ${max} 个字符`)),
  );

export const requiredText = (max: number = LIMITS.text) =>
  z.pipe(
    z.pipe(
      z.string().check(z.maxLength(max * 2, `不能超过 ${max} 个字符`), noControlCharacters()),
      z.transform(normalizeText),
    ),
    z.string().check(z.minLength(1, '不能为空'), z.maxLength(max, `不能超过 ${max} 个字符`)),
  );

/**
 * Every date a request carries (a record's date, a deadline, a list's date range) lies from 2000-01-01
 * to a year after today (Beijing), so a mistyped year (0026, 20266) is refused rather than stored or
 * queried. The window is read from the clock at each request. A list's `to` may reach as far as a
 * year ahead (dispatches due next year) and no further: to list everything from a date, leave `to` out.
 */
export const EARLIEST_DATE = '2000-01-01';
export const DATE_RANGE_MESSAGE = '日期须在2000年之后、一年以内';
const dateRangeIssue = { message: DATE_RANGE_MESSAGE, params: { code: 'DATE_OUT_OF_RANGE' } };

/** A year after today in Beijing (29 February rolls to 1 March). */
export function latestDate(now: number = Date.now()): string {
  const [y, m, d] = beijingDate(new Date(now)).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + 1, m - 1, d)).toISOString().slice(0, 10);
}

/** Whether a valid YYYY-MM-DD lies in the window. */
export function isDateInRange(date: string, now: number = Date.now()): boolean {
  return date >= EARLIEST_DATE && date <= latestDate(now);
}

/** Whether an instant (anything Date.parse reads) falls on a Beijing day in the window. */
export function isInstantInRange(value: string, now: number = Date.now()): boolean {
  const t = Date.parse(value);
  return t >= beijingDayStart(EARLIEST_DATE).getTime() && t <= beijingDayEnd(latestDate(now)).getTime();
}

/** Whether an ISO week has a day in the window. */
function weekInRange(week: string): boolean {
  const { monday, sunday } = isoWeekRange(week);
  return sunday >= EARLIEST_DATE && monday <= latestDate();
}

/** A Beijing calendar day, YYYY-MM-DD, that exists. */
export const calendarDate = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, '日期应写成年-月-日，如 2026-11-24'),
  z.refine(isValidDate, { message: '日期不存在', params: { code: 'INVALID_DATE' } }),
  z.refine((s) => !isValidDate(s) || isDateInRange(s), dateRangeIssue),
);

/** An ISO week in Beijing time, e.g. 2026-W47, that the year has. */
export const isoWeek = z.string().check(
  z.regex(/^\d{4}-W\d{2}$/, '周次应写成年份和周数，如 2026-W47'),
  z.refine(isValidIsoWeek, { message: '该年没有这一周', params: { code: 'INVALID_WEEK' } }),
  z.refine((w) => !isValidIsoWeek(w) || weekInRange(w), {
    message: '周次须在2000年之后、一年以内',
    params: { code: 'DATE_OUT_OF_RANGE' },
  }),
);

/** An instant with an explicit offset (Z or ±hh:mm); stored as UTC. */
export const instant = z.lazy(() =>
  z.pipe(
    z.iso
      .datetime({
        offset: true,
        local: false,
        message: '时间格式不正确，应含日期、时刻和时区，如 2026-11-24T18:00:00+08:00',
      })
      .check(
        z.refine((s) => isValidDate(s.slice(0, 10)), {
          message: '日期不存在',
          params: { code: 'INVALID_DATE' },
        }),
        z.refine((s) => !isValidDate(s.slice(0, 10)) || isInstantInRange(s), dateRangeIssue),
      ),
    z.transform((s: string) => new Date(s).toISOString()),
  ),
);

export const pageQuery = {
  limit: z._default(
    z.coerce
      .number({ message: '每页条数须为数字' })
      .check(
        z.int('每页条数须为整数'),
        z.gte(1, '每页条数至少为 1'),
        z.lte(LIMITS.listMax, `每页条数不能超过 ${LIMITS.listMax}`),
      ),
    50,
  ),
  next: z.optional(
    z
      .string()
      .check(
        z.refine((s) => s.length <= 2048, { message: '分页参数无效', params: { code: 'INVALID_CURSOR' } }),
      ),
  ),
};

export const dateRangeQuery = {
  from: z.optional(calendarDate),
  to: z.optional(calendarDate),
};

export function page<T extends z.ZodMiniType>(item: T) {
  return z.object({
    items: z.array(item),
    next: z.optional(z.string()).check(z.describe('下一页游标；没有则已是最后一页')),
  });
}

/**
 * The schema a response schema declared with `z.lazy` builds, for `z.extend` or `.shape` inside another
 * lazy one. Schemas read only in responses are declared `z.lazy(() => …)`: they describe answers for
 * the OpenAPI document (built by `npm run generate`) and the client's types, and a Lambda never reads
 * them, so building them when it loads would only lengthen its cold start (docs/deploy.md §9). Request
 * schemas (bodies, queries, parameters) stay built at load: every request reads them.
 */
export const built = <T extends z.ZodMiniType>(schema: z.ZodMiniLazy<T>): T => schema._zod.innerType;

export const idParams = z.lazy(() => z.strictObject({ id: entityId }));

export const errorBody = z.lazy(() =>
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.optional(z.array(z.object({ path: z.string(), code: z.string(), message: z.string() }))),
    }),
    requestId: z.string(),
  }),
);

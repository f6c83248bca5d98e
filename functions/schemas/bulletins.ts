/**
 * Weekly evaluations as stored and as the bulletin API shows them. `StoredEvaluation` is what the
 * weekly job hands to document rendering and delivery; the response schemas describe the JSON of
 * `GET /bulletins` and `GET /bulletins/{week}` for the OpenAPI document.
 */
import * as z from 'zod/mini';
import type { WeeklyEvaluation } from '../core/rules/evaluation.ts';
import { isoWeek, pageQuery } from './common.ts';

export interface StoredEvaluation {
  week: string;
  /**
   * 1, 2, … for the evaluations of a finished week (each new one is a revision: a late record dated
   * inside the week); 0 for the provisional view of the current week, which is replaced, not revised.
   */
  revision: number;
  /** True only when this run stored a new revision of an already evaluated finished week. */
  revised: boolean;
  provisional: boolean;
  ruleSetVersion: number;
  /** When this revision was computed (UTC ISO). */
  evaluatedAt: string;
  fingerprint: string;
  evaluation: WeeklyEvaluation;
}

export { isoWeek } from './common.ts';

export const weekParams = z.strictObject({ week: isoWeek });

export const bulletinQuery = z.strictObject({
  revision: z.optional(
    z.coerce
      .number({ message: '修订号须为数字' })
      .check(z.int('修订号须为整数'), z.gte(1, '修订号至少为 1'), z.lte(10_000, '修订号过大')),
  ),
});

export const bulletinListQuery = z.strictObject({
  ...pageQuery,
  from: z.optional(isoWeek),
  to: z.optional(isoWeek),
});

const ids = z.array(z.string());
const colorCounts = z.object({ red: z.number(), yellow: z.number(), green: z.number(), onTrack: z.number() });

export const documentLink = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  cadreId: z.optional(z.string()),
  revision: z.optional(z.number()),
  html: z.string().check(z.describe('HTML 下载地址')),
  pdf: z.optional(z.string().check(z.describe('PDF 下载地址'))),
});

export const bulletinSummary = z.object({
  week: z.string(),
  monday: z.string(),
  sunday: z.string(),
  revision: z.number(),
  revised: z.boolean().check(z.describe('是否为修订版（第 2 次及以后的评定）')),
  provisional: z.boolean(),
  ruleSetVersion: z.number(),
  evaluatedAt: z.string(),
  asOf: z.string(),
  fingerprint: z.string(),
  counts: z.object({
    cadres: z.number(),
    commended: z.number(),
    selfCriticism: z.number(),
    reminderTalk: z.number(),
    admonishmentTalk: z.number(),
    circle: z.number(),
    entered: z.number(),
    exited: z.number(),
  }),
  colors: z.object({ red: z.number(), yellow: z.number(), green: z.number() }),
});

export const bulletinDetail = z.object({
  ...bulletinSummary.shape,
  revisions: z.array(z.object({ revision: z.number(), evaluatedAt: z.string(), fingerprint: z.string() })),
  tiers: z.object({
    commended: ids,
    selfCriticism: ids,
    reminderTalk: ids,
    admonishmentTalk: ids,
  }),
  circle: z.object({ members: ids, entered: ids, stayed: ids, deepened: ids, exited: ids }),
  colors: z.object({
    red: z.number(),
    yellow: z.number(),
    green: z.number(),
    problems: colorCounts,
    dispatches: colorCounts,
    total: colorCounts,
  }),
  remedialTraining: ids,
  talkNotices: z.array(z.object({ cadreId: z.string(), tier: z.string() })),
  overdueDispatches: z.array(z.looseObject({ dispatchId: z.string(), cadreId: z.string() })),
  dispatches: z
    .array(z.looseObject({ dispatchId: z.string(), cadreId: z.string() }))
    .check(z.describe('派遣对象逐行的红黄绿（未完成的，及本周完成的）')),
  effectiveness: z.looseObject({}),
  cadres: z.array(z.looseObject({ cadreId: z.string(), tier: z.string() })),
  problems: z.array(z.looseObject({ problemId: z.string() })),
  majorFailures: z.array(z.looseObject({ id: z.string() })),
  documents: z.array(documentLink),
});

export const bulletinPage = z.object({
  items: z.array(bulletinSummary),
  next: z.optional(z.string()),
});

export const ruleVersionParams = z.strictObject({
  version: z.coerce
    .number({ message: '版本号须为数字' })
    .check(z.int('版本号须为整数'), z.gte(1, '版本号至少为 1'), z.lte(1_000_000, '版本号过大')),
});

export const ruleSetIndex = z.object({
  current: z.looseObject({ version: z.number(), effectiveFrom: z.string() }),
  upcoming: z.nullable(z.looseObject({ version: z.number(), effectiveFrom: z.string() })),
  versions: z.array(z.looseObject({ version: z.number(), effectiveFrom: z.string() })),
});

export type BulletinSummary = z.output<typeof bulletinSummary>;

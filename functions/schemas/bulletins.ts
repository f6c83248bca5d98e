/**
 * Weekly evaluations as stored and as the bulletin API shows them. `StoredEvaluation` is what the
 * weekly job hands to document rendering and delivery; the response schemas describe the JSON of
 * `GET /bulletins` and `GET /bulletins/{week}` for the OpenAPI document.
 */
import * as z from 'zod/mini';
import { DOCUMENT_KINDS } from '../core/document-kinds.ts';
import { CIRCLE_MOVEMENT_LABELS, type CircleMovement } from '../core/rules/circle.ts';
import { COLOR_REASON_LABELS, type ColorReason } from '../core/rules/colors.ts';
import type { Effectiveness } from '../core/rules/effectiveness.ts';
import type {
  AbsenceRow,
  CadreEvaluation,
  DispatchRow,
  MajorFailureRow,
  ProblemRow,
  WeeklyEvaluation,
} from '../core/rules/evaluation.ts';
import { COLORS, CONSEQUENCES, PENALTY_TIERS, TIERS } from '../core/rules/terms.ts';
import { built, entityId, isoWeek, pageQuery } from './common.ts';
import { problemStatus, severity, tierReason } from './problem-terms.ts';

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

export const weekParams = z.lazy(() => z.strictObject({ week: isoWeek }));

/** Cut a bulletin to one township or one district (片区); a township's staff and leaders always get their own. */
const bulletinCut = {
  townshipId: z
    .optional(entityId)
    .check(z.describe('只看该乡镇：其村的问题、任务和在此包村或属此乡镇的干部')),
  districtId: z.optional(entityId).check(z.describe('只看该片区：其村的问题、任务和在此包村的干部')),
};

export const bulletinQuery = z.lazy(() =>
  z.strictObject({
    ...bulletinCut,
    revision: z.optional(
      z.coerce
        .number({ message: '修订号须为数字' })
        .check(z.int('修订号须为整数'), z.gte(1, '修订号至少为 1'), z.lte(10_000, '修订号过大')),
    ),
  }),
);

export const bulletinListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    ...bulletinCut,
    from: z.optional(isoWeek),
    to: z.optional(isoWeek),
  }),
);

const ids = z.array(z.string());
const colorCounts = z.object({ red: z.number(), yellow: z.number(), green: z.number(), onTrack: z.number() });

export const documentLink = z.lazy(() =>
  z.object({
    id: z.string(),
    kind: z.enum(DOCUMENT_KINDS),
    title: z.string(),
    number: z.optional(z.string().check(z.describe('文号（指谈〔2026〕3号），周通报为期数（2026年第12期）'))),
    cadreId: z.optional(z.string()),
    revision: z.optional(z.number()),
    html: z.string().check(z.describe('HTML 下载地址')),
    pdf: z.optional(z.string().check(z.describe('PDF 下载地址'))),
  }),
);

// The rows of a week's evaluation, as the engine (core/rules/evaluation.ts) makes them; a compile-time
// check below keeps the two the same.
const COLOR_REASONS = Object.keys(COLOR_REASON_LABELS) as [ColorReason, ...ColorReason[]];
const CIRCLE_MOVEMENTS = Object.keys(CIRCLE_MOVEMENT_LABELS) as [CircleMovement, ...CircleMovement[]];
const color = z.nullable(z.enum(COLORS));
const colorReason = z.enum(COLOR_REASONS);
const rowTiming = { color, colorReason, daysLeft: z.number(), daysOverdue: z.number() };

export const dispatchRow = z.lazy(() =>
  z.object({
    dispatchId: z.string(),
    number: z.nullable(z.string()),
    title: z.nullable(z.string()),
    cadreId: z.string(),
    villageId: z.string(),
    townshipId: z.nullable(z.string()),
    deadline: z.string(),
    doneAt: z.nullable(z.string()),
    ...rowTiming,
  }),
);

export const problemRow = z.lazy(() =>
  z.object({
    problemId: z.string(),
    cadreId: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    inspectionId: z.nullable(z.string()),
    severity,
    foundOn: z.string(),
    rectifyBy: z.string(),
    state: problemStatus,
    falseRectifications: z.number(),
    closedAt: z.nullable(z.string()),
    isNew: z.boolean().check(z.describe('本周发现（需下发整改通知书）')),
    ...rowTiming,
  }),
);

export const absenceRow = z.lazy(() =>
  z.object({
    inspectionId: z.string(),
    cadreId: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    date: z.string(),
    severity,
    countedAsProblemId: z.optional(
      z.string().check(z.describe('同一次督查已为该缺岗记录问题：按该问题计一次，此处不重复计')),
    ),
  }),
);

export const majorFailureRow = z.lazy(() =>
  z.object({
    id: z.string(),
    type: z.string(),
    name: z.string(),
    serious: z.boolean(),
    consequence: z.enum(CONSEQUENCES),
    consequenceLabel: z.string(),
    occurredOn: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    cadreIds: ids,
    summary: z.nullable(z.string()),
  }),
);

export const cadreEvaluation = z.lazy(() =>
  z.object({
    cadreId: z.string(),
    name: z.string(),
    townshipId: z.nullable(z.string()),
    tier: z.enum(TIERS),
    weightedCount: z.number(),
    ruleSetVersion: z.number(),
    band: z.nullable(z.object({ min: z.number(), max: z.nullable(z.number()) })),
    reasons: z.array(tierReason),
    explanation: z.string(),
    circle: z.object({
      member: z.boolean(),
      movement: z.enum(CIRCLE_MOVEMENTS),
      previousTier: z.nullable(z.enum(TIERS)),
      weeks: z.number(),
      held: z.optional(
        z
          .object({ reason: z.enum(['trainingIncomplete']), since: z.string() })
          .check(
            z.describe('因未完成干部营养餐培训仍留严圈（规则要求培训完成方可出圈）；自 since 所在周进圈'),
          ),
      ),
    }),
    remedialTraining: z.array(z.enum(['tier', 'consecutiveWeeks', 'trainingIncomplete'])),
    talkNotice: z.nullable(z.enum(PENALTY_TIERS)),
    overdueDispatches: z.number(),
    majorFailureIds: ids,
  }),
);

const nullableNumber = z.nullable(z.number());
const figures = z.object({
  presence: z.object({ present: z.number(), counted: z.number(), rate: nullableNumber }),
  rectification: z.object({ verified: z.number(), medianHours: nullableNumber }),
  directReports: z.object({ count: z.number(), cadres: z.number(), perCadre: nullableNumber }),
  acknowledgement: z.object({ acknowledged: z.number(), pending: z.number(), medianMinutes: nullableNumber }),
  resolution: z.optional(
    z
      .object({ closed: z.number(), medianMinutes: nullableNumber })
      .check(z.describe('直报办结用时（分钟，本周办结的）')),
  ),
  visits: z
    .optional(
      z.object({
        count: z.number(),
        nights: z.number(),
        far: z.number(),
        cadres: z.number(),
        perCadre: nullableNumber,
        nightsPerCadre: nullableNumber,
        cadresWithNight: z.number(),
        nightShare: nullableNumber,
      }),
    )
    .check(z.describe('驻村次数与在村住宿（仅当周有驻村记录时给出）')),
});
const figuresBeside = { current: figures, previous: z.nullable(figures) };
export const effectiveness = z.lazy(() =>
  z.object({
    county: z.object(figuresBeside),
    townships: z.array(z.object({ townshipId: z.string(), ...figuresBeside })),
  }),
);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const rowsMatchCore: [
  Same<z.output<typeof dispatchRow>, DispatchRow>,
  Same<z.output<typeof problemRow>, ProblemRow>,
  Same<z.output<typeof absenceRow>, AbsenceRow>,
  Same<z.output<typeof majorFailureRow>, MajorFailureRow>,
  Same<z.output<typeof cadreEvaluation>, CadreEvaluation>,
  Same<z.output<typeof effectiveness>, Effectiveness>,
] = [true, true, true, true, true, true];
void rowsMatchCore;

export const bulletinSummary = z.lazy(() =>
  z.object({
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
  }),
);

export const bulletinDetail = z.lazy(() =>
  z.object({
    ...built(bulletinSummary).shape,
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
    talkNotices: z.array(z.object({ cadreId: z.string(), tier: z.enum(PENALTY_TIERS) })),
    overdueDispatches: z.array(dispatchRow),
    dispatches: z.array(dispatchRow).check(z.describe('派遣对象逐行的红黄绿（未完成的，及本周完成的）')),
    effectiveness,
    cadres: z.array(cadreEvaluation),
    problems: z.array(problemRow),
    absences: z.array(absenceRow),
    majorFailures: z.array(majorFailureRow),
    documents: z.array(documentLink),
  }),
);

export const bulletinPage = z.lazy(() =>
  z.object({
    items: z.array(bulletinSummary),
    next: z.optional(z.string()),
  }),
);

export type BulletinSummary = z.output<typeof bulletinSummary>;

import * as z from 'zod/mini';
import { duplicateCadreIndexes, INSPECTION_MODES } from '../core/inspections.ts';
import { calendarDate, dateRangeQuery, entityId, freeText, LIMITS, page, pageQuery } from './common.ts';
import { newProblem, orderedRange, problemStatus, severity } from './problems.ts';

/** Inspections (督查): one village, one day, one finding per cadre with the problems found. */
export const FINDING_NOTE_MAX = 500;

export const inspectionMode = z.enum(INSPECTION_MODES, {
  message: '督查方式只能是：open（明查）、covert（暗访）、spot（抽查）',
});

export const newFinding = z.strictObject({
  cadreId: entityId.check(z.describe('被督查干部')),
  present: z.boolean({ message: '是否在岗须为 true 或 false' }).check(z.describe('是否在岗（数人头）')),
  dispatchId: z.optional(entityId).check(z.describe('所检查的任务派遣单')),
  commend: z
    ._default(z.boolean({ message: '是否表扬须为 true 或 false' }), false)
    .check(z.describe('是否予以充分肯定')),
  note: z.optional(freeText(FINDING_NOTE_MAX)),
  problems: z._default(
    z
      .array(newProblem)
      .check(z.maxLength(LIMITS.problemsPerFinding, `每名干部最多记录 ${LIMITS.problemsPerFinding} 个问题`)),
    [],
  ),
});

export const createInspection = z
  .strictObject({
    villageId: entityId,
    date: calendarDate.check(z.describe('督查日期（北京日期，不晚于今天）')),
    mode: inspectionMode,
    note: z.optional(freeText(LIMITS.text)),
    findings: z
      .array(newFinding)
      .check(
        z.minLength(1, '至少填写一名干部的督查情况'),
        z.maxLength(LIMITS.findings, `一次督查最多记录 ${LIMITS.findings} 名干部`),
      ),
  })
  .check(
    z.superRefine((v, ctx) => {
      for (const i of duplicateCadreIndexes(v.findings)) {
        ctx.addIssue({
          code: 'custom',
          path: ['findings', i, 'cadreId'],
          message: '同一干部在一次督查中只能有一条记录',
          params: { code: 'DUPLICATE' },
        });
      }
      v.findings.forEach((f, i) => {
        f.problems.forEach((p, j) => {
          if (p.rectifyBy !== undefined && p.rectifyBy < v.date) {
            ctx.addIssue({
              code: 'custom',
              path: ['findings', i, 'problems', j, 'rectifyBy'],
              message: '整改期限不能早于督查日期',
              params: { code: 'BEFORE_INSPECTION_DATE' },
            });
          }
        });
      });
    }),
  );

const findingProblem = z.object({
  id: z.string(),
  description: z.string(),
  severity,
  rectifyBy: z.string(),
  status: problemStatus,
  falseRectifications: z.optional(z.number().check(z.int())),
});

export const finding = z.object({
  cadreId: z.string(),
  present: z.boolean(),
  commend: z.boolean(),
  dispatchId: z.optional(z.string()),
  note: z.optional(z.string()),
  problemIds: z.array(z.string()),
  problems: z.array(findingProblem),
});

export const inspectionSummary = z.object({
  id: z.string(),
  villageId: z.string(),
  townshipId: z.string(),
  date: z.string(),
  mode: inspectionMode,
  modeLabel: z.string(),
  note: z.optional(z.string()),
  problemIds: z.array(z.string()),
  findingCount: z.number().check(z.int()),
  presentCount: z.number().check(z.int()),
  absentCount: z.number().check(z.int()),
  commendCount: z.number().check(z.int()),
  problemCount: z.number().check(z.int()),
  recordedBy: z.string(),
  createdAt: z.string(),
});

export const inspection = z.extend(inspectionSummary, { findings: z.array(finding) });

export const inspectionListQuery = z
  .strictObject({
    ...pageQuery,
    ...dateRangeQuery,
    villageId: z.optional(entityId),
    townshipId: z.optional(entityId),
    mode: z.optional(inspectionMode),
  })
  .check(z.superRefine(orderedRange));

export const inspectionPage = page(inspectionSummary);

export type CreateInspection = z.output<typeof createInspection>;
export type InspectionSummary = z.output<typeof inspectionSummary>;
export type Inspection = z.output<typeof inspection>;
export type Finding = z.output<typeof finding>;
export type InspectionListQuery = z.output<typeof inspectionListQuery>;

import * as z from 'zod/mini';
import { duplicateCadreIndexes, INSPECTION_MODES, PRESENCE_STATES } from '../core/inspections.ts';
import {
  built,
  calendarDate,
  dateRangeQuery,
  entityId,
  freeText,
  LIMITS,
  page,
  pageQuery,
  requiredText,
} from './common.ts';
import { photoRef } from './photos.ts';
import { newProblem, orderedRange, problemStatus, severity } from './problems.ts';
import { nameSearch } from './search.ts';

/** Inspections (督查): one village, one day, one finding per cadre with the problems found. */
export const FINDING_NOTE_MAX = 500;

export const inspectionMode = z.enum(INSPECTION_MODES, {
  message: '请选择督查方式：明查、暗访或抽查',
});

export const newFinding = z.lazy(() =>
  z.strictObject({
    cadreId: entityId.check(z.describe('被督查干部')),
    present: z
      .optional(z.boolean({ message: '请选择是否在岗' }))
      .check(
        z.describe(
          '是否在岗（旧字段，两种状态）：true 在岗，false 不在岗；同时给出 presence 时以 presence 为准',
        ),
      ),
    presence: z
      .optional(z.enum(PRESENCE_STATES, { message: '请选择在岗情况：在岗、不在岗或未点名' }))
      .check(
        z.describe(
          '在岗情况（数人头）：present 在岗、absent 不在岗、unchecked 未点名；都不填为未点名，不计不在岗',
        ),
      ),
    dispatchId: z.optional(entityId).check(z.describe('所检查的任务派遣单')),
    commend: z
      ._default(z.boolean({ message: '请选择是否表扬' }), false)
      .check(z.describe('是否予以充分肯定')),
    note: z.optional(freeText(FINDING_NOTE_MAX)),
    problems: z._default(
      z
        .array(newProblem)
        .check(
          z.maxLength(LIMITS.problemsPerFinding, `每名干部最多记录 ${LIMITS.problemsPerFinding} 个问题`),
        ),
      [],
    ),
  }),
);

export const createInspection = z.lazy(() =>
  z
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
          if (
            f.presence !== undefined &&
            f.present !== undefined &&
            f.present !== (f.presence === 'present')
          ) {
            ctx.addIssue({
              code: 'custom',
              path: ['findings', i, 'presence'],
              message: '在岗情况前后不一致，请重新选择',
              params: { code: 'PRESENCE_CONFLICT' },
            });
          }
          f.problems.forEach((p, j) => {
            const absent = f.presence === 'absent' || (f.presence === undefined && f.present === false);
            if (p.absence && !absent) {
              ctx.addIssue({
                code: 'custom',
                path: ['findings', i, 'problems', j, 'absence'],
                message: '只有点名不在岗的干部才能记录缺岗问题',
                params: { code: 'ABSENCE_NOT_RECORDED' },
              });
            }
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
    ),
);

const findingProblem = z.object({
  id: z.string(),
  description: z.string(),
  severity,
  category: z.optional(z.string()),
  source: z.optional(z.string()),
  sourceLabel: z.optional(z.string()),
  absence: z.optional(z.boolean()),
  repeat: z.optional(z.object({ of: z.array(z.string()), weeks: z.number() })),
  rectifyBy: z.string(),
  status: problemStatus,
  falseRectifications: z.optional(z.number().check(z.int())),
  photoIds: z.optional(z.array(z.string())),
  photos: z.optional(z.array(photoRef).check(z.describe('问题照片（带短时有效的链接）'))),
});

export const finding = z.lazy(() =>
  z.object({
    cadreId: z.string(),
    present: z.boolean().check(z.describe('仅在岗为 true；不在岗与未点名均为 false，请读 presence 区分')),
    presence: z
      .optional(z.enum(PRESENCE_STATES))
      .check(z.describe('在岗、不在岗或未点名（旧记录没有此字段）')),
    commend: z.boolean(),
    dispatchId: z.optional(z.string()),
    note: z.optional(z.string()),
    problemIds: z.array(z.string()),
    problems: z.array(findingProblem),
  }),
);

export const INSPECTION_VOID_REASON_MAX = 500;

/** POST /inspections/{id}/void: HQ voids (作废) an inspection recorded in error. */
export const voidInspectionBody = z.lazy(() =>
  z.strictObject({
    reason: requiredText(INSPECTION_VOID_REASON_MAX).check(z.describe('作废原因')),
  }),
);

export const inspectionVoid = z.lazy(() =>
  z.object({
    id: z.optional(z.string().check(z.describe('作废操作的编号（重试同一请求时相同）'))),
    at: z.string(),
    by: z.string(),
    byName: z.optional(z.string()),
    reason: z.string(),
  }),
);

export const inspectionSummary = z.lazy(() =>
  z.object({
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
    uncheckedCount: z.optional(z.number().check(z.int(), z.describe('未点名人数'))),
    commendCount: z.number().check(z.int()),
    problemCount: z.number().check(z.int()),
    recordedBy: z.string(),
    recordedByName: z.optional(z.string().check(z.describe('录入人姓名'))),
    createdAt: z.string(),
    voided: z.optional(inspectionVoid).check(z.describe('已作废：该次督查及其问题不再计入考评，记录保留')),
  }),
);

export const inspection = z.lazy(() => z.extend(built(inspectionSummary), { findings: z.array(finding) }));

/** POST /inspections/{id}/void answers with the voided inspection and the revision it started. */
export const inspectionVoided = z.lazy(() =>
  z.extend(built(inspection), {
    reevaluation: z
      .nullable(
        z.object({
          week: z.string().check(z.describe('重新考评的周次')),
          runId: z.string().check(z.describe('周通报任务的运行编号：GET /jobs/runs/{runId} 查询进度')),
        }),
      )
      .check(z.describe('该周已考评时重新考评（修订版）；尚未考评或本周未结束时为 null')),
  }),
);

export const inspectionListQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      ...dateRangeQuery,
      villageId: z.optional(entityId),
      townshipId: z.optional(entityId),
      cadreId: z.optional(entityId).check(z.describe('督查记录中有该干部的在岗情况或问题')),
      mode: z.optional(inspectionMode),
      q: z.optional(nameSearch),
    })
    .check(z.superRefine(orderedRange)),
);

export const inspectionPage = z.lazy(() => page(inspectionSummary));

export type CreateInspection = z.output<typeof createInspection>;
export type VoidInspectionBody = z.output<typeof voidInspectionBody>;
export type InspectionSummary = z.output<typeof inspectionSummary>;
export type Inspection = z.output<typeof inspection>;
export type Finding = z.output<typeof finding>;
export type InspectionListQuery = z.output<typeof inspectionListQuery>;

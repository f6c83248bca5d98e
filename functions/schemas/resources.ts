import * as z from 'zod/mini';
import { isValidPeriod, RESOURCE_KINDS_MAX, SANCTION_KINDS } from '../core/quotas.ts';
import {
  calendarDate,
  entityId,
  freeText,
  LIMITS,
  nameText,
  orList,
  page,
  pageQuery,
  requiredText,
} from './common.ts';

/**
 * The team leader's powers (seed 000): resource kinds (GET/PUT /resource-kinds), allocation proposals
 * and HQ's decision (POST /allocations, POST /allocations/{id}/decide), the quota ledger
 * (GET /quotas), an inspector's verification of a violation report (POST /direct-reports/{id}/verify)
 * and sanctions (POST /sanctions, approve, reject).
 */
export const RESOURCE_KIND_NAME_MAX = 20;
export const RESOURCE_UNIT_MAX = 8;

export const SANCTION_KIND_LABELS = { reduce: '削减额度', suspend: '暂停分配' } as const;
export const SANCTION_STATUSES = ['proposed', 'approved', 'rejected'] as const;
export const SANCTION_STATUS_LABELS = { proposed: '待审批', approved: '已批准', rejected: '未批准' } as const;
export const ALLOCATION_STATUSES = ['proposed', 'granted', 'declined'] as const;
export const ALLOCATION_STATUS_LABELS = {
  proposed: '待决定',
  granted: '已分配',
  declined: '未分配',
} as const;
export const ALLOCATION_DECISIONS = ['grant', 'decline'] as const;
export const VERIFICATION_VERDICTS = ['confirmed', 'unfounded'] as const;
export const VERIFICATION_VERDICT_LABELS = { confirmed: '查证属实', unfounded: '查无实据' } as const;
export const PRIORITY_MAX = 99;
export const QUANTITY_MAX = 1_000_000;

const resourceKindId = z
  .string()
  .check(
    z.minLength(1, '不能为空'),
    z.maxLength(40, '不能超过 40 个字符'),
    z.regex(/^[a-z0-9][a-z0-9-]*$/, '只能包含小写字母、数字和连字符，且以字母或数字开头'),
  );

/** A period: a calendar month, e.g. 2026-11. */
export const period = z
  .string()
  .check(
    z.refine(isValidPeriod, { message: '分配期应写成年-月，如 2026-11', params: { code: 'INVALID_PERIOD' } }),
  );

const quantity = z.number({ message: '数量须为数字' }).check(
  z.gt(0, '数量须大于 0'),
  z.lte(QUANTITY_MAX, `数量不能超过 ${QUANTITY_MAX}`),
  z.refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, {
    message: '数量最多保留两位小数',
    params: { code: 'TOO_PRECISE' },
  }),
);

const resourceKindInput = z.strictObject({
  id: resourceKindId.check(z.describe('资源种类代码（不变的标识，如 drought-relief）')),
  name: nameText(RESOURCE_KIND_NAME_MAX).check(z.describe('名称，如“抗旱物资”')),
  unit: nameText(RESOURCE_UNIT_MAX).check(z.describe('计量单位，如“吨”“件”')),
});

export const putResourceKinds = z.lazy(() =>
  z.strictObject({
    kinds: z.array(resourceKindInput).check(
      z.minLength(1, '至少保留一种资源'),
      z.maxLength(RESOURCE_KINDS_MAX, `资源种类不能超过 ${RESOURCE_KINDS_MAX} 种`),
      z.superRefine((list, ctx) => {
        const ids = new Set<string>();
        const names = new Set<string>();
        list.forEach((k, i) => {
          if (ids.has(k.id))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'id'],
              message: '资源种类代码重复',
              params: { code: 'DUPLICATE' },
              input: k.id,
            });
          if (names.has(k.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: '资源名称重复',
              params: { code: 'DUPLICATE' },
              input: k.name,
            });
          ids.add(k.id);
          names.add(k.name);
        });
      }),
      z.describe('县里统一调配的全部资源种类（整体替换），按显示顺序'),
    ),
  }),
);

const resourceKindView = z.object({ id: z.string(), name: z.string(), unit: z.string() });

export const resourceKinds = z.lazy(() =>
  z.object({
    kinds: z.array(resourceKindView),
    retired: z.array(resourceKindView).check(z.describe('已停用的资源种类：不再可选，原有分配照常显示')),
    version: z.number().check(z.int(), z.describe('版本号；修改时以 If-Match 带回')),
    updatedAt: z.nullable(z.string()),
    updatedBy: z.nullable(z.string()),
  }),
);

export const createAllocation = z.lazy(() =>
  z.strictObject({
    resourceKind: resourceKindId.check(z.describe('资源种类代码（见 GET /resource-kinds）')),
    period: period.check(z.describe('分配期（月份），如 2026-11')),
    villageId: entityId.check(z.describe('建议优先保障的村（须为本人任总队长的村）')),
    priority: z
      .number({ message: '优先顺序须为数字' })
      .check(
        z.int('优先顺序须为整数'),
        z.gte(1, '优先顺序至少为 1（1 为最优先）'),
        z.lte(PRIORITY_MAX, `优先顺序不能超过 ${PRIORITY_MAX}`),
        z.describe('优先顺序，1 为最优先'),
      ),
    quantity: z.optional(quantity).check(z.describe('建议数量（按资源的计量单位）')),
    note: requiredText(LIMITS.text).check(z.describe('理由（旱情、人口、水源等）')),
  }),
);

export const decideAllocation = z.lazy(() =>
  z
    .strictObject({
      decision: z.enum(ALLOCATION_DECISIONS, { message: '请选择分配或不分配' }),
      quantity: z.optional(quantity).check(z.describe('分配数量（分配时必填）')),
      note: z.optional(freeText(LIMITS.text)).check(z.describe('指挥部意见')),
    })
    .check(
      z.superRefine((b, ctx) => {
        if (b.decision === 'grant' && b.quantity === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['quantity'],
            message: '分配时须填写分配数量',
            params: { code: 'QUANTITY_REQUIRED' },
            input: b,
          });
        if (b.decision === 'decline' && b.quantity !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['quantity'],
            message: '不分配时不填数量',
            params: { code: 'QUANTITY_NOT_ALLOWED' },
            input: b,
          });
      }),
    ),
);

export const allocation = z.lazy(() =>
  z.object({
    id: z.string(),
    resourceKind: z.string(),
    resourceKindName: z.string(),
    unit: z.string(),
    period: z.string(),
    villageId: z.string(),
    villageName: z.string(),
    townshipId: z.string(),
    priority: z.number(),
    requestedQuantity: z.nullable(z.number()),
    note: z.string(),
    status: z.enum(ALLOCATION_STATUSES),
    statusLabel: z.string(),
    proposedBy: z.string(),
    proposerCadreId: z.nullable(z.string()),
    proposedByName: z.nullable(z.string()),
    proposedAt: z.string(),
    grantedQuantity: z.nullable(z.number()),
    decidedAt: z.nullable(z.string()),
    decidedBy: z.nullable(z.string()),
    decidedByName: z.nullable(z.string()),
    decisionNote: z.nullable(z.string()),
  }),
);

export const allocationListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    status: z.optional(z.enum(ALLOCATION_STATUSES, { message: '状态应为待决定、已分配或未分配' })),
    villageId: z.optional(entityId),
    townshipId: z.optional(entityId),
    period: z.optional(period),
    resourceKind: z.optional(resourceKindId),
  }),
);

export const allocationPage = z.lazy(() => page(allocation));

export const quotaQuery = z.lazy(() =>
  z
    .strictObject({
      villageId: z.optional(entityId).check(z.describe('村')),
      townshipId: z.optional(entityId).check(z.describe('乡镇（与分配期同用）')),
      period: z.optional(period).check(z.describe('分配期（月份）')),
      resourceKind: z.optional(resourceKindId).check(z.describe('资源种类')),
    })
    .check(
      z.refine((q) => q.villageId !== undefined || q.period !== undefined, {
        message: '请指定村，或指定分配期',
        path: ['villageId'],
        params: { code: 'FILTER_REQUIRED' },
      }),
    ),
);

const ledgerEntry = z.object({
  type: z.enum(['grant', 'sanction']),
  label: z.string().check(z.describe('台账摘要，如“指挥部分配”“削减额度 30%”')),
  allocationId: z.nullable(z.string()),
  sanctionId: z.nullable(z.string()),
  at: z.string(),
  quantity: z.number().check(z.describe('分配为正，扣减为负')),
  reason: z.nullable(z.string()),
});

export const quotaLine = z.lazy(() =>
  z.object({
    villageId: z.string(),
    villageName: z.string(),
    townshipId: z.string(),
    resourceKind: z.string(),
    resourceKindName: z.string(),
    unit: z.string(),
    period: z.string(),
    granted: z.number(),
    deducted: z.number(),
    suspended: z.boolean(),
    quota: z.number().check(z.describe('本期可分配额度')),
    entries: z.array(ledgerEntry),
  }),
);

export const verificationView = z.lazy(() =>
  z.object({
    directReportId: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    verdict: z.enum(VERIFICATION_VERDICTS),
    verdictLabel: z.string(),
    note: z.string(),
    verifiedBy: z.string(),
    verifiedByName: z.nullable(z.string()),
    verifiedAt: z.string(),
  }),
);

export const verifyViolation = z.lazy(() =>
  z.strictObject({
    verdict: z.enum(VERIFICATION_VERDICTS, { message: '请选择查证属实或查无实据' }),
    note: requiredText(LIMITS.text).check(z.describe('核查情况')),
  }),
);

export const createSanction = z.lazy(() =>
  z
    .strictObject({
      villageId: entityId.check(z.describe('受约束的村')),
      kind: z.enum(SANCTION_KINDS, {
        message: `请选择约束方式：${orList(Object.values(SANCTION_KIND_LABELS))}`,
      }),
      share: z
        .optional(
          z
            .number({ message: '削减比例须为数字' })
            .check(z.gt(0, '削减比例须大于 0'), z.lte(1, '削减比例不能超过 1（即 100%）')),
        )
        .check(z.describe('削减比例（0 到 1，如 0.3 为削减 30%）；削减时必填，暂停时不填')),
      from: calendarDate.check(z.describe('起始日期（北京时间，含）')),
      to: calendarDate.check(z.describe('结束日期（北京时间，含）')),
      reason: requiredText(LIMITS.text).check(z.describe('事由')),
      directReportId: z.optional(entityId).check(z.describe('所依据的违规举报（须经督查人员查证属实）')),
      majorFailureId: z.optional(entityId).check(z.describe('所依据的重大失误记录')),
    })
    .check(
      z.superRefine((b, ctx) => {
        if (b.kind === 'reduce' && b.share === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['share'],
            message: '削减额度须填写削减比例',
            params: { code: 'SHARE_REQUIRED' },
            input: b,
          });
        if (b.kind === 'suspend' && b.share !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['share'],
            message: '暂停分配时不填削减比例',
            params: { code: 'SHARE_NOT_ALLOWED' },
            input: b,
          });
        if (b.from > b.to)
          ctx.addIssue({
            code: 'custom',
            path: ['from'],
            message: '起始日期不能晚于结束日期',
            params: { code: 'INVALID_RANGE' },
            input: b,
          });
      }),
    ),
);

export const decideSanction = z.lazy(() =>
  z.strictObject({
    note: z.optional(freeText(LIMITS.text)).check(z.describe('指挥部意见')),
  }),
);

export const rejectSanction = z.lazy(() =>
  z.strictObject({
    note: requiredText(LIMITS.text).check(z.describe('不予批准的理由')),
  }),
);

export const sanction = z.lazy(() =>
  z.object({
    id: z.string(),
    villageId: z.string(),
    villageName: z.string(),
    townshipId: z.string(),
    kind: z.enum(SANCTION_KINDS),
    kindLabel: z.string(),
    share: z.nullable(z.number()),
    from: z.string(),
    to: z.string(),
    reason: z.string(),
    directReportId: z.nullable(z.string()),
    majorFailureId: z.nullable(z.string()),
    majorFailureName: z.nullable(z.string()).check(z.describe('所引重大失误的类型（其本身的处理照旧）')),
    status: z.enum(SANCTION_STATUSES),
    statusLabel: z.string(),
    proposedBy: z.string(),
    proposedByName: z.nullable(z.string()),
    proposedAt: z.string(),
    decidedBy: z.nullable(z.string()),
    decidedByName: z.nullable(z.string()),
    decidedAt: z.nullable(z.string()),
    decisionNote: z.nullable(z.string()),
  }),
);

export const quotaLedgerView = z.lazy(() =>
  z.object({
    items: z.array(quotaLine),
    sanctions: z.array(sanction).check(z.describe('所涉期间已批准的约束')),
  }),
);

export const sanctionListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    status: z.optional(z.enum(SANCTION_STATUSES, { message: '状态应为待审批、已批准或未批准' })),
    villageId: z.optional(entityId),
    townshipId: z.optional(entityId),
  }),
);

export const sanctionPage = z.lazy(() => page(sanction));

export type ResourceKindsView = z.output<typeof resourceKinds>;
export type Allocation = z.output<typeof allocation>;
export type AllocationStatus = (typeof ALLOCATION_STATUSES)[number];
export type Sanction = z.output<typeof sanction>;
export type SanctionStatus = (typeof SANCTION_STATUSES)[number];
export type Verification = z.output<typeof verificationView>;
export type QuotaLine = z.output<typeof quotaLine>;
export type CreateSanction = z.output<typeof createSanction>;
export type CreateAllocation = z.output<typeof createAllocation>;

import * as z from 'zod/mini';
import { TALK_STATUS_LABELS, TALK_STATUSES, TALK_TIER_LABELS, TALK_TIERS } from '../core/talks.ts';
import {
  entityId,
  freeText,
  instant,
  isoWeek,
  LIMITS,
  nameText,
  orList,
  page,
  pageQuery,
  requiredText,
} from './common.ts';
import { queryFlag } from './search.ts';

/**
 * Talks (提醒谈话 / 诫勉谈话): proposed by the weekly evaluation, decided by HQ, notified, held,
 * recorded and acknowledged by the cadre (docs/talks.md).
 */
const tier = z.enum(TALK_TIERS, {
  message: `请选择谈话档次：${orList(TALK_TIERS.map((t) => TALK_TIER_LABELS[t]))}`,
});
const status = z.enum(TALK_STATUSES, {
  message: `请选择谈话状态：${orList(TALK_STATUSES.map((s) => TALK_STATUS_LABELS[s]))}`,
});

export const talkListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    week: z.optional(isoWeek).check(z.describe('考评周次')),
    status: z.optional(status),
    cadreId: z.optional(entityId),
    townshipId: z.optional(entityId),
    overdue: z.optional(queryFlag('请选择是否只看逾期未谈话的')).check(z.describe('只看通知后逾期未谈话的')),
  }),
);

export const changeTalk = z.lazy(() =>
  z.strictObject({
    tier: tier.check(z.describe('调整后的谈话档次')),
    reason: requiredText(LIMITS.text).check(z.describe('调整理由（书面说明）')),
  }),
);

export const waiveTalk = z.lazy(() =>
  z.strictObject({
    reason: requiredText(LIMITS.text).check(z.describe('不予谈话的理由')),
  }),
);

export const recordTalk = z.lazy(() =>
  z.strictObject({
    heldAt: instant.check(z.describe('谈话时间')),
    place: nameText(LIMITS.title).check(z.describe('谈话地点')),
    conductorIds: z
      .array(entityId, { message: '请选择谈话人' })
      .check(
        z.minLength(1, '请至少选择一名谈话人'),
        z.maxLength(10, '谈话人不能超过 10 名'),
        z.describe('谈话人（干部编号）'),
      ),
    notes: requiredText(LIMITS.text).check(z.describe('谈话内容记录')),
  }),
);

export const acknowledgeTalk = z.lazy(() =>
  z.strictObject({
    statement: z.optional(freeText(LIMITS.text)).check(z.describe('本人表态')),
  }),
);

export const talkSettings = z.lazy(() =>
  z.strictObject({
    approvalRequired: z
      .boolean({ message: '请选择谈话是否须经审批' })
      .check(z.describe('谈话须经审批后发出通知')),
    holdWithinDays: z
      .number({ message: '请填写天数' })
      .check(
        z.int('天数须为整数'),
        z.gte(1, '天数至少为 1'),
        z.lte(60, '天数不能超过 60'),
        z.describe('通知后应在几日内完成谈话'),
      ),
  }),
);

const person = z.object({ by: z.string(), byName: z.optional(z.string()), at: z.string() });

export const talk = z.lazy(() =>
  z.object({
    id: z.string(),
    week: z.string().check(z.describe('提出谈话的考评周次')),
    cadreId: z.string(),
    cadreName: z.string(),
    townshipId: z.nullable(z.string()),
    status,
    statusLabel: z.string(),
    tier,
    tierLabel: z.string(),
    proposedTier: tier,
    explanation: z.string().check(z.describe('考评给出的理由')),
    proposedAt: z.string(),
    changes: z.array(
      z.object({
        from: tier,
        to: tier,
        reason: z.string(),
        by: z.string(),
        byName: z.optional(z.string()),
        at: z.string(),
      }),
    ),
    approval: z.nullable(
      z.object({
        ...person.shape,
        automatic: z.boolean().check(z.describe('依县设置（无需审批）在考评时自动批准')),
      }),
    ),
    waiver: z.nullable(z.object({ ...person.shape, reason: z.string() })),
    notice: z.nullable(
      z.object({
        id: z.string(),
        number: z.string(),
        notifiedAt: z.nullable(z.string()),
        download: z.string().check(z.describe('下载通知书（本人或指挥部）')),
      }),
    ),
    dueBy: z.nullable(z.string().check(z.describe('应谈话日期（北京时间，含）'))),
    overdue: z.boolean(),
    record: z.nullable(
      z.object({
        heldAt: z.string(),
        place: z.string(),
        conductorIds: z.array(z.string()),
        conductorNames: z.array(z.string()),
        notes: z.string(),
        ...person.shape,
        documentId: z.nullable(z.string()),
        download: z.nullable(z.string()),
      }),
    ),
    acknowledgement: z.nullable(z.object({ at: z.string(), statement: z.nullable(z.string()) })),
    updatedAt: z.string(),
  }),
);

export const talkPage = z.lazy(() => page(talk));

export const talkSettingsView = z.lazy(() =>
  z.object({
    approvalRequired: z.boolean(),
    holdWithinDays: z.number(),
    updatedAt: z.nullable(z.string()),
    updatedBy: z.nullable(z.string()),
  }),
);

export type Talk = z.output<typeof talk>;
export type TalkListQuery = z.output<typeof talkListQuery>;
export type TalkSettings = z.output<typeof talkSettings>;

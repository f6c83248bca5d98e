import { getNotice } from '../adapters/dynamo/notices.ts';
import { getCadres } from '../adapters/dynamo/roster.ts';
import {
  getTalk,
  getTalkSettings,
  listTalks,
  putTalkSettings,
  type StepResult,
  stepTalk,
  type TalkRecord,
} from '../adapters/dynamo/talks.ts';
import { derivedId } from '../core/ids.ts';
import { TIER_LABELS } from '../core/rules/terms.ts';
import {
  TALK_STATUS_LABELS,
  TALK_STEP_FROM,
  type TalkAction,
  talkOverdue,
  talkStepRefusal,
} from '../core/talks.ts';
import { beijingDate } from '../core/time.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { type Actor, hasRole } from '../http/auth.ts';
import { defineRoute, ok, type RawResponse, type RequestContext } from '../http/route.ts';
import { recordAndNotify } from '../jobs/news-events.ts';
import { handOffPrinting } from '../jobs/print-hand-off.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import { downloadQuery } from '../schemas/notices.ts';
import {
  acknowledgeTalk,
  changeTalk,
  recordTalk,
  type Talk,
  talkListQuery,
  talkPage,
  talk as talkSchema,
  talkSettings,
  talkSettingsView,
  waiveTalk,
} from '../schemas/talks.ts';
import { DOCUMENT_FILE_RESPONSES, noticeFile } from './document-files.ts';
import { byTownship, listedTownship, mayDecideTalk, requireTownship, scopeOf } from './scope.ts';

/**
 * Numbering and rendering the talk notice and record (the templates, about 70 KB): only approving,
 * recording and acknowledging need them, so they are a chunk of their own in the Lambda bundle,
 * loaded by those requests and not by the lists and reads (docs/deploy.md §9).
 */
const talkDocuments = () => import('../jobs/talks.ts');

/**
 * Talks (提醒谈话 / 诫勉谈话) as decisions (docs/talks.md): the weekly evaluation proposes, HQ or the
 * township's county leader approves (numbering and sending the notice), changes the tier with a
 * written reason, or waives; HQ records the talk held; the cadre acknowledges it with a statement
 * (表态). Each step is one conditional write on the status it starts from: 409 in any other, and a
 * retry of the same request (same Idempotency-Key) after a crash finishes rather than refuses.
 */
const TAGS = ['talks'];
const READERS = ['admin', 'township', 'leader', 'cadre'] as const;
const DECIDERS = ['admin', 'leader'] as const;

function downloadPath(id: string, document: 'notice' | 'record'): string {
  return `/talks/${encodeURIComponent(id)}/${document === 'notice' ? 'notice' : 'record-document'}`;
}

export function talkView(t: TalkRecord, now: Date): Talk {
  return {
    id: t.id,
    week: t.week,
    cadreId: t.cadreId,
    cadreName: t.cadreName,
    townshipId: t.townshipId,
    status: t.status,
    statusLabel: TALK_STATUS_LABELS[t.status],
    tier: t.tier,
    tierLabel: TIER_LABELS[t.tier],
    proposedTier: t.proposedTier,
    explanation: t.explanation,
    proposedAt: t.proposedAt,
    changes: t.changes,
    approval: t.approval,
    waiver: t.waiver,
    notice: t.notice
      ? {
          id: t.notice.id,
          number: t.notice.number,
          notifiedAt: t.notice.notifiedAt,
          download: downloadPath(t.id, 'notice'),
        }
      : null,
    dueBy: t.dueBy,
    overdue: talkOverdue(t, beijingDate(now)),
    record: t.record
      ? {
          ...t.record,
          download: t.record.documentId ? downloadPath(t.id, 'record') : null,
        }
      : null,
    acknowledgement: t.acknowledgement,
    updatedAt: t.updatedAt,
  };
}

/** The talk, if this person may read it: HQ any, township staff and leaders their townships', a cadre their own. */
async function readable(id: string, ctx: RequestContext): Promise<TalkRecord> {
  const found = await getTalk(id);
  if (!found) throw new NotFoundError('谈话记录不存在');
  if (hasRole(ctx.actor, 'admin')) return found;
  const scope = await scopeOf(ctx.actor, ctx.now);
  if (byTownship(scope)) {
    requireTownship(scope, found.townshipId);
    return found;
  }
  if (found.cadreId !== ctx.actor.cadreId) throw new ForbiddenError('只能查看本人的谈话');
  return found;
}

async function decidable(id: string, ctx: RequestContext): Promise<TalkRecord> {
  const found = await getTalk(id);
  if (!found) throw new NotFoundError('谈话记录不存在');
  if (!(await mayDecideTalk(ctx.actor, found.townshipId, ctx.now)))
    throw new ForbiddenError('只有指挥部或分管该乡镇的县级领导可以决定谈话');
  return found;
}

const personOf = (actor: Actor, at: string) => ({
  by: actor.sub,
  ...(actor.name ? { byName: actor.name } : {}),
  at,
});

/** This request's mark on a step, so its own retry after a crash is told apart from a second step. */
const stepToken = (ctx: RequestContext, action: TalkAction, id: string) =>
  ctx.idempotencyKey ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'talk', action, id) : undefined;

/** A step's outcome as the answer: the talk, 404, or 409 naming why (unless this request made it). */
function settled(result: StepResult, action: TalkAction, token: string | undefined): TalkRecord {
  if (result.kind === 'missing') throw new NotFoundError('谈话记录不存在');
  if (result.kind === 'refused') {
    const record = result.record as TalkRecord & { stepToken?: string };
    if (token && record.stepToken === token) return record;
    const refusal = talkStepRefusal(action, record.status);
    if (!refusal) throw new ConflictError('TALK_CHANGED', '该谈话刚被他人修改，请刷新后重试');
    throw new ConflictError('TALK_STATUS_CONFLICT', refusal);
  }
  return result.record;
}

function refuseEarly(action: TalkAction, talk: TalkRecord, token: string | undefined): void {
  const marked = (talk as TalkRecord & { stepToken?: string }).stepToken;
  if (TALK_STEP_FROM[action].includes(talk.status) || (token && marked === token)) return;
  throw new ConflictError('TALK_STATUS_CONFLICT', talkStepRefusal(action, talk.status) ?? '');
}

/** A talk's document (its notice, its record) as a download, for whoever may read the talk. */
function talkDocumentRoute<P extends string>(
  path: P,
  summary: string,
  documentOf: (talk: TalkRecord) => string | null | undefined,
  missing: string,
) {
  return defineRoute({
    method: 'GET',
    path,
    summary,
    tags: TAGS,
    roles: READERS,
    params: idParams,
    query: downloadQuery,
    responses: DOCUMENT_FILE_RESPONSES,
    async handle({ params, query }, ctx): Promise<RawResponse> {
      const documentId = documentOf(await readable(params.id, ctx));
      const record = documentId ? await getNotice(documentId) : undefined;
      if (!record) throw new NotFoundError(missing);
      return noticeFile(record, query.format);
    },
  });
}

export const talksRoutes = [
  defineRoute({
    method: 'GET',
    path: '/talks',
    summary: '谈话列表（可按周次、状态、干部、乡镇筛选；干部只看本人的，乡镇和县级领导看所辖乡镇的）',
    tags: TAGS,
    roles: READERS,
    query: talkListQuery,
    responses: { 200: talkPage, 400: errorBody, 403: errorBody },
    async handle({ query }, ctx) {
      let cadreId = query.cadreId;
      let townshipId = query.townshipId;
      if (!hasRole(ctx.actor, 'admin')) {
        const scope = await scopeOf(ctx.actor, ctx.now);
        if (byTownship(scope)) townshipId = listedTownship(scope, query.townshipId);
        else {
          if (cadreId !== undefined && cadreId !== ctx.actor.cadreId)
            throw new ForbiddenError('只能查看本人的谈话');
          cadreId = ctx.actor.cadreId;
        }
      }
      const page = await listTalks(
        {
          week: query.week,
          status: query.status,
          cadreId,
          townshipId,
          dueBefore: query.overdue ? beijingDate(ctx.now) : undefined,
        },
        query.limit,
        query.next,
      );
      return ok({
        items: page.items.map((t) => talkView(t, ctx.now)),
        ...(page.next ? { next: page.next } : {}),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/talks/{id}',
    summary: '谈话详情（提出、审批、通知、谈话记录、本人表态）',
    tags: TAGS,
    roles: READERS,
    params: idParams,
    responses: { 200: talkSchema, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      return ok(talkView(await readable(params.id, ctx), ctx.now));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/talks/{id}/approve',
    summary: '批准谈话：编号并发出谈话通知书（指挥部，或分管该乡镇的县级领导）',
    tags: TAGS,
    roles: DECIDERS,
    params: idParams,
    responses: { 200: talkSchema, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params }, ctx) {
      const token = stepToken(ctx, 'approve', params.id);
      const found = await decidable(params.id, ctx);
      refuseEarly('approve', found, token);
      // The notice is stored as HTML here and printed as PDF by the function with Chromium, which then
      // sends the news (the notification is on the cadre's page at once): docs/talks.md.
      const { approveTalk, talkNewsKey } = await talkDocuments();
      const result = await approveTalk(found, ctx.actor, {
        now: ctx.now,
        token,
        pdf: null,
        audit: (entry) => ctx.audit(entry),
        tell: async (event) => {
          await recordAndNotify(event);
        },
      });
      const record = settled(result, 'approve', token);
      // Also on a retry that finds the talk notified: printing and sending are each done once.
      if (record.notice?.notifiedAt)
        await handOffPrinting({ documentId: record.notice.id, newsKey: talkNewsKey(record.id) }, ctx.log);
      return ok(talkView(record, ctx.now));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/talks/{id}/change',
    summary: '调整拟谈话档次（须写明理由；仅限待审批的谈话）',
    tags: TAGS,
    roles: DECIDERS,
    params: idParams,
    body: changeTalk,
    responses: { 200: talkSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const token = stepToken(ctx, 'change', params.id);
      const found = await decidable(params.id, ctx);
      refuseEarly('change', found, token);
      if (found.tier === body.tier && !(token && (found as { stepToken?: string }).stepToken === token)) {
        throw new BadRequestError('SAME_TIER', '调整后的档次与现档次相同', {
          fields: [{ path: 'body.tier', code: 'SAME_TIER', message: `现档次已是${TIER_LABELS[body.tier]}` }],
        });
      }
      const at = ctx.now.toISOString();
      const change = { from: found.tier, to: body.tier, reason: body.reason, ...personOf(ctx.actor, at) };
      // The condition also holds the tier read, so two changes at once cannot both append.
      const result =
        found.tier === body.tier
          ? ({ kind: 'refused', record: found } as StepResult)
          : await stepTalk(
              params.id,
              ['proposed'],
              'proposed',
              {
                tier: body.tier,
                changes: [...found.changes, change],
                updatedAt: at,
                ...(token ? { stepToken: token } : {}),
              },
              {
                expression: '#tier = :tierRead',
                names: { '#tier': 'tier' },
                values: { ':tierRead': found.tier },
              },
            );
      const record = settled(result, 'change', token);
      await ctx.audit({
        entityType: 'talk',
        entityId: params.id,
        action: 'change',
        changes: { before: { tier: found.tier }, after: { tier: body.tier }, reason: body.reason },
      });
      return ok(talkView(record, ctx.now));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/talks/{id}/waive',
    summary: '决定不予谈话（须写明理由；仅限待审批的谈话）',
    tags: TAGS,
    roles: DECIDERS,
    params: idParams,
    body: waiveTalk,
    responses: { 200: talkSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const token = stepToken(ctx, 'waive', params.id);
      const found = await decidable(params.id, ctx);
      refuseEarly('waive', found, token);
      const at = ctx.now.toISOString();
      const record = settled(
        await stepTalk(params.id, TALK_STEP_FROM.waive, 'waived', {
          waiver: { ...personOf(ctx.actor, at), reason: body.reason },
          updatedAt: at,
          ...(token ? { stepToken: token } : {}),
        }),
        'waive',
        token,
      );
      await ctx.audit({
        entityType: 'talk',
        entityId: params.id,
        action: 'waive',
        changes: { before: { status: found.status }, after: { status: 'waived' }, reason: body.reason },
      });
      return ok(talkView(record, ctx.now));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/talks/{id}/record',
    summary: '记录谈话（时间、地点、谈话人、谈话内容），生成谈话记录',
    tags: TAGS,
    roles: DECIDERS,
    params: idParams,
    body: recordTalk,
    responses: { 200: talkSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const token = stepToken(ctx, 'record', params.id);
      const found = await decidable(params.id, ctx);
      refuseEarly('record', found, token);
      if (Date.parse(body.heldAt) > ctx.now.getTime() + 5 * 60_000) {
        throw new BadRequestError('HELD_IN_FUTURE', '谈话时间不能晚于现在', {
          fields: [{ path: 'body.heldAt', code: 'HELD_IN_FUTURE', message: '谈话时间不能晚于现在' }],
        });
      }
      const conductorIds = [...new Set(body.conductorIds)];
      const conductors = await getCadres(conductorIds);
      const unknown = body.conductorIds.findIndex((id) => !conductors.has(id));
      if (unknown >= 0) {
        throw new ValidationError('请求内容有误，请按提示修改', {
          fields: [
            {
              path: `body.conductorIds.${unknown}`,
              code: 'UNKNOWN_REFERENCE',
              message: '谈话人不在干部名册中',
            },
          ],
        });
      }
      const at = ctx.now.toISOString();
      const stepped = settled(
        await stepTalk(params.id, TALK_STEP_FROM.record, 'held', {
          record: {
            heldAt: body.heldAt,
            place: body.place,
            conductorIds,
            conductorNames: conductorIds.map((id) => conductors.get(id)?.name ?? id),
            notes: body.notes,
            ...personOf(ctx.actor, at),
            documentId: null,
          },
          updatedAt: at,
          ...(token ? { stepToken: token } : {}),
        }),
        'record',
        token,
      );
      // The talk record (谈话记录) is rendered now; its id derives from the talk, so a retry reuses it.
      // Stored as HTML now and printed as PDF apart, like the notice.
      const { renderTalkRecord } = await talkDocuments();
      const document = await renderTalkRecord(stepped, { now: ctx.now, pdf: null });
      if (document) await handOffPrinting({ documentId: document.id }, ctx.log);
      const record =
        document && stepped.record && stepped.record.documentId !== document.id
          ? settled(
              await stepTalk(params.id, ['held'], 'held', {
                record: { ...stepped.record, documentId: document.id },
              }),
              'record',
              token,
            )
          : stepped;
      await ctx.audit({
        entityType: 'talk',
        entityId: params.id,
        action: 'record',
        changes: {
          before: { status: 'notified' },
          after: {
            status: 'held',
            heldAt: body.heldAt,
            place: body.place,
            conductorIds,
            documentId: document?.id,
          },
        },
      });
      return ok(talkView(record, ctx.now));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/talks/{id}/acknowledge',
    summary: '本人确认谈话记录并表态（仅限谈话对象本人）',
    tags: TAGS,
    roles: ['cadre'],
    params: idParams,
    body: acknowledgeTalk,
    optionalBody: true,
    responses: { 200: talkSchema, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const token = stepToken(ctx, 'acknowledge', params.id);
      const found = await getTalk(params.id);
      if (!found) throw new NotFoundError('谈话记录不存在');
      if (found.cadreId !== ctx.actor.cadreId) throw new ForbiddenError('只能对本人的谈话表态');
      refuseEarly('acknowledge', found, token);
      const at = ctx.now.toISOString();
      const statement = body.statement?.trim() ? body.statement : null;
      const record = settled(
        await stepTalk(params.id, TALK_STEP_FROM.acknowledge, 'closed', {
          acknowledgement: { at, statement },
          updatedAt: at,
          ...(token ? { stepToken: token } : {}),
        }),
        'acknowledge',
        token,
      );
      // The record document again, now with the statement (表态) in it.
      const { renderTalkRecord } = await talkDocuments();
      const document = await renderTalkRecord(record, { now: ctx.now, pdf: null });
      if (document) await handOffPrinting({ documentId: document.id }, ctx.log);
      await ctx.audit({
        entityType: 'talk',
        entityId: params.id,
        action: 'acknowledge',
        changes: { before: { status: 'held' }, after: { status: 'closed', statement } },
      });
      return ok(talkView(record, ctx.now));
    },
  }),
  talkDocumentRoute(
    '/talks/{id}/notice',
    '下载谈话通知书（本人、指挥部或所辖乡镇；format=pdf 或 html）',
    (talk) => (talk.notice?.notifiedAt ? talk.notice.id : undefined),
    '该谈话尚未发出通知书',
  ),
  talkDocumentRoute(
    '/talks/{id}/record-document',
    '下载谈话记录（本人、指挥部或所辖乡镇；format=pdf 或 html）',
    (talk) => talk.record?.documentId,
    '该谈话尚无谈话记录',
  ),
  defineRoute({
    method: 'GET',
    path: '/settings/talks',
    summary: '谈话设置：是否须经审批、通知后几日内谈话',
    tags: TAGS,
    roles: ['admin'],
    responses: { 200: talkSettingsView },
    async handle() {
      return ok(await getTalkSettings());
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/settings/talks',
    summary: '修改谈话设置（关闭审批后，考评时自动批准并发出通知书）',
    tags: TAGS,
    roles: ['admin'],
    body: talkSettings,
    responses: { 200: talkSettingsView, 400: errorBody },
    async handle({ body }, ctx) {
      const before = await getTalkSettings();
      const after = {
        approvalRequired: body.approvalRequired,
        holdWithinDays: body.holdWithinDays,
        updatedAt: ctx.now.toISOString(),
        updatedBy: ctx.actor.sub,
      };
      await putTalkSettings(after);
      await ctx.audit({
        entityType: 'settings',
        entityId: 'talks',
        action: 'update',
        changes: {
          before: { approvalRequired: before.approvalRequired, holdWithinDays: before.holdWithinDays },
          after: { approvalRequired: after.approvalRequired, holdWithinDays: after.holdWithinDays },
        },
      });
      return ok(after);
    },
  }),
];

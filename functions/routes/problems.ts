import { latestCadreWeekRecord } from '../adapters/dynamo/cadre-evaluations.ts';
import * as store from '../adapters/dynamo/problems.ts';
import { getCadre } from '../adapters/dynamo/roster.ts';
import { listRuleSets } from '../adapters/dynamo/rule-sets.ts';
import * as standingStore from '../adapters/dynamo/standing.ts';
import { derivedId, newId } from '../core/ids.ts';
import {
  type ProblemAction,
  type ProblemStatus,
  sourceStatus,
  summarizeStanding,
  transition,
  type VerificationOutcome,
} from '../core/problems.ts';
import { DEFAULT_RULE_SET, rectificationDeadline, selectRuleSet } from '../core/rules/rule-set.ts';
import { beijingDate } from '../core/time.ts';
import {
  BadRequestError,
  ConcurrentUpdateError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../errors.ts';
import { isStaff, requireSelfOrStaff } from '../http/auth.ts';
import { created, defineRoute, ok, type RequestContext } from '../http/route.ts';
import { announce, rejectionNews } from '../jobs/news-events.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import { problemRecord } from '../schemas/problem-record.ts';
import {
  createRectification,
  createVerification,
  NOTE_REQUIRED_MESSAGE,
  type Problem,
  problemListQuery,
  problemPage,
  rectificationResult,
  standing,
  verificationResult,
} from '../schemas/problems.ts';
import { searchByName } from './name-search.ts';
import { checkPhotos, claimPhotos, photoRefsFor, problemPhotos, releasePhotos } from './photo-claims.ts';
import { problemRecord as problemHistory } from './problem-history.ts';
import { listedCadre, listRoute } from './read-routes.ts';
import { byTownship, listedTownship, requireCadre, requireTownship, scopeOf } from './scope.ts';

/**
 * Problems: the cadre rectifies their own, an inspector verifies; a rejected rectification is a
 * false rectification (虚假整改) and the problem reopens. Also a cadre's standing.
 */
const TAGS = ['problems'];
const EVERYONE = ['admin', 'inspector', 'township', 'leader', 'cadre'] as const;

interface Recorded {
  eventId: string;
  at: string;
  to: ProblemStatus;
  falseRectifications: number;
  /** The problem's deadline after the event. */
  rectifyBy: string;
}

/**
 * Applies one rectification or verification exactly once:
 *   1. refuse by the rules (core) unless this very event was already applied (a retry);
 *   2. one conditional update moves the status (exclusive under concurrency);
 *   3. write the audit entry and the event item (attribute_not_exists) side by side.
 * If the update loses its condition but the stored lastEventId is ours, an earlier run applied it and
 * crashed before step 3: only a missing event (and its audit entry) is written now.
 */
async function record(
  problem: Problem,
  action: ProblemAction,
  eventId: string,
  note: string,
  ctx: RequestContext,
  /** An incomplete rejection's new deadline (整改不到位). */
  rectifyBy?: string,
  /** A rectification's photos, already claimed for `eventId` (photo-claims.ts). */
  photoIds?: readonly string[],
): Promise<Recorded> {
  if (problem.voided) throw new ConflictError('VOIDED', '该问题所属的督查已作废，不再整改或复核');
  const kind = action.kind === 'rectify' ? 'rectification' : 'verification';
  const outcome: VerificationOutcome | undefined = action.kind === 'verify' ? action.outcome : undefined;
  const rejectionKind =
    action.kind === 'verify' && outcome === 'rejected' ? (action.rejection ?? 'false') : undefined;
  const newDeadline = rejectionKind === 'incomplete' ? rectifyBy : undefined;
  // `fresh`: this run just applied the transition, so the event cannot exist yet and needs no read.
  const finish = async (at: string, current: Problem, fresh: boolean): Promise<Recorded> => {
    const rule = transition(sourceStatus(action), action);
    if (!rule.ok) throw new Error('unreachable: an action is always allowed from its source status');
    if (fresh || !(await store.getEvent(problem.id, at, eventId))) {
      await Promise.all([
        ctx.audit({
          entityType: 'problem',
          entityId: problem.id,
          action: kind === 'rectification' ? 'rectify' : 'verify',
          changes: {
            eventId,
            from: rule.from,
            to: rule.to,
            note,
            ...(outcome ? { outcome } : {}),
            ...(rejectionKind ? { kind: rejectionKind } : {}),
            ...(rule.falseRectification ? { falseRectifications: current.falseRectifications } : {}),
            ...(rule.incompleteRectification
              ? { incompleteRectifications: current.incompleteRectifications ?? 0 }
              : {}),
            ...(newDeadline ? { rectifyBy: { before: problem.rectifyBy, after: newDeadline } } : {}),
            ...(photoIds?.length ? { photoIds: [...photoIds] } : {}),
          },
        }),
        store.putEvent({
          id: eventId,
          problemId: problem.id,
          kind,
          note,
          ...(outcome ? { outcome } : {}),
          ...(rejectionKind ? { rejectionKind } : {}),
          ...(newDeadline ? { rectifyBy: newDeadline } : {}),
          ...(photoIds?.length ? { photoIds: [...photoIds] } : {}),
          at,
          by: ctx.actor.sub,
          ...(ctx.actor.name ? { byName: ctx.actor.name } : {}),
          fromStatus: rule.from,
          toStatus: rule.to,
          cadreId: problem.cadreId,
          villageId: problem.villageId,
          townshipId: problem.townshipId,
        }),
      ]);
    }
    return {
      eventId,
      at,
      to: rule.to,
      falseRectifications: current.falseRectifications,
      rectifyBy: current.rectifyBy,
    };
  };

  if (problem.lastEventId === eventId) {
    return finish(problem.lastEventAt ?? ctx.now.toISOString(), problem, false);
  }
  const rule = transition(problem.status, action);
  if (!rule.ok) throw new ConflictError(rule.code, rule.message);
  const at = ctx.now.toISOString();
  const out = await store.applyTransition({
    problem,
    eventId,
    at,
    kind,
    from: rule.from,
    to: rule.to,
    falseRectification: rule.falseRectification,
    incompleteRectification: rule.incompleteRectification,
    ...(newDeadline ? { rectifyBy: newDeadline } : {}),
  });
  if (out.applied) return finish(at, out.problem, true);
  const current = out.current;
  if (!current) throw new NotFoundError('问题不存在');
  if (current.lastEventId === eventId) return finish(current.lastEventAt ?? at, current, false);
  // Another request changed the problem first: answer by the rules against what is stored now.
  const again = transition(current.status, action);
  if (!again.ok) throw new ConflictError(again.code, again.message);
  throw new ConcurrentUpdateError('该问题刚被他人更新，请刷新后重试');
}

function eventIdFor(ctx: RequestContext, kind: string, problemId: string): string {
  return ctx.idempotencyKey === undefined
    ? newId(ctx.now)
    : derivedId(ctx.actor.sub, ctx.idempotencyKey, kind, problemId);
}

async function problemOr404(id: string): Promise<Problem> {
  const found = await store.getProblem(id);
  if (!found) throw new NotFoundError('问题不存在');
  return found;
}

export const problemsRoutes = [
  defineRoute({
    method: 'POST',
    path: '/problems/{id}/rectifications',
    summary: '干部报告本人问题的整改情况（问题转为待复核）',
    tags: TAGS,
    roles: ['cadre'],
    params: idParams,
    body: createRectification,
    responses: { 201: rectificationResult, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const problem = await problemOr404(params.id);
      if (problem.cadreId !== ctx.actor.cadreId) throw new ForbiddenError('只能对本人的问题报告整改');
      const eventId = eventIdFor(ctx, 'rectification', problem.id);
      const photoIds = body.photoIds ?? [];
      // Photos: every one checked and decoded first; claimed only once the rectification may be recorded.
      const photos = photoIds.length
        ? await checkPhotos(
            ctx.actor,
            'rectification',
            [{ path: 'body.photoIds', ids: photoIds }],
            new Map(photoIds.map((id) => [id, eventId])),
          )
        : undefined;
      if (photos?.issues.length)
        throw new ValidationError('请求内容有误，请按提示修改', { fields: photos.issues });
      if (photos) {
        if (problem.lastEventId !== eventId) {
          const allowed = transition(problem.status, { kind: 'rectify' });
          if (!allowed.ok) throw new ConflictError(allowed.code, allowed.message);
        }
        await claimPhotos(
          photos,
          [
            {
              ids: photoIds,
              claimRef: eventId,
              subject: {
                kind: 'rectification',
                id: eventId,
                problemId: problem.id,
                cadreId: problem.cadreId,
              },
            },
          ],
          ctx,
        );
      }
      let done: Recorded;
      try {
        done = await record(problem, { kind: 'rectify' }, eventId, body.note, ctx, undefined, photoIds);
      } catch (error) {
        if (photos) await releasePhotos(photos, eventId);
        throw error;
      }
      return created({
        id: done.eventId,
        problemId: problem.id,
        note: body.note,
        at: done.at,
        status: done.to,
        ...(photoIds.length ? { photos: await photoRefsFor(photoIds, ctx.now) } : {}),
      });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/problems/{id}/verifications',
    summary:
      '督查组复核整改：accepted 销号；rejected 须写复核意见（note），并说明类型 kind：incomplete 整改不到位（新的整改期限，不计虚假整改）或 false 虚假整改（不填即 false），问题重新待整改',
    tags: TAGS,
    roles: ['inspector'],
    params: idParams,
    body: createVerification,
    responses: { 201: verificationResult, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      // 1. A rejection says why (NOTE_REQUIRED) and what kind; no kind is 虚假整改, as before kinds.
      const rejected = body.outcome === 'rejected';
      if (rejected && body.note.trim() === '') {
        throw new BadRequestError('NOTE_REQUIRED', NOTE_REQUIRED_MESSAGE, {
          fields: [{ path: 'body.note', code: 'NOTE_REQUIRED', message: NOTE_REQUIRED_MESSAGE }],
        });
      }
      const kind = rejected ? (body.kind ?? 'false') : undefined;
      const today = beijingDate(ctx.now);
      if (body.rectifyBy !== undefined && body.rectifyBy < today) {
        throw new ValidationError('请求内容有误，请按提示修改', {
          fields: [
            { path: 'body.rectifyBy', code: 'DATE_IN_PAST', message: `新的整改期限不能早于今天（${today}）` },
          ],
        });
      }
      const problem = await problemOr404(params.id);
      // 2. 整改不到位 gets a new deadline: the one given, else the rule set's days for the severity.
      let rectifyBy: string | undefined;
      if (kind === 'incomplete') {
        rectifyBy = body.rectifyBy;
        if (rectifyBy === undefined) {
          const rules = selectRuleSet(await listRuleSets(), today) ?? DEFAULT_RULE_SET;
          rectifyBy = rectificationDeadline(rules, today, problem.severity);
        }
      }
      const action = { kind: 'verify', outcome: body.outcome, rejection: kind } as const;
      const eventId = eventIdFor(ctx, 'verification', problem.id);
      const done = await record(problem, action, eventId, body.note, ctx, rectifyBy);
      if (rejected) {
        // The cadre hears at once why, and by when (docs/news.md); keyed by the verification.
        const after = (await store.getProblem(problem.id)) ?? problem;
        await announce(
          rejectionNews({
            problem: after,
            verificationId: done.eventId,
            at: done.at,
            note: body.note,
            kind,
          }),
          ctx.log,
        );
      }
      return created({
        id: done.eventId,
        problemId: problem.id,
        outcome: body.outcome,
        ...(kind ? { kind } : {}),
        rectifyBy: done.rectifyBy,
        note: body.note,
        at: done.at,
        problemStatus: done.to,
        falseRectifications: done.falseRectifications,
      });
    },
  }),
  listRoute({
    path: '/problems',
    summary: '问题列表（按干部、村、乡镇、状态、等级、发现日期筛选，最新在前；干部只能看本人的）',
    tags: TAGS,
    roles: EVERYONE,
    query: problemListQuery,
    page: problemPage,
    errors: [400, 403],
    async list(query, ctx) {
      const { limit, next, overdue, q, ...filter } = query;
      const scope = await scopeOf(ctx.actor, ctx.now);
      // A township's staff or a leader: the problems found in their township.
      if (byTownship(scope)) filter.townshipId = listedTownship(scope, filter.townshipId);
      else filter.cadreId = listedCadre(ctx.actor, filter.cadreId, isStaff(ctx.actor), '只能查看本人的问题');
      const overdueBefore = overdue ? beijingDate(ctx.now) : undefined;
      return store.listProblems({ ...filter, overdueBefore }, limit, next, await searchByName(q));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/problems/{id}',
    summary: '问题详情与全部经过：发现该问题的督查、整改、复核记录，涉及的文书',
    tags: TAGS,
    roles: EVERYONE,
    params: idParams,
    responses: { 200: problemRecord, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const problem = await problemOr404(params.id);
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) requireTownship(scope, problem.townshipId);
      else requireSelfOrStaff(ctx.actor, problem.cadreId);
      const { events, extensions } = await store.listHistory(problem.id);
      const pictured = await problemPhotos(problem, events, ctx.now);
      return ok({
        ...(await problemHistory(problem, pictured.events, ctx)),
        photos: pictured.photos,
        extensions,
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/cadres/{id}/standing',
    summary: '干部当前状况：未销号问题、虚假整改次数、逾期未完成的派遣任务，及最近一周考评的档次与进退严圈',
    tags: TAGS,
    roles: EVERYONE,
    params: idParams,
    responses: { 200: standing, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) await requireCadre(scope, ctx.actor, params.id, ctx.now);
      else requireSelfOrStaff(ctx.actor, params.id);
      const asOf = ctx.now.toISOString();
      const [cadre, unresolved, closed, overdue, evaluation] = await Promise.all([
        getCadre(params.id),
        standingStore.cadreProblems(params.id, 'unresolved'),
        standingStore.cadreProblems(params.id, 'closed'),
        standingStore.overdueDispatches(params.id, asOf),
        latestCadreWeekRecord(params.id),
      ]);
      if (!cadre) throw new NotFoundError('干部不存在');
      const counts = summarizeStanding(unresolved, closed, overdue.length, beijingDate(ctx.now));
      const openProblems = [...unresolved].sort(
        (a, b) => a.rectifyBy.localeCompare(b.rectifyBy) || a.id.localeCompare(b.id),
      );
      return ok({
        cadreId: params.id,
        asOf,
        openProblems,
        openProblemCount: unresolved.length,
        falseRectifications: {
          total: counts.falseRectifications,
          onOpenProblems: unresolved.reduce((n, p) => n + (p.falseRectifications || 0), 0),
        },
        overdueDispatches: overdue,
        counts,
        evaluation: evaluation ?? null,
      });
    },
  }),
];

import {
  applyExtension,
  deleteExtensionItem,
  getProblem,
  listHistory,
  putExtensionItem,
} from '../adapters/dynamo/problems.ts';
import { derivedId, newId } from '../core/ids.ts';
import { extensionIssues } from '../core/problems.ts';
import { beijingDate } from '../core/time.ts';
import { ConcurrentUpdateError, ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { created, defineRoute, type RequestContext } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  createExtension,
  type Problem,
  type ProblemExtension,
  problemExtension,
} from '../schemas/problems.ts';

/**
 * Deadline extensions (延期), HQ only: `POST /problems/{id}/extensions` `{rectifyBy, reason}` moves an
 * unresolved problem's deadline later. Steps, each safe to repeat:
 *   1. refuse a closed or voided problem (409) and a date that is not later than the deadline or lies
 *      before today (400, Chinese messages);
 *   2. write the extension's history item (its id derived from the Idempotency-Key), then move the
 *      deadline with one update guarded by the deadline read in step 1; if that guard fails (someone
 *      moved it meanwhile) the item is taken back and the caller gets 409;
 *   3. audit before and after.
 * The overdue sweep and the pages read the problem's `rectifyBy`, so they follow at once; the weekly
 * evaluation reads the extension as a dated deadline change.
 */
const TAGS = ['problems'];

function extensionIdFor(ctx: RequestContext, problemId: string): string {
  return ctx.idempotencyKey === undefined
    ? newId(ctx.now)
    : derivedId(ctx.actor.sub, ctx.idempotencyKey, 'extension', problemId);
}

function refuseState(problem: Problem): void {
  if (problem.voided) throw new ConflictError('VOIDED', '该问题所属的督查已作废，不能延期');
  if (problem.status === 'closed') throw new ConflictError('NOT_OPEN', '该问题已销号，无需延期');
}

async function audit(ctx: RequestContext, e: ProblemExtension): Promise<void> {
  await ctx.audit({
    entityType: 'problem',
    entityId: e.problemId,
    action: 'extend',
    changes: {
      extensionId: e.id,
      reason: e.reason,
      before: { rectifyBy: e.from },
      after: { rectifyBy: e.rectifyBy },
    },
  });
}

export const extensionRoutes = [
  defineRoute({
    method: 'POST',
    path: '/problems/{id}/extensions',
    summary: '延长问题的整改期限（指挥部）：新期限须晚于原期限且不早于今天，写明原因；逾期提醒按新期限',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: createExtension,
    responses: { 201: problemExtension, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const problem = await getProblem(params.id);
      if (!problem) throw new NotFoundError('问题不存在');
      const id = extensionIdFor(ctx, problem.id);

      // A retry whose first attempt wrote its history item: finish what that attempt began.
      if (!ctx.firstAttempt) {
        const earlier = (await listHistory(problem.id)).extensions.find((e) => e.id === id);
        if (earlier) {
          if (problem.rectifyBy === earlier.from) await applyExtension({ problem, extension: earlier });
          await audit(ctx, earlier);
          return created(earlier);
        }
      }

      // 1. What may be extended, and to when.
      refuseState(problem);
      const today = beijingDate(ctx.now);
      const issues = extensionIssues(problem, body.rectifyBy, today);
      if (issues.length) throw new ValidationError('请求内容有误，请按提示修改', { fields: issues });

      // 2. The history item, then the guarded move.
      const extension: ProblemExtension = {
        id,
        problemId: problem.id,
        at: ctx.now.toISOString(),
        by: ctx.actor.sub,
        ...(ctx.actor.name ? { byName: ctx.actor.name } : {}),
        from: problem.rectifyBy,
        rectifyBy: body.rectifyBy,
        reason: body.reason,
      };
      await putExtensionItem(problem, extension);
      const moved = await applyExtension({ problem, extension });
      if (!moved) {
        await deleteExtensionItem(problem.id, extension);
        const current = await getProblem(problem.id);
        if (!current) throw new NotFoundError('问题不存在');
        refuseState(current);
        throw new ConcurrentUpdateError('该问题的整改期限刚被他人修改，请刷新后重试');
      }

      // 3. The trail.
      await audit(ctx, extension);
      return created(extension);
    },
  }),
];

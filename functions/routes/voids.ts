import { getFinalHead } from '../adapters/dynamo/evaluations.ts';
import * as store from '../adapters/dynamo/inspections.ts';
import { getProblems, markProblemVoided } from '../adapters/dynamo/problems.ts';
import { derivedId, newId } from '../core/ids.ts';
import { weekEndInstant } from '../core/rules/calendar.ts';
import { isoWeekOf } from '../core/time.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { created, defineRoute, type RequestContext } from '../http/route.ts';
import { runIdOf } from '../jobs/catalogue.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import { inspectionVoided, voidInspectionBody } from '../schemas/inspections.ts';
import { startJobRun } from './jobs.ts';

/**
 * Voiding an inspection (作废), HQ only: an inspection recorded in error stops counting, and so do its
 * problems and headcount, in standing, the board, bulletins, the rules and the ledger; the trail keeps
 * everything (GET shows `voided: {at, by, reason}`). Steps:
 *   1. one conditional update sets `voided` on the header unless it is there (a second void is 409;
 *      a retry of this request, recognised by the derived void id, carries on from step 2);
 *   2. flag its findings and move its problems out of the live indexes (both idempotent);
 *   3. audit the inspection and each problem, before and after;
 *   4. if its week was already evaluated, re-evaluate it as a revision (修订): the weekly-bulletin job
 *      for that week, queued and started like POST /jobs/weekly-bulletin, which also re-evaluates
 *      the later evaluated weeks and sends the revised bulletin marked as such.
 */
const TAGS = ['inspections'];

function voidIdFor(ctx: RequestContext, inspectionId: string): string {
  return ctx.idempotencyKey === undefined
    ? newId(ctx.now)
    : derivedId(ctx.actor.sub, ctx.idempotencyKey, 'void', inspectionId);
}

/** The week needs a revision only once it has a final evaluation; the current week is provisional. */
async function revisionDue(week: string, now: Date): Promise<boolean> {
  if (Date.parse(weekEndInstant(week)) > now.getTime()) return false;
  return (await getFinalHead(week)) !== undefined;
}

export const voidRoutes = [
  defineRoute({
    method: 'POST',
    path: '/inspections/{id}/void',
    summary:
      '作废一次督查（指挥部）：该次督查及其问题、在岗情况不再计入考评、红黄绿、通报与台账，记录保留；已考评的周重新考评为修订版',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: voidInspectionBody,
    responses: { 201: inspectionVoided, 400: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const found = await store.getInspection(params.id);
      if (!found) throw new NotFoundError('督查记录不存在');
      const voidId = voidIdFor(ctx, params.id);
      const voided = { id: voidId, at: ctx.now.toISOString(), by: ctx.actor.sub, reason: body.reason };

      // 1. The header: exactly one void wins.
      const out = await store.voidInspectionHeader(params.id, voided);
      if (!out) throw new NotFoundError('督查记录不存在');
      const stored = out.header.voided;
      if (!out.applied && stored?.id !== voidId) {
        throw new ConflictError('ALREADY_VOIDED', '该督查记录已经作废，不能再次作废');
      }
      const applied = stored ?? voided;

      // 2. Findings and problems leave what counts.
      const problems = await getProblems(found.header.problemIds ?? []);
      const problemVoid = {
        at: applied.at,
        by: applied.by,
        reason: applied.reason,
        inspectionId: params.id,
      };
      await Promise.all([
        store.markFindingsVoided(found.findings),
        ...[...problems.values()].map((p) => markProblemVoided(p, problemVoid)),
      ]);

      // 3. The trail: before and after, for the inspection and each problem.
      const after = { at: applied.at, by: applied.by, reason: applied.reason };
      await Promise.all([
        ctx.audit({
          entityType: 'inspection',
          entityId: params.id,
          action: 'void',
          changes: { voidId: applied.id, before: { voided: null }, after: { voided: after } },
        }),
        ...[...problems.values()].map((p) =>
          ctx.audit({
            entityType: 'problem',
            entityId: p.id,
            action: 'void',
            changes: {
              inspectionId: params.id,
              before: { voided: null, status: p.status },
              after: { voided: after, status: p.status },
            },
          }),
        ),
      ]);

      // 4. A week already evaluated is evaluated again: a new revision, never an overwrite.
      const week = isoWeekOf(found.header.date);
      const run = (await revisionDue(week, ctx.now)) ? await startJobRun('weekly-bulletin', week, ctx) : null;

      return created({
        ...found.header,
        voided: applied,
        findings: found.findings.map((f) => ({
          cadreId: f.cadreId,
          present: f.present,
          ...(f.presence ? { presence: f.presence } : {}),
          commend: f.commend,
          ...(f.dispatchId !== undefined ? { dispatchId: f.dispatchId } : {}),
          ...(f.note !== undefined ? { note: f.note } : {}),
          problemIds: f.problemIds,
          problems: f.problemIds.flatMap((id) => {
            const p = problems.get(id);
            return p
              ? [
                  {
                    id: p.id,
                    description: p.description,
                    severity: p.severity,
                    rectifyBy: p.rectifyBy,
                    status: p.status,
                    falseRectifications: p.falseRectifications,
                  },
                ]
              : [];
          }),
        })),
        reevaluation: run ? { week, runId: runIdOf(run.job, run.runKey) } : null,
      });
    },
  }),
];

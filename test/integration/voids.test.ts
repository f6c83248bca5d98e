import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStoredEvaluation } from '../../functions/adapters/dynamo/evaluations.ts';
import { overdueOpenProblems } from '../../functions/adapters/dynamo/sweep.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { createRoster } from '../support/county.ts';
import { waitForRun } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * POST /inspections/{id}/void: the inspection and its problems stop counting, the trail keeps them,
 * and an evaluated week is evaluated again as a revision.
 */
let t: TestStack;
let admin: Caller;
let inspector: Caller;

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
});
afterAll(async () => {
  await t.stop();
});

const today = () => beijingDate(new Date());

/** An inspection with one cadre 不在岗 and two problems (one overdue), on `date`. */
async function inspection(date = today()) {
  const { villageId, cadreIds, townshipId } = await createRoster(admin, { cadres: 2, category: 'general' });
  const [a, b] = cadreIds as [string, string];
  const res = await inspector.post('/inspections', {
    villageId,
    date,
    mode: 'covert',
    findings: [
      {
        cadreId: a,
        presence: 'absent',
        problems: [
          { description: '台账缺失', severity: 'major', rectifyBy: date },
          { description: '值班无人', severity: 'minor' },
        ],
      },
      { cadreId: b, presence: 'present' },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, problemIds: res.body.problemIds as string[], cadreId: a, townshipId };
}

const voidIt = (id: string, body: unknown, headers?: Record<string, string>, who = admin) =>
  who.post(`/inspections/${id}/void`, body, headers);

describe('who may void, and how', () => {
  it('only HQ: an inspector and a cadre get 403 and nothing changes', async () => {
    const ins = await inspection();
    const cadre = await t.as('cadre', ins.cadreId);
    expect((await voidIt(ins.id, { reason: '误录' }, undefined, inspector)).status).toBe(403);
    expect((await voidIt(ins.id, { reason: '误录' }, undefined, cadre)).status).toBe(403);
    expect((await admin.get(`/inspections/${ins.id}`)).body.voided).toBeUndefined();
  });

  it('needs a reason (400, Chinese) and a known inspection (404)', async () => {
    const ins = await inspection();
    for (const body of [{}, { reason: '' }, { reason: '   ' }]) {
      const res = await voidIt(ins.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.fields[0].path).toBe('body.reason');
      expect(res.body.error.fields[0].message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect((await admin.get(`/inspections/${ins.id}`)).body.voided).toBeUndefined();
    expect((await voidIt('NOPE', { reason: '误录' })).status).toBe(404);
  });
});

describe('a voided inspection', () => {
  it('stops counting but stays on record: GET shows who, when and why; lists and standing leave it out', async () => {
    const ins = await inspection(addDays(today(), -3));
    const before = await admin.get(`/cadres/${ins.cadreId}/standing`);
    expect(before.body.openProblemCount).toBe(2);
    expect((await overdueOpenProblems(today())).map((p) => p.id)).toContain(ins.problemIds[0]);

    const res = await voidIt(ins.id, { reason: '督查组误将邻村情况记入本村' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.voided).toMatchObject({ by: admin.sub, reason: '督查组误将邻村情况记入本村' });
    expect(res.body.reevaluation).toBeNull();

    const got = (await admin.get(`/inspections/${ins.id}`)).body;
    expect(got.voided).toMatchObject({ by: admin.sub, reason: '督查组误将邻村情况记入本村' });
    expect(Number.isNaN(Date.parse(got.voided.at))).toBe(false);
    expect(got.findings).toHaveLength(2);
    expect((await admin.get(`/inspections?townshipId=${ins.townshipId}`)).body.items[0].voided).toBeDefined();

    for (const id of ins.problemIds) {
      const p = (await admin.get(`/problems/${id}`)).body;
      expect(p.status).toBe('open');
      expect(p.voided).toMatchObject({ inspectionId: ins.id, reason: '督查组误将邻村情况记入本村' });
    }
    const after = await admin.get(`/cadres/${ins.cadreId}/standing`);
    expect(after.body.openProblemCount).toBe(0);
    const open = await admin.get(`/problems?townshipId=${ins.townshipId}&status=open`);
    expect(open.body.items).toEqual([]);
    const mine = await admin.get(`/problems?cadreId=${ins.cadreId}&status=open`);
    expect(mine.body.items).toEqual([]);
    expect((await overdueOpenProblems(today())).map((p) => p.id)).not.toContain(ins.problemIds[0]);

    // The cadre can no longer rectify a voided problem.
    const cadre = await t.as('cadre', ins.cadreId);
    const rect = await cadre.post(`/problems/${ins.problemIds[0]}/rectifications`, { note: '已整改' });
    expect(rect.status).toBe(409);
    expect(rect.body.error.code).toBe('VOIDED');
  });

  it('is audited with before and after, for the inspection and each problem', async () => {
    const ins = await inspection();
    expect((await voidIt(ins.id, { reason: '重复录入' })).status).toBe(201);
    const audit = await admin.get(`/audit?entityType=inspection&entityId=${ins.id}`);
    const entry = audit.body.items.find((a: { action: string }) => a.action === 'void');
    expect(entry.changes).toMatchObject({
      before: { voided: null },
      after: { voided: { reason: '重复录入' } },
    });
    for (const id of ins.problemIds) {
      const trail = await admin.get(`/audit?entityType=problem&entityId=${id}`);
      expect(trail.body.items.some((a: { action: string }) => a.action === 'void')).toBe(true);
    }
  });

  it('voiding twice is 409; a retry of the same request (same Idempotency-Key) is not', async () => {
    const ins = await inspection();
    const key = uid('void-');
    const first = await voidIt(ins.id, { reason: '重复录入' }, { 'Idempotency-Key': key });
    const retry = await voidIt(ins.id, { reason: '重复录入' }, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.voided).toEqual(first.body.voided);
    const twice = await voidIt(ins.id, { reason: '再次作废' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ALREADY_VOIDED');
    expect(twice.body.error.message).toMatch(/已经作废/);
    expect((await admin.get(`/inspections/${ins.id}`)).body.voided.reason).toBe('重复录入');
  });
});

describe('an evaluated week', () => {
  it('is evaluated again as a new revision without the voided problems and absence', async () => {
    const lastWeekDay = addDays(today(), -7);
    const week = isoWeekOf(lastWeekDay);
    const ins = await inspection(lastWeekDay);
    const first = await evaluateAndStoreWeek(week, { now: new Date() });
    const cadreBefore = first.evaluation.cadres.find((c) => c.cadreId === ins.cadreId);
    // Two open problems and one absence (rule set version 1: each counts once).
    expect(cadreBefore?.weightedCount).toBe(3);
    expect(first.evaluation.absences.some((a) => a.inspectionId === ins.id)).toBe(true);

    const res = await voidIt(ins.id, { reason: '督查日期录错' });
    expect(res.status).toBe(201);
    expect(res.body.reevaluation).toMatchObject({ week });
    const run = await waitForRun((p) => admin.get(p), res.body.reevaluation.runId);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');

    const stored = await getStoredEvaluation(week);
    expect(stored?.revision).toBe(first.revision + 1);
    expect(stored?.revised).toBe(true);
    const cadreAfter = stored?.evaluation.cadres.find((c) => c.cadreId === ins.cadreId);
    expect(cadreAfter?.weightedCount).toBe(0);
    expect(stored?.evaluation.problems.some((p) => ins.problemIds.includes(p.problemId))).toBe(false);
    expect(stored?.evaluation.absences.some((a) => a.inspectionId === ins.id)).toBe(false);
    // The earlier revision is kept: a revision, never an overwrite.
    expect((await admin.get(`/bulletins/${week}`)).status).toBe(200);
  });
});

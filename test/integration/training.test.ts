import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStoredEvaluation } from '../../functions/adapters/dynamo/evaluations.ts';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { putRuleSet } from '../../functions/adapters/dynamo/rule-sets.ts';
import { queryAll } from '../../functions/adapters/dynamo/table.ts';
import { DEFAULT_RULE_SET, weekBounds } from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { createAll } from '../support/county.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * 干部营养餐: a session's roster comes from last week's training candidates; HQ marks attendance and
 * completion (audited before/after, retry-safe); cadres see their own rows. With a rule set that
 * requires training to leave the circle, a candidate whose problems are all verified stays in the
 * circle (and the standing says why) until a completion is recorded.
 */
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let admin: Caller;
let inspector: Caller;
let heavyCaller: Caller;
let lightCaller: Caller;

const today = beijingDate(new Date());
const thisWeek = isoWeekOf(today);
const lastWeek = isoWeekOf(addDays(today, -7));
const township = uid('T');
const village = uid('V');
const heavy = uid('C'); // five problems last week: admonishment talk, a training candidate
const light = uid('C'); // one problem: self-criticism, not a candidate
let heavyProblems: string[] = [];

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  await createAll(admin, [
    ['/townships', { id: township, name: '培训乡' }],
    ['/villages', { id: village, name: '培训村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: heavy, name: '周诫勉', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: light, name: '吴检讨', unit: '县林业局', rank: 'staff', townshipId: township }],
    ['/assignments', { cadreId: heavy, villageId: village, role: 'chief', from: addDays(today, -30) }],
    ['/assignments', { cadreId: light, villageId: village, role: 'member', from: addDays(today, -30) }],
  ]);
  const problems = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ description: `抗旱台账缺失${i + 1}`, severity: 'minor' }));
  const inspection = await inspector.post('/inspections', {
    villageId: village,
    date: addDays(weekBounds(lastWeek).monday, 2),
    mode: 'covert',
    findings: [
      { cadreId: heavy, presence: 'present', problems: problems(5) },
      { cadreId: light, presence: 'present', problems: problems(1) },
    ],
  });
  expect(inspection.status).toBe(201);
  heavyProblems = (inspection.body.problemIds as string[]).slice(0, 5);
  // Version 2 requires training to leave the circle, in force from last week (written directly: the
  // API only publishes rules for weeks to come).
  await putRuleSet({
    ...DEFAULT_RULE_SET,
    version: 2,
    effectiveFrom: weekBounds(lastWeek).monday,
    remedialTraining: { ...DEFAULT_RULE_SET.remedialTraining, completionRequiredToLeave: true },
  });
  await evaluateAndStoreWeek(lastWeek, { now: new Date() });
  heavyCaller = await t.as('cadre', heavy);
  lightCaller = await t.as('cadre', light);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

let trainingId = '';

describe('POST /trainings', () => {
  it('proposes the roster from last week’s training candidates, with why', async () => {
    const res = await admin.post(
      '/trainings',
      { title: '第一期干部营养餐培训', date: today, place: '县委党校' },
      { 'Idempotency-Key': `training-${heavy}` },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: '第一期干部营养餐培训', week: lastWeek, place: '县委党校' });
    expect(res.body.roster).toEqual([
      expect.objectContaining({
        cadreId: heavy,
        name: '周诫勉',
        proposed: true,
        reasons: ['tier'],
        attended: null,
        completed: false,
      }),
    ]);
    expect(res.body.counts).toEqual({ roster: 1, attended: 0, completed: 0 });
    trainingId = res.body.id;
    const audit = await admin.get(`/audit?entityType=training&entityId=${trainingId}`);
    expect(audit.body.items).toEqual([
      expect.objectContaining({ action: 'create', changes: expect.objectContaining({ proposed: [heavy] }) }),
    ]);
  });

  it('a retry with the same key creates nothing more', async () => {
    const again = await admin.post(
      '/trainings',
      { title: '第一期干部营养餐培训', date: today, place: '县委党校' },
      { 'Idempotency-Key': `training-${heavy}` },
    );
    expect(again.body.id).toBe(trainingId);
    expect(await queryAll({ index: 'GSI1', partition: keys.trainingList() })).toHaveLength(1);
  });

  it.each([
    ['no title', { title: '  ', date: today }, 'body.title', '不能为空'],
    [
      'a week not evaluated',
      { title: '培训', date: today, week: isoWeekOf(addDays(today, -28)) },
      'body.week',
      '尚未考评',
    ],
    [
      'a week not before the session',
      { title: '培训', date: today, week: thisWeek },
      'body.week',
      '之后举办',
    ],
    ['a bad date', { title: '培训', date: '2026-02-30' }, 'body.date', '日期不存在'],
  ])('refuses %s, in Chinese, writing nothing', async (_what, body, path, words) => {
    const res = await admin.post('/trainings', body);
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(words) })]),
    );
    expect(await queryAll({ index: 'GSI1', partition: keys.trainingList() })).toHaveLength(1);
  });

  it('is HQ’s alone', async () => {
    expect((await inspector.post('/trainings', { title: '培训', date: today })).status).toBe(403);
    expect((await heavyCaller.post('/trainings', { title: '培训', date: today })).status).toBe(403);
  });
});

describe('POST /trainings/{id}/attendance', () => {
  it('refuses a completion without attendance, an unknown cadre and an unknown session', async () => {
    const noShow = await admin.post(`/trainings/${trainingId}/attendance`, {
      cadreId: heavy,
      attended: false,
      completed: true,
    });
    expect(noShow.status).toBe(400);
    expect(noShow.body.error.fields).toEqual([
      expect.objectContaining({
        path: 'body.completed',
        code: 'COMPLETED_WITHOUT_ATTENDANCE',
        message: '未参加培训的不能记为结业',
      }),
    ]);
    const nobody = await admin.post(`/trainings/${trainingId}/attendance`, {
      cadreId: 'NOBODY1',
      attended: true,
      completed: false,
    });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error.fields[0]).toMatchObject({ path: 'body.cadreId', message: '干部不存在' });
    const missing = await admin.post('/trainings/NOSUCH1/attendance', {
      cadreId: heavy,
      attended: true,
      completed: false,
    });
    expect(missing.status).toBe(404);
    expect((await admin.get(`/trainings/${trainingId}`)).body.counts).toEqual({
      roster: 1,
      attended: 0,
      completed: 0,
    });
  });

  it('marks attendance, adds someone off the roster, and audits before and after', async () => {
    const first = await admin.post(`/trainings/${trainingId}/attendance`, {
      cadreId: heavy,
      attended: true,
      completed: false,
    });
    expect(first.status).toBe(200);
    expect(first.body.roster.find((r: { cadreId: string }) => r.cadreId === heavy)).toMatchObject({
      attended: true,
      completed: false,
      markedBy: admin.sub,
    });
    const added = await admin.post(`/trainings/${trainingId}/attendance`, {
      cadreId: light,
      attended: true,
      completed: true,
    });
    expect(added.body.roster.find((r: { cadreId: string }) => r.cadreId === light)).toMatchObject({
      proposed: false,
      completed: true,
    });
    expect(added.body.counts).toEqual({ roster: 2, attended: 2, completed: 1 });
    // The same mark again writes nothing and audits nothing.
    await admin.post(`/trainings/${trainingId}/attendance`, {
      cadreId: light,
      attended: true,
      completed: true,
    });
    const audit = await admin.get(`/audit?entityType=training&entityId=${trainingId}`);
    const marks = audit.body.items.filter((i: { action: string }) => i.action === 'attendance');
    expect(marks).toHaveLength(2);
    expect(marks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          changes: {
            cadreId: heavy,
            before: { attended: null, completed: false },
            after: { attended: true, completed: false },
          },
        }),
      ]),
    );
  });

  it('is HQ’s alone', async () => {
    const res = await heavyCaller.post(`/trainings/${trainingId}/attendance`, {
      cadreId: heavy,
      attended: true,
      completed: true,
    });
    expect(res.status).toBe(403);
  });
});

describe('GET /trainings', () => {
  it('lists sessions, and a cadre’s own rows', async () => {
    const all = await admin.get('/trainings');
    expect(all.body.items.map((s: { id: string }) => s.id)).toEqual([trainingId]);
    const mine = await heavyCaller.get('/trainings');
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      expect.objectContaining({
        id: trainingId,
        attendance: expect.objectContaining({ cadreId: heavy, attended: true }),
      }),
    ]);
    expect((await heavyCaller.get(`/trainings?cadreId=${light}`)).status).toBe(403);
    const added = await lightCaller.get('/trainings');
    expect(added.body.items).toEqual([
      expect.objectContaining({
        attendance: expect.objectContaining({ cadreId: light, proposed: false, completed: true }),
      }),
    ]);
    expect((await heavyCaller.get(`/trainings/${trainingId}`)).status).toBe(403);
  });
});

describe('rules: completion as a condition for leaving the circle', () => {
  it('keeps a candidate in the circle until they complete a session, and says why', async () => {
    // Every problem rectified and verified this week: by the tier alone the cadre would leave.
    for (const id of heavyProblems) {
      expect((await heavyCaller.post(`/problems/${id}/rectifications`, { note: '已补齐台账' })).status).toBe(
        201,
      );
      expect((await inspector.post(`/problems/${id}/verifications`, { outcome: 'accepted' })).status).toBe(
        201,
      );
    }
    await evaluateAndStoreWeek(thisWeek, { now: new Date() });
    let e = (await getStoredEvaluation(thisWeek))?.evaluation.cadres.find((c) => c.cadreId === heavy);
    expect(e).toMatchObject({
      tier: 'none',
      circle: { member: true, movement: 'stayed', weeks: 2, held: { reason: 'trainingIncomplete' } },
    });
    expect(e?.remedialTraining).toContain('trainingIncomplete');
    expect(e?.explanation).toContain('须完成“干部营养餐”培训方可出圈');

    // Completed: the next evaluation lets them out.
    await admin.post(`/trainings/${trainingId}/attendance`, {
      cadreId: heavy,
      attended: true,
      completed: true,
    });
    await evaluateAndStoreWeek(thisWeek, { now: new Date() });
    e = (await getStoredEvaluation(thisWeek))?.evaluation.cadres.find((c) => c.cadreId === heavy);
    expect(e).toMatchObject({ tier: 'none', circle: { member: false, movement: 'exited' } });
    expect(e?.circle.held).toBeUndefined();
  }, 120_000);

  it('a cadre who was never a candidate is not held', async () => {
    const e = (await getStoredEvaluation(thisWeek))?.evaluation.cadres.find((c) => c.cadreId === light);
    expect(e?.circle.member).toBe(false);
    expect(e?.circle.held).toBeUndefined();
  });
});

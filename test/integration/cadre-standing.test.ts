import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cadreWeekRevision,
  latestCadreWeekRecord,
  putCadreWeekRecords,
} from '../../functions/adapters/dynamo/cadre-evaluations.ts';
import { keys } from '../../functions/adapters/dynamo/keys.ts';
import { deleteItem, getItem } from '../../functions/adapters/dynamo/table.ts';
import {
  DEFAULT_RULE_SET,
  evaluateWeek,
  weekBounds,
  weekEndInstant,
} from '../../functions/core/rules/index.ts';
import { addDays, beijingDate, isoWeekOf } from '../../functions/core/time.ts';
import { evaluateAndStoreWeek } from '../../functions/jobs/evaluate-week.ts';
import { createAll } from '../support/county.ts';
import { runJobNow } from '../support/jobs.ts';
import { type Caller, startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * "My standing": the weekly job copies each cadre's tier, circle and reasons out of a finished week's
 * evaluation into one small item (CADR#<id> / EVAL#<week>), and GET /cadres/{id}/standing returns the
 * latest one as `evaluation`. Weeks are relative to today: A two weeks ago, B last week, C this week.
 */
// The job renders its documents as HTML only here: the PDFs are not what this suite is about.
process.env.PDF_RENDERER = 'off';

let t: TestStack;
let admin: Caller;
let inspector: Caller;
let me: Caller;
let colleague: Caller;

const today = beijingDate(new Date());
const weekC = isoWeekOf(today);
const weekB = isoWeekOf(addDays(today, -7));
const weekA = isoWeekOf(addDays(today, -14));
const mondayOf = (week: string) => weekBounds(week).monday;

const township = uid('T');
const village = uid('V');
const cadre = uid('C');
const other = uid('C');
let firstProblems: string[] = [];

async function inspect(date: string, findings: { cadreId: string; problems: number; commend?: boolean }[]) {
  const res = await inspector.post('/inspections', {
    villageId: village,
    date,
    mode: 'open',
    findings: findings.map((f) => ({
      cadreId: f.cadreId,
      present: true,
      ...(f.commend ? { commend: true } : {}),
      problems: Array.from({ length: f.problems }, (_, i) => ({
        description: `村道垃圾未清理${i + 1}`,
        severity: 'minor',
      })),
    })),
  });
  expect(res.status).toBe(201);
  return res.body.problemIds as string[];
}

/** The weekly job over HTTP, as an administrator runs it by hand. */
async function runWeeklyJob(week: string) {
  const run = await runJobNow(admin, 'weekly-bulletin', { week });
  expect(run).toMatchObject({ status: 'succeeded', week });
  return run.summary as { revision: number; revised: boolean };
}

beforeAll(async () => {
  t = await startTestStack();
  admin = await t.as('admin');
  inspector = await t.as('inspector');
  const setup: Array<[string, unknown]> = [
    ['/townships', { id: township, name: '青石乡' }],
    ['/villages', { id: village, name: '红旗村', townshipId: township, category: 'deep' }],
    ['/cadres', { id: cadre, name: '李明', unit: '县水务局', rank: 'section', townshipId: township }],
    ['/cadres', { id: other, name: '王芳', unit: '县农业农村局', rank: 'staff', townshipId: township }],
    ['/assignments', { cadreId: cadre, villageId: village, role: 'chief' }],
    ['/assignments', { cadreId: other, villageId: village, role: 'member' }],
  ];
  await createAll(admin, setup);
  me = await t.as('cadre', cadre);
  colleague = await t.as('cadre', other);
});
afterAll(async () => {
  await t?.stop();
});

describe('GET /cadres/{id}/standing: the latest finished week', () => {
  it('is null before any week has been evaluated', async () => {
    const res = await me.get(`/cadres/${cadre}/standing`);
    expect(res.status).toBe(200);
    expect(res.body.evaluation).toBeNull();
    expect(res.body.counts.openProblems).toBe(0);
  });

  it('after the weekly job evaluates a week, carries the tier, the explanation and the circle', async () => {
    firstProblems = await inspect(mondayOf(weekA), [
      { cadreId: cadre, problems: 3 },
      { cadreId: other, problems: 0, commend: true },
    ]);
    expect(firstProblems).toHaveLength(3);
    expect(await runWeeklyJob(weekA)).toMatchObject({ revision: 1, revised: false });

    const res = await me.get(`/cadres/${cadre}/standing`);
    expect(res.status).toBe(200);
    const e = res.body.evaluation;
    expect(e).toMatchObject({
      cadreId: cadre,
      week: weekA,
      monday: mondayOf(weekA),
      asOf: weekEndInstant(weekA),
      revision: 1,
      provisional: false,
      ruleSetVersion: 1,
      tier: 'reminderTalk',
      tierLabel: '提醒谈话',
      weightedCount: 3,
      band: { min: 3, max: 4 },
      circle: {
        member: true,
        movement: 'entered',
        movementLabel: '进圈',
        weeks: 1,
        previousTier: null,
        previousTierLabel: null,
      },
      remedialTraining: [],
      talkNotice: 'reminderTalk',
      reasonsOmitted: 0,
    });
    expect(e.explanation).toBe(
      '未销号问题 3 个，加权合计 3 个；依第 1 版规则（3–4 个：提醒谈话），定为提醒谈话。',
    );
    expect(e.reasons.map((r: { problemId: string }) => r.problemId).sort()).toEqual(
      [...firstProblems].sort(),
    );
    expect(e.reasons[0]).toMatchObject({
      kind: 'openProblem',
      severity: 'minor',
      falseRectification: false,
      weight: 1,
    });
    // The open problems beside it are today's, as before.
    expect(res.body.openProblemCount).toBe(3);

    const commended = (await colleague.get(`/cadres/${other}/standing`)).body.evaluation;
    expect(commended).toMatchObject({
      week: weekA,
      tier: 'commended',
      tierLabel: '充分肯定',
      circle: { member: false, movement: 'outside', weeks: 0 },
      talkNotice: null,
    });
    expect(commended.reasons).toEqual([expect.objectContaining({ kind: 'commendation' })]);
  }, 120_000);

  it('is one item per cadre and week, under the cadre', async () => {
    const item = await getItem<Record<string, unknown>>(keys.cadreEvaluation(cadre, weekA));
    expect(item).toMatchObject({
      PK: `CADR#${cadre}`,
      SK: `EVAL#${weekA}`,
      entity: 'cadreEvaluation',
      revision: 1,
    });
    expect(Object.keys(item ?? {}).some((k) => k.startsWith('GSI'))).toBe(false);
    // Far from the 400 KB item limit: the page reads half a read unit.
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(4096);
  });

  it('shows the next finished week once evaluated: still in the circle, for two weeks', async () => {
    await runWeeklyJob(weekB);
    const e = (await me.get(`/cadres/${cadre}/standing`)).body.evaluation;
    expect(e).toMatchObject({
      week: weekB,
      revision: 1,
      tier: 'reminderTalk',
      circle: { member: true, movement: 'stayed', weeks: 2, previousTier: 'reminderTalk' },
      // Two weeks running in the circle makes a remedial-training candidate; no second talk notice.
      remedialTraining: ['consecutiveWeeks'],
      talkNotice: null,
    });
    // The colleague joined the roster after week B and nothing in it names them, so the engine does
    // not place them in that week: their latest finished week is still A.
    const b = (await colleague.get(`/cadres/${other}/standing`)).body.evaluation;
    expect(b).toMatchObject({ week: weekA, tier: 'commended' });
  }, 120_000);

  it('a revision of a finished week updates the items of that week and of the weeks it moves', async () => {
    // An offline inspection dated inside week A, synced only now: two more problems (five in all).
    await inspect(addDays(mondayOf(weekA), 2), [{ cadreId: cadre, problems: 2 }]);
    expect(await runWeeklyJob(weekA)).toMatchObject({ revision: 2, revised: true });

    const a = await getItem<Record<string, unknown>>(keys.cadreEvaluation(cadre, weekA));
    expect(a).toMatchObject({ revision: 2, tier: 'admonishmentTalk', weightedCount: 5 });
    expect(a?.circle).toMatchObject({ movement: 'entered', weeks: 1 });

    const e = (await me.get(`/cadres/${cadre}/standing`)).body.evaluation;
    expect(e).toMatchObject({
      week: weekB,
      revision: 2,
      tier: 'admonishmentTalk',
      tierLabel: '诫勉谈话',
      weightedCount: 5,
      circle: { member: true, movement: 'stayed', weeks: 2, previousTier: 'admonishmentTalk' },
      remedialTraining: ['tier', 'consecutiveWeeks'],
    });
    expect(e.reasons).toHaveLength(5);
    expect(e.explanation).toContain('定为诫勉谈话');

    // Running it again with nothing new changes nothing.
    expect(await runWeeklyJob(weekA)).toMatchObject({ revision: 2, revised: false });
    expect(await cadreWeekRevision(cadre, weekA)).toBe(2);
  }, 120_000);

  it('the provisional view of the current week is not copied: the standing stays on the finished week', async () => {
    await evaluateAndStoreWeek(weekC, { now: new Date() });
    const e = (await me.get(`/cadres/${cadre}/standing`)).body.evaluation;
    expect(e.week).toBe(weekB);
    expect(await getItem(keys.cadreEvaluation(cadre, weekC))).toBeUndefined();
  });

  it('a re-run restores the items of a stored revision that has none (stored before they existed)', async () => {
    await deleteItem(keys.cadreEvaluation(cadre, weekB));
    expect((await latestCadreWeekRecord(cadre))?.week).toBe(weekA);
    const again = await evaluateAndStoreWeek(weekB, { now: new Date() });
    expect(again).toMatchObject({ revision: 2, revised: false });
    expect(await latestCadreWeekRecord(cadre)).toMatchObject({ week: weekB, revision: 2 });
  });

  it('keeps false rectifications among the reasons, with their weight', async () => {
    // A rejection dated inside a finished week cannot be made through the API (its clock is now), so
    // this week is evaluated by the rules engine directly and stored the way the job stores it.
    const week = '2020-W10';
    const id = uid('C');
    expect((await admin.post('/cadres', { id, name: '赵六', unit: '县林业局', rank: 'staff' })).status).toBe(
      201,
    );
    const at = (day: number, hour: number) =>
      new Date(
        Date.parse(`${addDays(mondayOf(week), day)}T${String(hour).padStart(2, '0')}:00:00+08:00`),
      ).toISOString();
    const evaluation = evaluateWeek({
      week,
      asOf: weekEndInstant(week),
      ruleSet: DEFAULT_RULE_SET,
      cadres: [{ id, name: '赵六', townshipId: township }],
      problems: [
        {
          id: 'P-false',
          cadreId: id,
          villageId: village,
          townshipId: township,
          severity: 'major',
          foundOn: mondayOf(week),
          events: [
            { kind: 'rectification', at: at(1, 9), id: 'E1' },
            { kind: 'verification', outcome: 'rejected', at: at(1, 15), id: 'E2' },
            { kind: 'rectification', at: at(2, 9), id: 'E3' },
            { kind: 'verification', outcome: 'rejected', at: at(2, 15), id: 'E4' },
          ],
        },
        {
          id: 'P-plain',
          cadreId: id,
          villageId: village,
          townshipId: township,
          severity: 'minor',
          foundOn: mondayOf(week),
          events: [],
        },
      ],
      findings: [],
      dispatches: [],
      directReports: [],
      previous: null,
    });
    expect(
      await putCadreWeekRecords(evaluation, { revision: 1, evaluatedAt: new Date().toISOString() }),
    ).toBe(1);
    const e = (await admin.get(`/cadres/${id}/standing`)).body.evaluation;
    expect(e).toMatchObject({ week, tier: 'reminderTalk', weightedCount: 3 });
    expect(e.reasons).toEqual([
      {
        kind: 'openProblem',
        problemId: 'P-false',
        severity: 'major',
        falseRectification: true,
        falseRectifications: 2,
        weight: 2,
      },
      {
        kind: 'openProblem',
        problemId: 'P-plain',
        severity: 'minor',
        falseRectification: false,
        falseRectifications: 0,
        weight: 1,
      },
    ]);
    expect(e.explanation).toContain('其中虚假整改 1 个，每个按 2 个计');
  });
});

describe('GET /cadres/{id}/standing: who may read it', () => {
  it("refuses a cadre another cadre's standing (403) and lets staff read anyone's", async () => {
    const refused = await colleague.get(`/cadres/${cadre}/standing`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(refused.body.evaluation).toBeUndefined();
    for (const staff of [admin, inspector]) {
      const res = await staff.get(`/cadres/${cadre}/standing`);
      expect(res.status).toBe(200);
      expect(res.body.evaluation).toMatchObject({ week: weekB, tier: 'admonishmentTalk' });
    }
  });

  it('answers 404 for a cadre not on the roster', async () => {
    expect((await admin.get(`/cadres/${uid('C')}/standing`)).status).toBe(404);
  });
});
